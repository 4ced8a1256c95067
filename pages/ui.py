"""Shared UI edge for every dashboard page: engine, sidebar filters, cached data, cards.

The sidebar filters live in the URL (Streamlit's `bind="query-params"`), so a
copied link reopens the same view: `?year=2026&m=1&m=10&d=青山区&u=某单位`
(the month range is two repeated `m` values). Pages read them through
`filters()` and get the rows through `frames(filters)`; both are cheap after
the first run because the database read is cached on `data_version`, so an
upload or rollback shows at once.
"""
from __future__ import annotations

import logging
from datetime import date

import pandas as pd
import streamlit as st

from analytics import auth, indicators, store, views
from analytics.db import data_version, database_url, get_engine
from analytics.errors import AnalyticsError
from analytics.views import Filters

log = logging.getLogger(__name__)

FILTERS_KEY = "_dashboard_filters"
ROLE_LABELS = {"admin": "管理员", "filler": "填报员", "viewer": "查看者"}
STATUS_BADGE_COLORS = {"超前": "green", "正常": "blue", "滞后": "red", "无目标": "gray"}
STATUS_ICONS = {"超前": "▲", "正常": "●", "滞后": "▼", "无目标": "○"}
DEFAULT_MONTHS = (1, 12)


# --- engine and data -------------------------------------------------------------------

def engine():
    """The app's engine ($LEAGUE_DB_URL or data/league.db); a fresh one gets the sample data."""
    return _engine(database_url())


@st.cache_resource(show_spinner="首次启动：正在准备数据库和示例数据…")
def _engine(url: str):
    eng = get_engine(url)
    if not store.has_data(eng):
        _load_sample(eng)
    return eng


def _load_sample(eng) -> None:
    try:
        from analytics.sample import load_sample
    except ImportError:  # sample loader not installed: start empty
        return
    try:
        load_sample(eng)
    except (AnalyticsError, OSError) as exc:  # an empty dashboard beats no dashboard
        log.warning("sample data not loaded: %s", exc)


def version() -> int:
    """The data version: every store/replace/rollback bumps it (the cache key)."""
    return data_version(engine())


@st.cache_data(max_entries=4, show_spinner=False)
def _sample_live(data_ver: int) -> bool:
    return store.has_sample(engine())


@st.cache_data(max_entries=4, show_spinner=False)
def _batches(data_ver: int) -> pd.DataFrame:
    return store.list_batches(engine(), limit=1_000_000)


@st.cache_resource(max_entries=4, show_spinner="正在读取数据…")
def _load(data_ver: int, years: tuple[int, ...]) -> dict[str, pd.DataFrame]:
    """The stored rows of `years`, shared read-only by every session.

    A resource cache, not `cache_data`: a city's year is ~10⁶ volunteer rows
    and `cache_data` would unpickle a fresh copy (≈0.7 s) on every call.
    Nothing downstream mutates these frames (`indicators.select` and the
    views return new frames).
    """
    return store.load_frames(engine(), years=years)


@st.cache_data(max_entries=16, show_spinner=False)
def _latest_month(data_ver: int, year: int) -> str | None:
    return views.latest_month(_load(data_ver, (year - 1, year)), year)


@st.cache_data(max_entries=32, show_spinner=False)
def _names(data_ver: int, years: tuple[int, ...],
           districts: tuple[str, ...] | None) -> tuple[list[str], list[str]]:
    """(districts, units of `districts`) found in the data: the sidebar's options."""
    data = _load(data_ver, years)
    return views.districts_in(data), views.units_in(data, districts)


def loaded(f: Filters) -> dict[str, pd.DataFrame]:
    """The stored rows of the selected year and the one before (for 同比), every district."""
    return _load(version(), (f.year - 1, f.year))


def frames(f: Filters | None = None, *, whole_year: bool = False,
           with_previous: bool = False) -> dict[str, pd.DataFrame]:
    """The canonical frames of the selection (year, months, districts, units).

    `whole_year` ignores the month range; `with_previous` keeps last year's
    rows too (同比), limited to the same districts and units.
    """
    f = f or filters()
    data = loaded(f)
    months = None if whole_year or with_previous else f.months
    year = None if with_previous else f.year
    return indicators.select(data, year=year, months=months,
                             districts=f.districts or None, units=f.units or None)


