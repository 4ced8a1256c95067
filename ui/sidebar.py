"""The shared sidebar: filters, the logged-in user with 退出登录, the sample-data notice.

The filters live in the URL (Streamlit's `bind="query-params"`), so a copied
link reopens the same view: `?year=2026&m=1&m=10&d=青山区&u=某单位` (the month
range is two repeated `m` values).
"""
from __future__ import annotations

import logging
from datetime import date

import streamlit as st

from analytics import access, schema
from analytics.store import batches
from analytics.present import labels, views
from analytics.present.fmt import md_text
from analytics.errors import AnalyticsError
from analytics.present.views import Filters
from ui import cached, session

log = logging.getLogger(__name__)


DEFAULT_MONTHS = (1, 12)


# --- the sidebar -------------------------------------------------------------------------

def render_menu(sections: dict[str, list]) -> None:
    """The page menu, drawn with `st.page_link` (`st.navigation` runs hidden).

    Streamlit's own menu is switched off (`client.showSidebarNavigation = false`):
    with it on, the first load of every tab lists the `pages/` files by their
    English names until the router has run.
    """
    sb = st.sidebar
    for title, pages in sections.items():
        sb.caption(title)
        for page in pages:
            sb.page_link(page, label=page.title, icon=page.icon or None)
    sb.divider()


def _all_means_none(key: str, options: list[str]) -> None:
    """"Select all" is stored as no filter: the URL stays short (28 units would
    make it 4,000 characters) and "全部" keeps meaning all as new ones appear."""
    chosen = st.session_state.get(key) or []
    if options and set(options) <= set(chosen):
        st.session_state[key] = []


def render_sidebar(user: access.User, *, with_filters: bool = True) -> Filters | None:
    """Filters (in the URL; only on pages they act on), the logged-in user with 退出登录,
    the sample-data notice."""
    if not with_filters:
        _render_user(user)
        _render_sample_notice(user)
        return None
    today = date.today()
    years = views.years_of_batches(cached.batch_list(cached.version()))
    options = views.year_options(years, today)
    default = views.default_year(years, today)
    allowed = access.allowed_districts(user)
    sb = st.sidebar
    sb.header("筛选")
    year = sb.selectbox("年度", options, index=options.index(default), key="year",
                        bind="query-params")
    months = sb.slider("月份范围", 1, 12, DEFAULT_MONTHS, key="m", format="%d月",
                       bind="query-params")
    both = (year - 1, year)
    known, _ = cached.names(cached.version(), both, None)
    district_options = views.visible_districts(known, allowed)
    chosen = sb.multiselect("区县", district_options, key="d", placeholder=schema.WHOLE_AREA,
                            bind="query-params", on_change=_all_means_none,
                            args=("d", district_options))
    districts = views.effective_districts(chosen, allowed)
    _, unit_options = cached.names(cached.version(), both, None if districts is None else tuple(districts))
    units = sb.multiselect("单位", unit_options, key="u", placeholder="全部单位",
                           bind="query-params", on_change=_all_means_none,
                           args=("u", unit_options))
    selected = Filters(year=int(year), months=(int(months[0]), int(months[1])),
                       districts=tuple(districts or ()), units=tuple(units))
    st.session_state[cached.FILTERS_KEY] = selected
    _render_user(user)
    _render_sample_notice(user)
    return selected


def _render_user(user: access.User) -> None:
    sb = st.sidebar
    sb.divider()
    if user.username == access.PUBLIC.username:
        sb.caption("公开只读视图")
        return
    sb.markdown(f"**{user.username}** · {labels.role_label(user.role)}")
    if user.districts:
        sb.caption(md_text("区县：" + "、".join(sorted(user.districts))))
    if sb.button("退出登录", key="logout", icon=":material/logout:"):
        session.logout()
        st.rerun()


def _render_sample_notice(user: access.User) -> None:
    """At the top of the main page (not below the sidebar's fold): the dashboard shows
    the fictional sample; an admin can clear it there, after ticking a confirmation."""
    if not cached.sample_live(cached.version()):
        return
    # nothing but changing the password works until it is changed
    is_admin = (user.role == "admin" and user.username != access.PUBLIC.username
                and not user.must_change_password)
    with st.container(border=True, key="sample_notice"):
        cols = st.columns([3, 1], vertical_alignment="center") if is_admin else [st.container()]
        cols[0].info("当前显示的是**示例数据**（虚构区县），导入真实报表前请先清除。", icon="ℹ️")
        if not is_admin:
            return
        with cols[1].popover("清除示例数据", icon=":material/delete:"):
            st.caption("示例批次、虚构区县及其目标将全部删除，导入记录中也不再显示。")
            confirm = st.checkbox("确认清除全部示例数据", key="clear_sample_confirm")
            if st.button("清除示例数据", key="clear_sample", disabled=not confirm, type="primary"):
                try:
                    n = batches.clear_sample(cached.engine(), user)
                except AnalyticsError as exc:
                    st.error(str(exc))
                else:
                    st.toast(f"已清除示例数据（{n} 个批次）")
                    st.rerun()
