"""目标管理: this year's targets by district and indicator, edited in place.

Saving goes through `store.target_edits.save_targets`, which checks the role
(edit_targets for the changed districts) and stores the edit as a targets
batch: audited, shown in 导入记录, and undone there like any upload.
"""
from __future__ import annotations

from datetime import date

import streamlit as st

from analytics import access
from analytics.ingest.targets_editor import DISTRICT_COLUMN, TARGET_COLUMNS, grid_targets
from analytics.present.fmt import md_text
from analytics.present.admin_tables import known_districts
from analytics.present.targets_grid import (join_target_columns, split_target_columns,
                                            split_targets_grid, targets_grid, targets_sheet_bytes)
from analytics.store.target_edits import save_targets
from analytics.errors import AnalyticsError
from analytics.store.batches import list_batches
from analytics.store.frames import load_frames
from analytics.present.templates import template_bytes, template_filename
from ui import cached, session, widgets

FLASH_KEY = "targets_flash"
EDITOR_KEY = "targets_editor"
SUMMARY_EDITOR_KEY = "targets_summary_editor"     # 获评荣誉 and 组织建设 items: a grid of their own
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

user = session.require_user("targets")
engine = session.engine()
st.title("目标管理")

for level, message in st.session_state.pop(FLASH_KEY, []):
    (st.success if level == "success" else st.error)(message)

this_year = date.today().year
sidebar_year = cached.filters().year
years = sorted({this_year - 1, this_year, this_year + 1, sidebar_year}, reverse=True)


def _forget_edits() -> None:
    """Another year: edits made to the previous year's table are dropped."""
    st.session_state.pop(EDITOR_KEY, None)
    st.session_state.pop(SUMMARY_EDITOR_KEY, None)


year = st.columns([1, 3])[0].selectbox("年度", years, index=years.index(sidebar_year),
                                       key="targets_year", format_func=lambda y: f"{y}年",
                                       on_change=_forget_edits)

targets = load_frames(engine, years=[year])["targets"]
editable = access.editable_districts(user, whole=True)    # targets are set per whole district
districts = set(known_districts(list_batches(engine, limit=1000))) | set(editable or ())
grid = targets_grid(targets, year=year, districts=sorted(districts))
# a filler edits only their districts' rows; the others are shown read-only below
before, others = split_targets_grid(grid, editable)

if editable is None:
    st.caption("“全部”一行是全区合计目标。比率类指标按百分数填写（如 95 表示 95%）；空白表示不设目标；"
               "鼠标停在表头上可看到单位。")
elif editable:
    st.caption(f"您可以修改 {md_text('、'.join(sorted(editable)))} 的目标。比率类指标按百分数填写（如 95 表示 95%）；"
               "空白表示不设目标；鼠标停在表头上可看到单位。")
elif user.units:
    st.warning("您的账号只负责基层团组织的数据，年度目标由区县填报员或管理员设置，只能查看。")
else:
    st.warning("您的账号尚未分配区县，只能查看目标。")

config = {DISTRICT_COLUMN: st.column_config.TextColumn(DISTRICT_COLUMN, disabled=True)}
for column, indicator in TARGET_COLUMNS.items():
    config[column] = st.column_config.NumberColumn(     # the unit is in the tooltip: all fit
        indicator.label, help=column, min_value=0, format="%.2f%%" if indicator.is_rate else "localized",
        max_value=100 if indicator.is_rate else None)
edited_parts = []
for part, part_key in zip(split_target_columns(before), (EDITOR_KEY, SUMMARY_EDITOR_KEY)):
    if part_key == SUMMARY_EDITOR_KEY:
        st.caption("评优表彰、组织建设的年度目标：获评荣誉含集体和个人荣誉；组织建设按项目计。")
    edited_parts.append(st.data_editor(
        part, key=part_key, hide_index=True, num_rows="fixed", width="stretch",
        column_config=widgets.fitted_columns(part, config, editable=True), placeholder="未设"))
edited = join_target_columns(*edited_parts)

if st.button("保存目标", key="targets_save", type="primary"):
    try:
        results = save_targets(engine, user, year=year, before=before, after=edited)
    except AnalyticsError as exc:
        st.error(md_text(exc))
    else:
        if not results:
            st.info("没有修改，无需保存。")
        else:
            st.session_state[FLASH_KEY] = [("success", f"已保存：{r.message}") for r in results]
            _forget_edits()
            st.rerun()

if editable is not None:
    with st.expander("其他区县的目标（只读）"):
        for part, part_key in zip(split_target_columns(others),
                                  ("targets_others", "targets_others_summary")):
            widgets.table(part, key=part_key, column_config=config, placeholder="未设")

st.divider()
st.subheader("以报表方式导入")
st.markdown("也可以下载模板填写“年度目标”表，在左侧“数据上传”页导入；同一区同一年度的目标再次导入需确认替换，"
            "每次保存或导入都可在“数据上传”页的导入记录中撤销。")
cols = st.columns(2)
cols[0].download_button("下载年度目标模板", template_bytes("targets"), template_filename("targets"),
                        mime=XLSX_MIME, key="targets_template", icon=":material/download:")
current = grid_targets(grid, year=year)
if not current.empty:
    cols[1].download_button(f"下载 {year} 年现有目标",
                            targets_sheet_bytes(current, note="从目标管理页导出"),
                            f"年度目标_{year}.csv", mime="text/csv", key="targets_export",
                            icon=":material/table_view:")

if user.role == "admin":
    from analytics.store.cutoffs import set_cutoff_month

    st.divider()
    st.subheader("统计截止月")
    st.caption("不设定时，各区县按本区最后上报的月份计算序时进度、同比和状态，全区合计按各区县共同的截止月；"
               "设定后，所有区县和全区合计都统计到该月月底。")
    current_cutoff = cached.cutoff_month(cached.version(), year)
    choices = [None, *range(1, 13)]
    picked = st.columns([1, 3])[0].selectbox(
        f"{year}年统计截止月", choices, index=choices.index(current_cutoff), key="targets_cutoff",
        format_func=lambda m: "不设定（各区县按本区最后上报月）" if m is None else f"{m}月")
    if picked != current_cutoff and st.button("保存统计截止月", key="targets_cutoff_save"):
        try:
            set_cutoff_month(engine, user, year, picked)
        except AnalyticsError as exc:
            st.error(str(exc))
        else:
            st.session_state[FLASH_KEY] = [("success", f"{year}年统计截止月已"
                                            + (f"设为{picked}月" if picked else "取消"))]
            st.rerun()
