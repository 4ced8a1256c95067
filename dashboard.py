"""Entry point: `streamlit run dashboard.py`.

A router only (Streamlit's own guidance): page config, the login gate, the
shared sidebar filters, the page list, `pg.run()`. Everything else lives in
`pages/` (page scripts), `ui/` (the Streamlit helpers) and `analytics/` (the logic).
"""
from __future__ import annotations

import streamlit as st

from ui import cached, chinese, router, session, sidebar

st.set_page_config(page_title="团务数据看板", page_icon="📊", layout="wide")
chinese.apply()

problem = cached.database_problem()
if problem:
    # the database is gone or replaced: say so on every page, write nothing
    st.error(problem, icon=":material/database_off:")
    st.stop()
notice = cached.storage_notice()
if notice:
    st.warning(notice, icon=":material/hard_drive:")

user = session.current_user()
session.sync_login_cookie()
if user is None:
    # every page URL shows the login form (a bookmark works after logging in)
    with router.routed():
        st.navigation(session.login_pages(), position="hidden").run()
    st.stop()

SECTIONS = {
    "看板": [
        st.Page("pages/overview.py", title="总览", icon=":material/home:", url_path="overview", default=True),
        st.Page("pages/study.py", title="青年大学习", icon=":material/menu_book:", url_path="study"),
        st.Page("pages/activities.py", title="活动开展", icon=":material/celebration:", url_path="activities"),
        st.Page("pages/volunteer.py", title="志愿服务", icon=":material/volunteer_activism:", url_path="volunteer"),
        st.Page("pages/compare.py", title="区县对比", icon=":material/leaderboard:", url_path="compare"),
    ],
    "数据": [
        st.Page("pages/targets.py", title="目标管理", icon=":material/flag:", url_path="targets"),
        st.Page("pages/upload.py", title="数据上传", icon=":material/upload_file:", url_path="upload"),
    ],
    "管理": [
        st.Page("pages/accounts.py", title="账号管理", icon=":material/manage_accounts:", url_path="accounts"),
        st.Page("pages/audit.py", title="操作日志", icon=":material/history:", url_path="audit"),
        st.Page("pages/account.py", title="我的账号", icon=":material/lock:", url_path="me"),
    ],
}
# the pages the sidebar's filters act on (目标管理 has its own year; the admin pages none)
FILTERED_PAGES = {page.title for page in SECTIONS["看板"]}
nav = st.navigation(session.menu(SECTIONS, user), position="hidden")
sidebar.render_menu(session.visible_sections(SECTIONS, user))
sidebar.render_sidebar(user, with_filters=nav.title in FILTERED_PAGES)
with router.routed():
    nav.run()
