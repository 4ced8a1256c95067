"""数据上传: templates, upload with a preview per sheet, store, batch history, rollback.

What is previewed is what gets stored: the checked file (cached per content
and upload options) goes to `store.store_checked`. Store and rollback run in
button callbacks, so the page that follows already shows the new state.
"""
from __future__ import annotations

import streamlit as st


from analytics import access
from analytics.present.admin_tables import (
    KIND_LABELS, batch_choice_text, history_key, history_table, issues_table, known_districts,
    picked_batch, plan_counts, refused_names, refused_rows_workbook, rollback_preview_table,
    scope_summary, sheet_heading, stored_rows_table, total_rows_text, totals_table, upload_month,
    upload_plan_table,
)
from analytics.store.batches import stored_batches_of
from analytics.errors import AnalyticsError
from analytics.ingest.check import check_file
from analytics.metrics import reporting
from analytics.schema import KINDS
from analytics.store.batches import (
    describe_conflicts, find_conflicts, list_batches, preview_file, reporting_scopes,
    rollback_batch, rollback_preview, rollback_refusals, store_checked,
)
from analytics.present.reporting_tables import reporting_table
from analytics.present.templates import shapes_frame, template_bytes, template_filename
from ui import chinese, session, widgets
from analytics.present.fmt import md_text

FLASH_KEY = "upload_flash"
ROLLBACK_FLASH_KEY = "rollback_flash"      # shown under 导入记录, where the undo was asked
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

user = session.require_user("upload")
engine = session.engine()
st.title("数据上传")

editable = access.editable_districts(user)          # None: every district


@st.cache_data(max_entries=16, show_spinner="正在检查文件…")
def _check(content: bytes, filename: str, district: str | None, month: str | None, owner: str):
    return check_file(content, filename=filename, district=district, month=month, owner=owner)


@st.cache_data(max_entries=8, show_spinner=False)
def _template(kind: str) -> bytes:
    return template_bytes(kind)


def _upload_options() -> tuple[str | None, str | None]:
    s = st.session_state
    return s.get("upload_district") or None, upload_month(s.get("upload_month"))


def _checked_files() -> list[tuple[str, object]]:
    """(file name, FileCheck or the AnalyticsError) of every uploaded file."""
    district, month = _upload_options()
    out = []
    for upload in st.session_state.get("upload_files") or []:
        try:
            out.append((upload.name, _check(upload.getvalue(), upload.name, district, month, user.username)))
        except AnalyticsError as exc:
            out.append((upload.name, exc))
    return out


def _store_all() -> None:
    """Button callback: store every readable file; results shown on this run."""
    s = st.session_state
    messages = []
    try:
        files = _checked_files()
    except AnalyticsError as exc:
        s[FLASH_KEY] = [("error", str(exc))]
        return
    for name, checked in files:
        if isinstance(checked, AnalyticsError):
            messages.append(("error", f"{name}：{checked}"))
            continue
        try:
            results = store_checked(engine, checked, actor=user,
                                    replace=bool(s.get("confirm_replace")),
                                    skip_bad_rows=bool(s.get("skip_bad_rows")))
        except AnalyticsError as exc:
            messages.append(("error", f"{name}：{exc}"))
            continue
        for r in results:
            level = "info" if r.status in ("duplicate", "empty") else "success"
            messages.append((level, f"{name}：{r.message}"))
    s[FLASH_KEY] = messages
    s["confirm_replace"] = False


def _rollback(batch_id: int) -> None:
    """Button callback of one row's 撤销: only once its 确认撤销 box is ticked."""
    s = st.session_state
    if not s.get(f"confirm_rollback_{batch_id}"):
        s[ROLLBACK_FLASH_KEY] = [("error", "请先勾选“确认撤销”。")]
        return
    try:
        restored = rollback_batch(engine, batch_id, actor=user)
    except AnalyticsError as exc:
        s[ROLLBACK_FLASH_KEY] = [("error", str(exc))]
    else:
        back = f"，已恢复批次 {'、'.join(f'#{b}' for b in restored)} 的数据" if restored else ""
        s[ROLLBACK_FLASH_KEY] = [("success", f"已撤销批次 #{batch_id}{back}。")]
    s[f"confirm_rollback_{batch_id}"] = False