@st.cache_data(max_entries=16, show_spinner="正在计算指标…")
def _report(data_ver: int, year: int, months: tuple[int, int], districts: tuple[str, ...],
            units: tuple[str, ...], as_of_day: date):
    from analytics.report import build_report

    data = _load(data_ver, (year - 1, year))
    if units:
        data = indicators.select(data, units=units)
    return build_report(data, year=year, months=months, districts=districts or None,
                        as_of=as_of_day)


def report(f: Filters | None = None):
    """The selection's `analytics.report.Report` (every figure, computed once, cached)."""
    f = f or filters()
    return _report(version(), f.year, f.months, f.districts, f.units, as_of(f))


@st.cache_data(max_entries=8, show_spinner="正在统计星级志愿者…")
def _stars(data_ver: int, year: int, districts: tuple[str, ...], units: tuple[str, ...],
           as_of_day: date):
    from analytics.stars import volunteer_stars

    # the selected year and the one before are already loaded (`_load`); only the
    # older years are read here, not the whole history again
    older = [y for y in views.years_of_batches(_batches(data_ver)) if y < year - 1]
    parts = [_load(data_ver, (year - 1, year))]
    if older:
        parts.append(store.load_frames(engine(), years=older))
    volunteer = pd.concat([p["volunteer"] for p in parts], ignore_index=True)
    volunteer = indicators.select({"volunteer": volunteer}, districts=districts or None,
                                  units=units or None)["volunteer"]
    return volunteer_stars(volunteer, as_of=as_of_day)


def stars(f: Filters | None = None) -> pd.DataFrame:
    """Cumulative hours and star level per volunteer, over every year up to the as-of day."""
    f = f or filters()
    return _stars(version(), f.year, f.districts, f.units, as_of(f))


@st.cache_data(max_entries=32, show_spinner=False)
def _unit_summary(data_ver: int, f: Filters) -> pd.DataFrame:
    return views.unit_summary(frames(f))


def unit_summary(f: Filters | None = None) -> pd.DataFrame:
    """Every indicator per (district, unit) of the selection (cached)."""
    f = f or filters()
    return _unit_summary(version(), f)


def as_of(f: Filters | None = None) -> date:
    """Today, capped to the end of the month range and of the latest month with data."""
    f = f or filters()
    return views.as_of_date(f.year, f.months, date.today(), _latest_month(version(), f.year))


def filters() -> Filters:
    """The sidebar selection of this run (the districts already limited to the user's)."""
    found = st.session_state.get(FILTERS_KEY)
    if isinstance(found, Filters):
        return found
    return Filters(year=date.today().year)


# --- the sidebar -------------------------------------------------------------------------

def render_sidebar(user: auth.User) -> Filters:
    """Filters (in the URL), the logged-in user with 退出登录, the sample-data notice."""
    today = date.today()
    years = views.years_of_batches(_batches(version()))
    options = views.year_options(years, today)
    default = views.default_year(years, today)
    allowed = auth.allowed_districts(user)
    sb = st.sidebar
    sb.header("筛选")
    year = sb.selectbox("年度", options, index=options.index(default), key="year",
                        bind="query-params")
    months = sb.slider("月份范围", 1, 12, DEFAULT_MONTHS, key="m", format="%d月",
                       bind="query-params")
    both = (year - 1, year)
    known, _ = _names(version(), both, None)
    district_options = views.visible_districts(known, allowed)
    chosen = sb.multiselect("区县", district_options, key="d", placeholder="全部区县",
                            bind="query-params")
    districts = views.effective_districts(chosen, allowed)
    _, unit_options = _names(version(), both, None if districts is None else tuple(districts))
    units = sb.multiselect("单位", unit_options, key="u", placeholder="全部单位",
                           bind="query-params")
    selected = Filters(year=int(year), months=(int(months[0]), int(months[1])),
                       districts=tuple(districts or ()), units=tuple(units))
    st.session_state[FILTERS_KEY] = selected
    _render_user(user)
    _render_sample_notice(user)
    return selected


def _render_user(user: auth.User) -> None:
    sb = st.sidebar
    sb.divider()
    if user.username == auth.PUBLIC.username:
        sb.caption("公开只读视图")
        return
    sb.markdown(f"**{user.username}** · {ROLE_LABELS.get(user.role, user.role)}")
    if user.districts:
        sb.caption("区县：" + "、".join(sorted(user.districts)))
    if sb.button("退出登录", key="logout", icon=":material/logout:"):
        from . import session
        session.logout()
        st.rerun()


