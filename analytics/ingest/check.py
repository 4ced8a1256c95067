"""`check_file`: read a spreadsheet, find its tables, validate every row. Stores nothing.

The one entry point the CLI `check`, the upload page and the storage layer
use. Reading is guarded (`reader`), finding tables is `table`, validating
is `validate`; this module ties them together into `results`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from analytics import schema
from analytics.errors import BadOption, NoTable
from analytics.ingest.sniff import Limits
from analytics.ingest.parse import RawSheet
from analytics.ingest.reader import read_bytes, start_reading
from analytics.schema import FieldType
from analytics.ingest.results import FileCheck, RowIssue, SheetCheck

if TYPE_CHECKING:
    import pandas as pd

    from analytics.ingest.table import Layout


# fields whose cells are labels: a total row is recognised by them
LABEL_TYPES = (FieldType.TEXT, FieldType.CATEGORY)


def check_file(source: str | Path | bytes, *, filename: str | None = None,
               district: str | None = None, month: str | None = None,
               today: dt.date | None = None, limits: Limits = Limits(),
               isolate: bool = True, owner: str | None = None) -> FileCheck:
    """Read and validate every sheet of a file; store nothing.

    `district` / `month` fill those fields where a sheet lacks the column
    or leaves cells blank. Dates after the end of `today`'s month are
    rejected. Raises `UnreadableFile` for unreadable or hostile files and
    `NoTable` when no sheet holds a recognisable table.

    >>> result = check_file("3月活动.xlsx", district="东城区")   # doctest: +SKIP
    >>> result.exit_code, result.sheets[0].rows_accepted        # doctest: +SKIP
    (1, 6)
    """
    data = read_bytes(source, limits)
    if filename is None:
        filename = str(source) if not isinstance(source, (bytes, bytearray, memoryview)) else "upload"
    finish_reading = start_reading(data, filename=Path(filename).name, limits=limits, isolate=isolate,
                                   owner=owner)     # `owner`: whose share of the parsing workers
    upload = _upload_values(district, month)      # imports pandas while the child parses
    sheets = finish_reading()
    checks = [check_sheet(sheet, upload=upload, today=today) for sheet in sheets]
    if not any(c.kind for c in checks):
        raise NoTable(_no_table_message())
    return FileCheck(filename, hashlib.sha256(data).hexdigest(), checks, upload=upload)


def _upload_values(district: str | None, month: str | None) -> dict[str, object]:
    from analytics.ingest.values import BadValue, parse_month

    upload: dict[str, object] = {}
    if district and district.strip():
        upload["district"] = district.strip()
    if month:
        try:
            upload["month"] = parse_month(month)
        except BadValue:
            raise BadOption(f"月份“{month}”无法识别，请写成 2026-03 的格式") from None
    return upload


def _no_table_message() -> str:
    needs = "；".join(
        f"{k.label}须含“{'”“'.join(k.field(n).label for n in k.signature)}”"
        for k in schema.KINDS.values())
    return f"文件中没有找到可识别的表格。请确认表头写法：{needs}（可下载模板对照）"


def check_sheet(sheet: RawSheet, *, upload: dict[str, object] | None = None,
                today: dt.date | None = None) -> SheetCheck:
    """Find the table in one raw sheet and validate its rows."""
    import pandas as pd

    from analytics.ingest.table import find_table

    layout = find_table(sheet)
    if layout is None:
        return SheetCheck(sheet.name, None, None, pd.DataFrame())
    return _check_layout(sheet, layout, upload or {}, today)


def _check_layout(sheet: RawSheet, layout: Layout, upload: dict[str, object],
                  today: dt.date | None) -> SheetCheck:
    import numpy as np

    from analytics.ingest.assemble import assemble
    from analytics.ingest.table import data_columns, empty_cells, note_rows, total_rows
    from analytics.ingest.validate import validate_columns
    from analytics.ingest.table import is_total_label
    from analytics.ingest.values import cell_text

    kind = schema.KINDS[layout.kind]
    data = data_columns(sheet, layout)
    n = len(data[0]) if data else 0
    excel_rows = np.arange(n, dtype=np.int64) + sheet.first_row + layout.first_data_index
    label_columns = {0, 1, 2} | {c.index for name, c in layout.columns.items()
                                 if name in kind.field_names and kind.field(name).type in LABEL_TYPES}
    filled = np.zeros(n, dtype=np.int64)
    for col in _all_columns(layout):
        filled += ~empty_cells(data[col.index])
    labels = sorted(i for i in label_columns if i < len(data))
    totals_mask = total_rows(data, labels) & (filled > 0)
    skipped = [RowIssue(int(excel_rows[i]), "", label, f"合计行“{label}”，已跳过（不计入）")
               for i in np.flatnonzero(totals_mask)
               for label in [next(cell_text(data[k][i]) for k in labels
                                  if is_total_label(data[k][i]))]]
    skip = (filled == 0) | totals_mask
    skip |= note_rows(data, np.flatnonzero((filled <= 3) & ~skip))
    own_row, own_totals = _sheet_total(kind, layout, data, totals_mask, labels)
    keep = ~skip
    data = [col[keep] for col in data]
    rows = excel_rows[keep]
    columns, headers = layout.columns, layout.headers
    if layout.blocks:
        columns, data, rows, headers = _stack_blocks(kind, layout, data, rows, upload)
    built = assemble(kind, columns, data, headers, len(rows), upload)
    result = validate_columns(kind.name, built.columns, built.data, rows, built.headers,
                              upload=upload, today=today, issues=built.issues,
                              shown=built.shown)
    summed = totals(result.frame, kind.name)
    warnings = list(result.warnings)
    if own_row is not None and not result.rejected:
        warnings += _total_mismatches(kind, layout, int(excel_rows[own_row]), own_totals, summed)
    return SheetCheck(
        sheet=sheet.name, kind=kind.name, header_row=layout.header_row, frame=result.frame,
        errors=result.errors, warnings=warnings, rejected=result.rejected,
        totals=summed, scopes=scopes(result.frame, kind.name), skipped=skipped,
        total_rows=[int(r) for r in excel_rows[totals_mask]], sheet_totals=own_totals)


def _sheet_total(kind, layout: Layout, data, mask, label_columns: list[int]):
    """The sheet's own 合计 line (the last total line that is not a 小计): its index and
    its numbers by field; (None, {}) without one."""
    import numpy as np

    from analytics.ingest.values import BadValue, cell_text, parse_number

    chosen = None
    for i in np.flatnonzero(mask):
        words = "".join(cell_text(data[c][i]) for c in label_columns if c < len(data))
        if "小计" not in words:
            chosen = int(i)
    if chosen is None:
        return None, {}
    found = {}
    for name, col in layout.columns.items():
        if name not in kind.numeric_fields or col.index >= len(data):
            continue
        try:
            value = parse_number(data[col.index][chosen])
        except BadValue:
            continue
        if value is not None:
            found[name] = value * col.scale
    return chosen, found


def _total_mismatches(kind, layout: Layout, row: int, own: dict, summed: dict) -> list[RowIssue]:
    """A warning per field where the sheet's 合计 line differs from the sum of its rows."""
    out = []
    for name, value in own.items():
        total = summed.get(name)
        if total is None or abs(float(total) - value) <= 0.005 + 1e-9 * abs(value):
            continue
        header = layout.columns[name].header
        out.append(RowIssue(row, header, _plain(value),
                            f"合计行为 {_plain(value)}，明细行之和为 {_plain(total)}，两者不一致；"
                            "已按明细行导入，请核对合计行或明细"))
    return out


