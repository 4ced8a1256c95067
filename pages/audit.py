"""操作日志: who stored, replaced, rolled back or changed what, and when.

Admins read every entry; fillers read their own entries and those about
batches of their districts (`admin_views.visible_audit`).
"""
from __future__ import annotations

import streamlit as st

from analytics.present.admin_tables import (
    action_label, audit_choices, audit_table, filter_audit, visible_audit,
)
from analytics.store.audit import read_audit
from analytics.store.batches import list_batches
from ui import session, widgets

AUDIT_LIMIT = 5000

user = session.require_user("audit")
engine = session.engine()
st.title("操作日志")

entries = visible_audit(read_audit(engine, limit=AUDIT_LIMIT),
                        list_batches(engine, with_units=bool(user.units)), user)
if entries.empty:
    st.info("还没有可查看的操作记录。导入、替换、撤销数据或管理账号后，记录会显示在这里。")
    st.stop()

user_options, action_options, first_last = audit_choices(entries)
cols = st.columns(3)
usernames = cols[0].multiselect("用户", user_options, key="audit_users", placeholder="全部用户")
actions = cols[1].multiselect("操作", action_options, key="audit_actions",
                              format_func=action_label, placeholder="全部操作")
span = cols[2].date_input("日期范围", value=first_last, key="audit_dates", format="YYYY-MM-DD")
start, end = (span + (None, None))[:2] if isinstance(span, tuple) else (span, span)

shown = filter_audit(entries, usernames=usernames, actions=actions, start=start, end=end)
st.caption(f"共 {len(shown)} 条记录（最近 {AUDIT_LIMIT} 条内）。")
if shown.empty:
    st.info("没有符合筛选条件的记录。")
else:
    widgets.table(audit_table(shown), key="audit_table", download="操作日志",
                  column_config={"时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")})