def _render_sample_notice(user: auth.User) -> None:
    if not _sample_live(version()):
        return
    st.sidebar.info("当前显示的是**示例数据**（虚构区县），导入真实报表前请先清除。", icon="ℹ️")
    if user.role != "admin" or user.username == auth.PUBLIC.username:
        return
    confirm = st.sidebar.checkbox("确认清除全部示例数据", key="clear_sample_confirm")
    if st.sidebar.button("清除示例数据", key="clear_sample", disabled=not confirm):
        try:
            n = store.clear_sample(engine(), user)
        except AnalyticsError as exc:
            st.sidebar.error(str(exc))
        else:
            st.toast(f"已清除示例数据（{n} 个批次）")
            st.rerun()


# --- page pieces -------------------------------------------------------------------------

def page_header(title: str, f: Filters | None = None) -> Filters:
    """The page title and a caption naming the selection; returns the filters."""
    f = f or filters()
    st.title(title)
    scope = "、".join(f.districts) if f.districts else "全部区县"
    if f.units:
        scope += f"（{len(f.units)} 个单位）"
    st.caption(f"{f.period_label} · {scope} · 数据截至 {as_of(f):%Y年%m月%d日}")
    return f


def show_empty(message: str = "所选范围内暂无数据。") -> None:
    """A friendly notice instead of an empty table or chart."""
    st.info(message, icon="ℹ️")


def show_error(exc: AnalyticsError) -> None:
    st.error(str(exc))


def metric_card(label: str, value: str, *, status: str | None = None,
                lines: tuple[str, ...] = (), help: str | None = None,
                delta: str | None = None) -> None:
    """A KPI card: big number, 同比 as the delta, a status badge (超前 green … 无目标
    grey), detail lines."""
    with st.container(border=True):
        st.metric(label, value, delta=delta, help=help, delta_color="normal",
                  delta_description="同比" if delta else None)
        if status:
            st.badge(f"{STATUS_ICONS.get(status, '')} {status}",
                     color=STATUS_BADGE_COLORS.get(status, "gray"))
        for line in lines:
            st.caption(line)


def chart(fig, key: str) -> None:
    """A plotly figure at full width (Chinese toolbar labels come from the figure)."""
    st.plotly_chart(fig, key=key, config={"displaylogo": False, "locale": "zh-CN"})


def table(df: pd.DataFrame, key: str, **kwargs) -> None:
    """A read-only table, index hidden (columns already labelled in Chinese); a blank
    cell shows "—", never "None"."""
    st.dataframe(df, key=key, hide_index=True, **{"placeholder": "—", **kwargs})


def district_colors() -> dict[str, str]:
    """One colour per district, the same on every page (all districts of the loaded years)."""
    from analytics import palette

    f = filters()
    known, _ = _names(version(), (f.year - 1, f.year), None)
    return palette.district_colors(known)


def export_panel(rep, key: str) -> None:
    """Downloads of the selection (Excel with charts, offline HTML) and the drafted paragraph.

    The files are built only when a button is clicked (deferred download data).
    """
    import functools

    st.subheader("导出")
    try:
        from analytics.export_html import report_html
        from analytics.export_xlsx import report_xlsx
        from analytics.summary_text import draft_summary
    except ImportError:
        st.caption("导出功能尚未安装。")
        return
    stem = f"团务数据_{rep.selection.area_label}_{rep.selection.period_label}"
    left, right = st.columns(2)
    left.download_button(
        "下载 Excel 报告（含图表）", functools.partial(report_xlsx, rep),
        file_name=f"{stem}.xlsx", key=f"{key}_xlsx", on_click="ignore", icon=":material/download:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    right.download_button(
        "下载离线 HTML 报告", functools.partial(report_html, rep), file_name=f"{stem}.html",
        key=f"{key}_html", on_click="ignore", mime="text/html", icon=":material/download:")
    with st.expander("工作总结数据段落（可复制）", expanded=False):
        try:
            text = draft_summary(rep)
        except AnalyticsError as exc:
            st.error(str(exc))
        else:
            st.caption("由所选范围的数据自动生成，复制后可直接粘贴到工作总结中（右上角复制按钮）。")
            st.code(text, language=None, wrap_lines=True)
