"""我的账号: who I am, and changing my password (forced at first login)."""
from __future__ import annotations

import streamlit as st

from analytics.store import accounts
from analytics.present.admin_tables import role_label, user_scope_text
from analytics.errors import AnalyticsError
from ui import session

FLASH_KEY = "account_flash"

user = session.require_user("me")
st.title("我的账号")

flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash)

st.markdown(f"**用户名：** {user.username}　**角色：** {role_label(user.role)}　"
            f"**负责区县：** {user_scope_text(user)}")

if user.must_change_password:
    st.warning("首次登录或密码被重置后，须先修改密码才能使用其他功能。")

st.subheader("修改密码")
with st.form("change_password_form", clear_on_submit=True):
    old = st.text_input("当前密码", type="password", key="old_password")
    new = st.text_input("新密码（至少 8 位）", type="password", key="new_password")
    again = st.text_input("再次输入新密码", type="password", key="new_password_again")
    submitted = st.form_submit_button("修改密码", key="change_password_submit", type="primary")

if submitted:
    if new != again:
        st.error("两次输入的新密码不一致。")
    else:
        try:
            accounts.change_password(session.engine(), user.username, old, new,
                                    keep_session=session.current_session())
        except AnalyticsError as exc:
            st.error(str(exc))
        else:
            st.session_state[FLASH_KEY] = "密码已修改，其他设备和浏览器上的登录已退出。"
            st.rerun()