def _show_flash(key: str) -> None:
    for level, message in st.session_state.pop(key, []):
        {"success": st.success, "info": st.info}.get(level, st.error)(md_text(message))


_show_flash(FLASH_KEY)

# --- templates --------------------------------------------------------------------
with st.expander("下载填报模板", expanded=False):
    cols = st.columns(len(KINDS))
    for col, kind in zip(cols, KINDS):
        col.download_button(KIND_LABELS[kind], _template(kind), template_filename(kind),
                            mime=XLSX_MIME, key=f"template_{kind}", icon=":material/download:")
    st.caption("模板表头可用常见同义写法（如“参加人次”“团员人数”），带标题行、合计行、注释行的原表也能识别。")
with st.expander("能直接读取的原表样式", expanded=False):
    widgets.text_table(shapes_frame())

# --- upload -------------------------------------------------------------------------
history_districts, history_units = access.history_scope(user)
batches = list_batches(engine, districts=history_districts, units=history_units, limit=500,
                       with_units=True)
district_options = sorted(editable) if editable is not None else known_districts(batches)
cols = st.columns(2)
# a filler with one district: it is preselected (there is nothing else to choose)
cols[0].selectbox("区（表中没有“区”列时使用）", district_options,
                  index=0 if editable is not None and len(district_options) == 1 else None,
                  key="upload_district", placeholder="不指定", accept_new_options=editable is None)
cols[1].text_input("月份（表中没有“月份”或日期列时使用，如只写日的活动台账、青年大学习汇总表）", key="upload_month",
                   placeholder="如 2026-03")
st.file_uploader("上传报表（可多选；支持 .xlsx、.xls、.csv）", type=list(chinese.UPLOAD_TYPES),
                 accept_multiple_files=True, key="upload_files")

try:
    checked_files = _checked_files()
except AnalyticsError as exc:
    st.error(md_text(exc))
    checked_files = []

any_rejected = any_conflict = any_storable = False
for name, checked in checked_files:
    with st.container(border=True):
        st.subheader(f":material/description: {md_text(name)}")
        if isinstance(checked, AnalyticsError):
            st.error(md_text(checked))
            continue
        already = stored_batches_of(engine, checked)
        if already:
            ids = "、".join(f"#{b}" for b in already)
            st.info(f"该文件已导入过（批次 {ids}），再次导入不会重复计数。")
        for sheet in checked.sheets:
            st.markdown(f"**{md_text(sheet_heading(sheet))}**")
            if sheet.kind is None:
                continue
            if sheet.scopes:
                st.caption(f"涉及：{md_text(scope_summary(sheet.scopes))}")
            m = st.columns(3)
            m[0].metric("将导入的有效行", f"{sheet.rows_accepted:,}")
            m[1].metric("未通过检查的行", f"{sheet.rows_rejected:,}")
            m[2].metric("提示", f"{len(sheet.warnings):,}")
            skipped = total_rows_text(sheet)
            if skipped:
                st.caption(skipped)
            if sheet.rows_accepted:
                shown = min(sheet.rows_accepted, 20)
                with st.expander(f"将导入的行（前 {shown} 行，共 {sheet.rows_accepted:,} 行）"):
                    widgets.table(stored_rows_table(sheet.kind, sheet.frame),
                                  key=f"rows_{name}_{sheet.sheet}")
            if sheet.totals:
                widgets.table(totals_table(sheet.kind, sheet.totals, sheet.frame),
                              key=f"totals_{name}_{sheet.sheet}")
            if sheet.errors:
                st.error(f"以下 {sheet.rows_rejected} 行未通过检查（行号为 Excel 中的行号），"
                         "请修正后重新上传：")
                widgets.table(issues_table(sheet.errors), key=f"errors_{name}_{sheet.sheet}")
                st.download_button(
                    "下载未通过的行（Excel，问题单元格已标黄）", refused_rows_workbook(sheet),
                    file_name=f"未通过的行_{sheet.sheet}.xlsx", mime=XLSX_MIME,
                    key=f"refused_{name}_{sheet.sheet}", icon=":material/download:")
            if sheet.warnings:
                with st.expander(f"提示（{len(sheet.warnings)} 条，不影响导入）"):
                    widgets.table(issues_table(sheet.warnings),
                                  key=f"warnings_{name}_{sheet.sheet}")
            any_rejected |= sheet.rows_rejected > 0
            any_storable |= sheet.rows_accepted > 0
        if not already:
            preview = preview_file(engine, checked, user)
            if len(preview):
                st.markdown("**导入将如何处理各单位、各月份**（确认导入前不会写入）")
                widgets.table(upload_plan_table(preview), key=f"plan_{name}")
            refused = refused_names(preview, user)
            if refused:
                any_rejected = True
                st.error(f"您（{user.label}）无权导入 {'、'.join(refused)} 的数据，这些行不会导入。")
            if plan_counts(preview)["replace"]:
                any_conflict = True
                st.warning("以下数据已导入，确认替换将只替换这些单位，其他单位的数据不受影响：\n\n"
                           + md_text(describe_conflicts(find_conflicts(engine, checked, user)))
                           .replace("；", "\n\n"))

