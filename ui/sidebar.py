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

def render_sidebar(user: access.User) -> Filters:
    """Filters (in the URL), the logged-in user with 退出登录, the sample-data notice."""
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
                            bind="query-params")
    districts = views.effective_districts(chosen, allowed)
    _, unit_options = cached.names(cached.version(), both, None if districts is None else tuple(districts))
    units = sb.multiselect("单位", unit_options, key="u", placeholder="全部单位",
                           bind="query-params")
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
    if not cached.sample_live(cached.version()):
        return
    st.sidebar.info("当前显示的是**示例数据**（虚构区县），导入真实报表前请先清除。", icon="ℹ️")
    if user.role != "admin" or user.username == access.PUBLIC.username \
            or user.must_change_password:       # nothing but changing the password until then
        return
    confirm = st.sidebar.checkbox("确认清除全部示例数据", key="clear_sample_confirm")
    if st.sidebar.button("清除示例数据", key="clear_sample", disabled=not confirm):
        try:
            n = batches.clear_sample(cached.engine(), user)
        except AnalyticsError as exc:
            st.sidebar.error(str(exc))
        else:
            st.toast(f"已清除示例数据（{n} 个批次）")
            st.rerun()