def _plain(value) -> str:
    value = float(value)
    return f"{int(value):,}" if value.is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def _all_columns(layout: Layout) -> list:
    """Every column the layout reads: fields, parts and the repeated column sets."""
    cols = {c.index: c for c in layout.columns.values()}
    for _label, block in layout.blocks:
        cols.update({c.index: c for c in block.values()})
    return list(cols.values())


def _stack_blocks(kind: schema.Kind, layout: Layout, data: list, rows, upload: dict[str, object]):
    """The wide form made long: one row per sheet row per block (期), the block's label in
    the kind's `repeat_field`; rows stay in sheet order, blocks in column order.

    Without a column of its own, the kind's month comes from each block's
    label (`values.period_month`: 2026年8月第2期, or the 期次 calendar), else
    from the upload; a 期 neither dates is a row error saying to give the month.
    """
    import numpy as np

    from analytics.ingest.table import Column

    repeated = {name for _label, block in layout.blocks for name in block}
    shared = {name: col for name, col in layout.columns.items() if name not in repeated}
    shared.pop(kind.repeat_field, None)
    names = [*shared, *sorted(repeated), kind.repeat_field]
    scope = kind.scope_field
    dated = scope in kind.field_names and scope not in shared and scope not in repeated
    if dated:
        names.append(scope)
    n = len(rows)
    out_cols: list[np.ndarray] = []
    headers: list[str] = []
    columns: dict[str, Column] = {}
    for k, name in enumerate(names):
        src = shared.get(name)
        parts = []
        for label, block in layout.blocks:
            if name == kind.repeat_field:
                part = np.empty(n, dtype=object)
                part[:] = label
            elif dated and name == scope:
                part = np.empty(n, dtype=object)
                part[:] = _block_month(kind, label, upload)
            else:
                col = src or block.get(name)
                part = data[col.index] if col is not None else np.full(n, None, dtype=object)
            parts.append(part)
        out_cols.append(np.concatenate(parts))
        header = src.header if src else kind.field(name).label
        columns[name] = Column(k, header, src.scale if src else 1)
        headers.append(header)
    stacked_rows = np.concatenate([rows] * len(layout.blocks))
    order = np.argsort(stacked_rows, kind="stable")
    return columns, [c[order] for c in out_cols], stacked_rows[order], tuple(headers)