if checked_files:
    if any_rejected:
        st.checkbox("仅导入有效行（未通过检查的行不导入，记录在批次中）", key="skip_bad_rows")
    if any_conflict:
        st.checkbox("确认替换上面列出的已导入数据（可在下方撤销）", key="confirm_replace")
    st.button("确认导入", key="upload_submit", type="primary", on_click=_store_all,
              disabled=not any_storable)
else:
    st.info("请选择要上传的报表文件。上传后会先显示检查结果，确认后才导入。")

# --- 报送情况: which units have reported for a month ---------------------------------------
st.divider()
st.subheader("报送情况")
scopes = reporting_scopes(engine, districts=editable)
if scopes.empty:
    st.info("还没有各基层团组织的报送记录。")
else:
    cols = st.columns(2)
    report_district = cols[0].selectbox("区县", sorted(set(scopes["district"])),
                                        key="reporting_district")
    months = sorted(set(scopes.loc[scopes["district"] == report_district, "period"]),
                    reverse=True)
    report_month = cols[1].selectbox("月份", months, key="reporting_month")
    status = reporting.reporting_status(scopes, reporting.unit_list(), month=report_month,
                                        districts=[report_district])
    st.caption("应报单位：以往月份报送过的单位，加上单位名单（analytics/data/units.csv）所列单位。")
    widgets.table(reporting_table(status), key="reporting_status")

# --- history and rollback ----------------------------------------------------------------
st.divider()
st.subheader("导入记录")
_show_flash(ROLLBACK_FLASH_KEY)
if batches.empty:
    st.info("还没有导入记录。")
else:
    refusals = rollback_refusals(engine, batches["id"], user)
    st.caption("撤销批次：该批次的数据不再计入，它替换掉的数据恢复。点选某一行左侧的方框，"
               "先看撤销将移除和恢复哪些数据，勾选确认后才撤销；“撤销”列写明哪些批次您可以撤销。")
    # the table's key follows what it shows: a new or undone batch clears the picked row,
    # so a pick never slides onto another batch
    picked = widgets.table(
        history_table(batches, refusals), key=f"batches_table_{history_key(batches)}",
        on_select="rerun", selection_mode="single-row",
        column_config={"导入时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})
    batch_id = picked_batch(batches, picked.selection.rows if picked is not None else [])
    if batch_id is not None:
        with st.container(border=True, key="rollback_panel"):
            st.markdown(f"**{md_text(batch_choice_text(batches, batch_id))}**")
            if batch_id in refusals:
                st.info(md_text(refusals[batch_id]) + "。")
            else:
                try:
                    preview = rollback_preview(engine, batch_id)
                except AnalyticsError as exc:
                    st.error(md_text(exc))
                else:
                    st.warning(md_text(preview.text), icon=":material/undo:")
                    widgets.table(rollback_preview_table(preview, batches),
                                  key=f"rollback_preview_{batch_id}",
                                  column_config={"导入时间": st.column_config.DatetimeColumn(
                                      format="YYYY-MM-DD HH:mm")})
                    confirmed = st.checkbox("确认撤销", key=f"confirm_rollback_{batch_id}")
                    st.button(f"撤销批次 #{batch_id}", key="rollback_submit", type="primary",
                              on_click=_rollback, args=(batch_id,), icon=":material/undo:",
                              disabled=not confirmed)
