"""Shaping for the admin-side pages: upload preview, batches, accounts, audit log.

Pure functions over DataFrames and the loader/access objects, so the
pages stay thin (read widgets, call these, render) and this is tested
without Streamlit. Every table a page shows gets Chinese column names here.
"""
from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from datetime import date

import pandas as pd

from analytics import access
from analytics.errors import AnalyticsError
from analytics.present import labels
from analytics.present.fmt import MISSING
from analytics.schema import (
    ALL_DISTRICTS, KINDS, LIST_SEPARATOR, NO_DISTRICTS, UNITS_ONLY, WHOLE_AREA, split_names,
)


# --- Chinese labels (one place: `labels`) ----------------------------------

ROLE_LABELS = dict(access.ROLES)
KIND_LABELS = labels.KIND_LABELS
role_label = labels.role_label
action_label = labels.action_label
# how `accounts.list_users` writes an account without districts
NO_DISTRICT_TEXTS = frozenset({WHOLE_AREA, NO_DISTRICTS, UNITS_ONLY})


def split_districts(value) -> list[str]:
    """A districts cell as a list: accepts lists, and "|" / "、" / "," joined text.

    "全部区县" / "未分配区县" (an account without districts) give [].
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str) and value in NO_DISTRICT_TEXTS:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v) for v in value if str(v)]
    text = str(value)
    for sep in ("、", ",", "，", ";"):
        text = text.replace(sep, LIST_SEPARATOR)
    return [part.strip() for part in split_names(text) if part.strip()]


def user_scope_text(user) -> str:
    """A user's districts (and units: 青山区/东关街道) for display: a filler without either
    may edit none."""
    named = sorted(user.districts) + [access.unit_text(d, u)
                                      for d, u in sorted(getattr(user, "units", ()))]
    if named:
        return "、".join(named)
    return "未分配（请联系管理员）" if user.role == "filler" else WHOLE_AREA


# --- upload preview ----------------------------------------------------------

ISSUE_COLUMNS = {"row": "行号", "column": "列", "value": "内容", "message": "问题"}


def issues_table(issues: Sequence) -> pd.DataFrame:
    """Row errors or warnings (RowIssue) as a table with Chinese headers, by row."""
    rows = [{"row": i.row, "column": i.column, "value": i.value, "message": i.message}
            for i in issues]
    frame = pd.DataFrame(rows, columns=list(ISSUE_COLUMNS))
    frame = frame.sort_values("row", kind="stable").reset_index(drop=True)
    return frame.rename(columns=ISSUE_COLUMNS)


def totals_table(kind: str, totals: dict, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """A sheet's totals with the fields' Chinese labels, in schema order.

    With the accepted rows as `frame`, fields left blank in every row (columns
    the sheet does not have) are left out rather than shown as 0.
    """
    fields = KINDS[kind].fields
    rows = [{"项目": f.label, "合计": _plain_number(totals[f.name])}
            for f in fields if f.name in totals
            and (frame is None or f.name not in frame or frame[f.name].notna().any())]
    return pd.DataFrame(rows, columns=["项目", "合计"])


def _plain_number(value) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def sheet_heading(sheet) -> str:
    """A one-line title for a sheet's preview, e.g. 工作表“3月”：活动台账（表头在第 3 行）."""
    if sheet.kind is None:
        return f"工作表“{sheet.sheet}”：未发现数据表（已忽略）"
    label = labels.kind_label(sheet.kind)
    where = f"（表头在第 {sheet.header_row} 行）" if sheet.header_row else ""
    return f"工作表“{sheet.sheet}”：{label}{where}"


def scope_summary(scopes: Sequence[tuple[str, str]]) -> str:
    """What a sheet covers, by district: 青山区（2026-02、2026-03）；临江区（2026-03）."""
    periods: dict[str, list[str]] = {}
    for district, period in sorted(scopes):
        periods.setdefault(district, []).append(period)
    return "；".join(f"{d}（{'、'.join(p)}）" for d, p in periods.items())


def upload_month(text: str | None) -> str | None:
    """The 月份 typed at upload as "YYYY-MM" (None when blank).

    >>> upload_month("2026年3月")
    '2026-03'
    """
    from analytics.ingest.values import BadValue, parse_month

    if not text or not text.strip():
        return None
    try:
        return parse_month(text.strip())
    except BadValue as exc:
        raise AnalyticsError(f"上传时指定的月份“{text.strip()}”不正确：{exc}") from None


