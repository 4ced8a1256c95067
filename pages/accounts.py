"""账号管理 (管理员): list, add, disable/enable, reset password, role and districts, unlock.

Every action goes through an `analytics.auth` function that checks the
`manage_users` right itself, so hiding this page is not the only guard.
Actions run in button callbacks, so the list below shows their result at once.
"""
from __future__ import annotations

import streamlit as st

from analytics.store import accounts
from analytics.present.admin_tables import (
    ROLE_LABELS, known_districts, known_unit_texts, role_label, split_districts, users_table,
)
from analytics.errors import AnalyticsError
from analytics.store.batches import list_batches, reporting_scopes
from ui import session, widgets

FLASH_KEY = "accounts_flash"
DISTRICTS_LABEL = "负责区县（填报员须指定区县或单位；查看者不选即可查看全部区县）"
UNITS_LABEL = "负责单位（基层团组织填报员：只能导入这些单位的数据，写成 区县/单位）"

user = session.require_user("accounts")
engine = session.engine()
st.title("账号管理")


def _flash(level: str, message: str) -> None:
    st.session_state[FLASH_KEY] = (level, message)


def _run(action, success) -> None:
    """Run an account action; `success(result)` (Chinese) is shown on the next run."""
    try:
        result = action()
    except AnalyticsError as exc:
        _flash("error", str(exc))
    else:
        _flash("success", success(result))


def _create() -> None:
    s = st.session_state
    name, password = s["new_username"].strip(), s["new_user_password"]
    if not name or not password:
        _flash("error", "请填写用户名和初始密码。")
        return
    _run(lambda: accounts.create_user(engine, user, name, password, s["new_user_role"],
                                  s["new_user_districts"], units=s["new_user_units"]),
         lambda _: f"已创建账号 {name}（首次登录须修改密码）。")


def _selected() -> str:
    return st.session_state["account_target"]


def _forget_edits() -> None:
    """Another account chosen: its own role and districts fill the form."""
    for key in ("edit_role", "edit_districts", "edit_units"):
        st.session_state.pop(key, None)


def _save_role() -> None:
    s = st.session_state
    _run(lambda: accounts.set_role_and_districts(engine, user, _selected(), s["edit_role"],
                                             s["edit_districts"], s["edit_units"]),
         lambda _: f"已更新 {_selected()} 的角色、区县和单位。")


def _set_active(active: bool) -> None:
    _run(lambda: accounts.set_active(engine, user, _selected(), active),
         lambda _: f"已{'启用' if active else '停用'}账号 {_selected()}。")


def _reset() -> None:
    _run(lambda: accounts.reset_password(engine, user, _selected()),
         lambda password: f"已重置 {_selected()} 的密码，新密码：{password}"
                           "（只显示这一次，请转交本人；登录后须修改）。")


def _unlock() -> None:
    _run(lambda: accounts.unlock(engine, user, _selected()), lambda _: f"已解锁账号 {_selected()}。")


flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    level, message = flash
    (st.success if level == "success" else st.error)(message)

users = accounts.list_users(engine, user)
widgets.table(users_table(users), key="accounts_table",
              column_config={c: st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
                             for c in ("锁定至", "创建时间", "更新时间")})

districts = known_districts(list_batches(engine))
units = known_unit_texts(reporting_scopes(engine))
roles = list(ROLE_LABELS)

add_tab, edit_tab = st.tabs(["新建账号", "修改账号"])
with add_tab:
    with st.form("new_user_form", clear_on_submit=True):
        st.text_input("用户名", key="new_username")
        st.text_input("初始密码（至少 8 位）", type="password", key="new_user_password")
        st.selectbox("角色", roles, format_func=role_label, key="new_user_role", index=1)
        st.multiselect(DISTRICTS_LABEL, districts, key="new_user_districts",
                       accept_new_options=True, placeholder="可选择或输入区县名称")
        st.multiselect(UNITS_LABEL, units, key="new_user_units", accept_new_options=True,
                       placeholder="可选择或输入，如 青山区/东关街道团工委")
        st.form_submit_button("新建账号", key="new_user_submit", type="primary",
                              on_click=_create)

with edit_tab:
    names = list(users["username"]) if not users.empty else []
    if not names:
        st.info("还没有账号。")
    else:
        target = st.selectbox("选择账号", names, key="account_target", on_change=_forget_edits)
        row = users[users["username"] == target].iloc[0]
        with st.form("edit_user_form"):
            st.selectbox("角色", roles, format_func=role_label, key="edit_role",
                         index=roles.index(row["role"]) if row["role"] in roles else 2)
            current = sorted(set(split_districts(row["districts"])))
            st.multiselect(DISTRICTS_LABEL, sorted(set(districts) | set(current)),
                           default=current, key="edit_districts", accept_new_options=True,
                           placeholder="可选择或输入区县名称")
            current_units = sorted(set(split_districts(row["units"])))
            st.multiselect(UNITS_LABEL, sorted(set(units) | set(current_units)),
                           default=current_units, key="edit_units", accept_new_options=True,
                           placeholder="可选择或输入，如 青山区/东关街道团工委")
            st.form_submit_button("保存角色、区县和单位", key="edit_user_submit", on_click=_save_role)
        cols = st.columns(3)
        if bool(row["active"]):
            cols[0].button("停用账号", key="disable_user", on_click=_set_active, args=(False,),
                           disabled=target == user.username)
        else:
            cols[0].button("启用账号", key="enable_user", on_click=_set_active, args=(True,))
        cols[1].button("重置密码", key="reset_password", on_click=_reset)
        cols[2].button("解锁账号", key="unlock_user", on_click=_unlock)
