"""登录: the only page shown before someone logs in."""
from __future__ import annotations

import streamlit as st

from analytics.errors import AnalyticsError
from ui import router, session

router.ensure_routed()
st.title("团务数据看板")
st.subheader("登录")

notice = st.session_state.pop(session.NOTICE_KEY, None)
if notice:
    st.warning(notice)

with st.form("login_form"):
    username = st.text_input("用户名", key="login_username")
    password = st.text_input("密码", type="password", key="login_password")
    submitted = st.form_submit_button("登录", key="login_submit", type="primary")

if submitted:
    if not username.strip() or not password:
        st.error("请输入用户名和密码。")
    else:
        try:
            session.login(username, password)
        except AnalyticsError as exc:
            st.error(str(exc))
        else:
            st.rerun()

st.caption("首次启动时管理员初始密码见服务器日志或 data/initial_admin_password；"
           "首次登录后须修改密码。忘记密码请联系管理员重置。")