PLAN_ACTIONS = {"add": "新增", "replace": "替换", "refused": "无权导入，不导入"}


def upload_plan_table(preview: pd.DataFrame) -> pd.DataFrame:
    """`store.preview_file` as one table: which units and months the file adds, which it
    would replace (and which batch holds them now), which are refused."""
    def action(row) -> str:
        if row.action == "replace":
            return f"替换（现为批次 #{row.batch_id}）"
        return PLAN_ACTIONS.get(row.action, row.action)

    order = {"refused": 0, "replace": 1, "add": 2}
    frame = preview.sort_values(["action", "district", "unit", "period"], kind="stable",
                                key=lambda c: c.map(order) if c.name == "action" else c)
    return pd.DataFrame({
        "工作表": frame["sheet"], "报表类型": frame["kind"].map(lambda k: KIND_LABELS.get(k, k)),
        "区县": frame["district"], "单位": frame["unit"].replace("", "（全区）"),
        "期间": frame["period"], "行数": frame["rows"],
        "处理": [action(r) for r in frame.itertuples()],
    }).reset_index(drop=True)


def plan_counts(preview: pd.DataFrame) -> dict[str, int]:
    """How many scopes the file adds, replaces and is refused: {"add": n, ...}."""
    return {a: int((preview["action"] == a).sum()) for a in PLAN_ACTIONS}


def refused_names(preview: pd.DataFrame, actor) -> list[str]:
    """What the actor may not store, named as `access.authorize` names it: a district they
    hold nothing of ("临江区"), else the unit of their own district ("青山区 西关街道")."""
    reach = access.reachable_districts(actor)
    refused = preview[preview["action"] == "refused"]
    names: list[str] = []
    for district, unit in sorted(set(zip(refused["district"], refused["unit"]))):
        name = f"{district} {unit}" if unit and district in reach else district
        if name not in names:
            names.append(name)
    return names


def known_unit_texts(scopes: pd.DataFrame) -> list[str]:
    """"区县/单位" of every unit that has reported (for the unit pickers), sorted."""
    if scopes.empty:
        return []
    return sorted({access.unit_text(d, u) for d, u in zip(scopes["district"], scopes["unit"])})


# --- batches, accounts, audit --------------------------------------------------

BATCH_LABELS = {
    "id": "批次号", "kind": "报表类型", "districts": "区县", "units": "单位", "periods": "期间",
    "file_name": "文件名", "username": "导入人", "created_at": "导入时间",
    "rows_accepted": "有效行数", "rows_rejected": "拒绝行数", "status": "状态",
    "sha256": "SHA-256",
}


def batches_table(batches: pd.DataFrame) -> pd.DataFrame:
    """`store.list_batches` with Chinese values and headers (known columns only)."""
    frame = batches[[c for c in BATCH_LABELS if c in batches.columns]].copy()
    if "kind" in frame:
        frame["kind"] = frame["kind"].map(labels.kind_label)
    if "status" in frame:
        frame["status"] = frame["status"].map(lambda s: labels.batch_status_label(s))
    for col in ("districts", "periods"):
        if col in frame:
            frame[col] = frame[col].map(lambda v: "、".join(split_districts(v)))
    if "units" in frame:
        frame["units"] = frame["units"].map(units_text)
    return frame.rename(columns=BATCH_LABELS).reset_index(drop=True)


SHOWN_UNITS = 3


def units_text(units, limit: int = SHOWN_UNITS) -> str:
    """A batch's units for a table cell: 东关街道团工委、西关街道团工委 等 12 个 ("" for none)."""
    names = sorted({u for _, u in units or ()})
    more = f" 等 {len(names)} 个" if len(names) > limit else ""
    return "、".join(names[:limit]) + more


def known_districts(batches: pd.DataFrame) -> list[str]:
    """Every district named by a stored batch (for district pickers), sorted."""
    if batches.empty or "districts" not in batches:
        return []
    names = {d for value in batches["districts"] for d in split_districts(value)}
    return sorted(names - {ALL_DISTRICTS})


def batch_choice_text(batches: pd.DataFrame, batch_id: int) -> str:
    """One line naming a batch for the rollback confirmation."""
    row = batches[batches["id"] == batch_id]
    if row.empty:
        return f"批次 #{batch_id}"
    r = row.iloc[0]
    units = units_text(r["units"]) if "units" in r else ""
    return (f"批次 #{batch_id}：{labels.kind_label(r['kind'])} "
            f"{'、'.join(split_districts(r['districts']))}{' ' + units if units else ''} "
            f"{'、'.join(split_districts(r['periods']))}"
            f"（{r['file_name']}，{labels.batch_status_label(r['status'])}）")