def _block_month(kind: schema.Kind, label: str, upload: dict[str, object]) -> object:
    """The month of one 期 block: from its label, else None for the upload's month to fill,
    else a cell that rejects its rows with what to do."""
    from analytics.ingest.values import CellProblem, period_month

    month = period_month(label)
    if month is not None or upload.get(kind.scope_field):
        return month
    return CellProblem(label, f"无法从期次“{label}”确定月份：请在上传时指定月份（如 2026-08），"
                              "或在期次表头中写明年月（如“2026年8月第33期”）")


def totals(frame: pd.DataFrame, kind_name: str) -> dict[str, int | float]:
    """Sum of every numeric canonical field over accepted rows (ints stay ints), or the
    kind's declared totals (`Kind.totals`: distinct persons, roster rows)."""
    kind = schema.KINDS[kind_name]
    out: dict[str, int | float] = {}
    for total in kind.totals:
        if total.how == "rows":
            out[total.name] = int(len(frame))
        else:       # "distinct"
            out[total.name] = int(len(frame[list(total.columns)].drop_duplicates())) \
                if len(frame) else 0
    if kind.totals:
        return out
    for name in kind.numeric_fields:
        total = frame[name].sum() if len(frame) else 0
        if kind.field(name).type is FieldType.INT:
            out[name] = int(total)
        else:
            out[name] = round(float(total), 4)
    return out


def scopes(frame: pd.DataFrame, kind_name: str) -> list[tuple[str, str]]:
    """Sorted distinct (district, period) of accepted rows: month, or year for targets."""
    if frame.empty:
        return []
    scope = schema.KINDS[kind_name].scope_field
    periods = frame[scope].astype(str)
    pairs = set(zip(frame["district"].astype(str), periods))
    return sorted(pairs)


def check_frame_rows(kind: str, header: list[str], rows: list[list], *,
                     district: str | None = None, month: str | None = None,
                     today: dt.date | None = None, first_row: int = 2,
                     sheet: str = "Sheet1") -> SheetCheck:
    """Validate rows already in memory against `kind` (header on row `first_row - 1`).

    For callers that hold rows rather than a file (tests, the sample data,
    the targets editor).
    """
    from analytics.ingest.table import Layout, match_columns
    from analytics.ingest.values import cell_text

    if kind not in schema.KINDS:
        raise KeyError(kind)
    texts = [cell_text(h) for h in header]
    layout = Layout(kind, first_row - 1, 1, match_columns(texts, kind), tuple(texts))
    raw = RawSheet.from_rows(sheet, [list(header), *[list(r) for r in rows]], first_row - 1)
    return _check_layout(raw, layout, _upload_values(district, month), today)