UNDO_COLUMN = "撤销"
UNDO_OFFERED = "可撤销"
UNDO_DENIED = "无权撤销"


def history_table(batches: pd.DataFrame, refusals: dict[int, str]) -> pd.DataFrame:
    """`batches_table` with a 撤销 column: 可撤销 where the user may undo the batch,
    无权撤销 where it holds data of another district or unit, "—" once undone
    (`refusals` from `store.batches.rollback_refusals`)."""
    def undo(row) -> str:
        if int(row["id"]) not in refusals:
            return UNDO_OFFERED
        return MISSING if row["status"] == "rolled_back" else UNDO_DENIED

    frame = batches_table(batches.drop(columns=["sha256"], errors="ignore"))  # the file names it
    frame.insert(1, UNDO_COLUMN, [undo(r) for r in batches.to_dict("records")])
    return frame


def history_key(batches: pd.DataFrame) -> str:
    """A short fingerprint of the batches listed and their states: the import history's
    table key, so a row picked for undo is dropped once the list changes under it."""
    text = ",".join(f"{i}:{s}" for i, s in zip(batches["id"], batches["status"]))
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def picked_batch(batches: pd.DataFrame, rows: Sequence[int]) -> int | None:
    """The batch id of the row picked in `history_table` (positions in `batches`, which a
    sort in the browser does not change), or None when no row is picked."""
    if not len(rows) or not 0 <= int(rows[0]) < len(batches):
        return None
    return int(batches["id"].iloc[int(rows[0])])


def rollback_preview_table(preview, batches: pd.DataFrame) -> pd.DataFrame:
    """What undoing a batch does, one row per batch: 移除 its rows that count now,
    恢复 the rows of each batch it replaced (`store.batches.RollbackPreview`)."""
    known = batches.set_index("id") if len(batches) else pd.DataFrame()

    def row(action: str, batch_id: int, rows: int) -> dict:
        r = known.loc[batch_id] if batch_id in known.index else {}
        return {"处理": action, "批次号": batch_id,
                "报表类型": labels.kind_label(r["kind"]) if "kind" in r else MISSING,
                "文件名": r.get("file_name", MISSING),
                "导入人": r.get("username", MISSING),
                "导入时间": r.get("created_at"), "行数": rows}

    rows = [row("移除", preview.batch_id, preview.rows_removed)]
    rows += [row("恢复", batch_id, n) for batch_id, n in preview.restored]
    frame = pd.DataFrame(rows)
    frame["导入时间"] = pd.to_datetime(frame["导入时间"])
    return frame


USER_LABELS = {
    "username": "用户名", "role": "角色", "districts": "负责区县", "units": "负责单位",
    "active": "状态",
    "must_change_password": "须改密码", "failed_logins": "连续失败次数",
    "locked_until": "锁定至", "created_at": "创建时间", "updated_at": "更新时间",
}


def users_table(users: pd.DataFrame) -> pd.DataFrame:
    """`accounts.list_users` with Chinese headers and values; never a password hash."""
    frame = users[[c for c in USER_LABELS if c in users.columns]].copy()
    if "role" in frame:
        frame["role"] = frame["role"].map(role_label)
    if "active" in frame:
        frame["active"] = frame["active"].map(lambda a: "启用" if bool(a) else "停用")
    if "must_change_password" in frame:
        frame["must_change_password"] = frame["must_change_password"].map(
            lambda a: "是" if bool(a) else "否")
    return frame.rename(columns=USER_LABELS).reset_index(drop=True)


AUDIT_LABELS = {"at": "时间", "username": "用户", "action": "操作", "detail": "详情",
                "batch_id": "批次号", "file_name": "文件名", "sha256": "SHA-256"}


def visible_audit(audit: pd.DataFrame, batches: pd.DataFrame, actor) -> pd.DataFrame:
    """The audit rows `actor` may read.

    Admins read everything; anyone else reads their own entries and those
    about batches touching their districts, or (a unit account) their units
    (none when they have neither).
    """
    if actor.role == "admin":
        return audit
    mine, my_units = set(actor.districts), set(getattr(actor, "units", ()))
    units = batches["units"] if "units" in batches else [()] * len(batches)
    own_batches = {int(batch_id) for batch_id, districts, covered
                   in zip(batches["id"], batches["districts"], units)
                   if mine & set(split_districts(districts)) or my_units & set(covered or ())
                   } if len(batches) else set()
    by_actor = audit["username"] == actor.username
    about_mine = audit["batch_id"].map(lambda b: not pd.isna(b) and int(b) in own_batches)
    return audit[by_actor | about_mine.astype(bool)]


def filter_audit(audit: pd.DataFrame, *, usernames: Sequence[str] = (),
                 actions: Sequence[str] = (), start: date | None = None,
                 end: date | None = None) -> pd.DataFrame:
    """Audit rows by user, action (canonical names) and day range (inclusive)."""
    keep = pd.Series(True, index=audit.index)
    if usernames:
        keep &= audit["username"].isin(list(usernames))
    if actions:
        keep &= audit["action"].isin(list(actions))
    days = pd.to_datetime(audit["at"]).dt.date
    if start is not None:
        keep &= days >= start
    if end is not None:
        keep &= days <= end
    return audit[keep]


def audit_choices(audit: pd.DataFrame) -> tuple[list[str], list[str], tuple[date, date] | None]:
    """Filter options for an audit table: users, actions, (first day, last day)."""
    if audit.empty:
        return [], [], None
    days = pd.to_datetime(audit["at"]).dt.date
    return (sorted(audit["username"].unique()), sorted(audit["action"].unique()),
            (days.min(), days.max()))


def audit_table(audit: pd.DataFrame) -> pd.DataFrame:
    """Audit rows with Chinese headers and action names, newest first."""
    frame = audit[[c for c in AUDIT_LABELS if c in audit.columns]].copy()
    frame = frame.sort_values("at", ascending=False, kind="stable")
    frame["action"] = frame["action"].map(action_label)
    if "batch_id" in frame:
        frame["batch_id"] = frame["batch_id"].astype("Int64")
    return frame.rename(columns=AUDIT_LABELS).reset_index(drop=True)


# --- the upload preview: rows to store, skipped 合计 lines, refused rows as Excel ----------

PREVIEW_ROWS = 20


def stored_rows_table(kind: str, frame: pd.DataFrame, limit: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The first `limit` rows that will be stored, as the user wrote them (Chinese headers,
    the Excel row first); derived columns (month, dimension ...) are left out."""
    fields = [f for f in KINDS[kind].fields if f.name in frame.columns]
    shown = frame.head(limit)
    out = pd.DataFrame({"原表行号": shown["source_row"].astype("int64")} if "source_row" in shown
                       else {})
    for f in fields:
        column = shown[f.name]
        if pd.api.types.is_datetime64_any_dtype(column):
            column = column.dt.strftime("%Y-%m-%d")
        out[f.label] = column.astype("object").where(column.notna(), None).tolist()
    return out.reset_index(drop=True)


def total_rows_text(sheet) -> str:
    """"合计行已跳过（第 12 行），不计入；表内合计与明细之和一致。" or ""."""
    rows = list(getattr(sheet, "total_rows", []) or [])
    if not rows:
        return ""
    where = "、".join(f"第 {r} 行" for r in rows[:5]) + ("等" if len(rows) > 5 else "")
    text = f"合计行已跳过（{where}），不计入统计"
    mismatch = any("合计行为" in w.message for w in sheet.warnings)
    if getattr(sheet, "sheet_totals", None) and not mismatch and not sheet.rows_rejected:
        text += "；表内合计行与明细行之和一致"
    return text + "。"


def refused_rows_workbook(sheet) -> bytes:
    """The refused rows of a sheet as an Excel file: the user's columns with the problem
    cells highlighted (yellow fill, the problem as a comment), the problems last."""
    import io

    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    ws = book.active
    ws.title = "未通过的行"
    headers: list[str] = []
    for row in sheet.rejected:
        headers += [h for h in row["values"] if h not in headers]
    ws.append(["原行号", *headers, "问题"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    problems: dict[tuple[int, str], list[str]] = {}
    for issue in sheet.errors:
        problems.setdefault((issue.row, issue.column), []).append(issue.message)
    fill = PatternFill("solid", fgColor="FFEB3B")
    for row in sorted(sheet.rejected, key=lambda r: r["row"]):
        ws.append([row["row"], *(row["values"].get(h, "") for h in headers),
                   "；".join(row["errors"])])
        for k, header in enumerate(headers, start=2):
            messages = problems.get((row["row"], header))
            if messages:
                cell = ws.cell(ws.max_row, k)
                cell.fill = fill
                cell.comment = Comment("；".join(messages), "团务数据看板")
    ws.freeze_panes = "B2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
