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
from analytics.ingest.results import FileCheck, SheetCheck

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

    from analytics.ingest.table import data_columns, empty_cells, note_rows, total_rows
    from analytics.ingest.validate import validate_columns

    kind = schema.KINDS[layout.kind]
    data = data_columns(sheet, layout)
    n = len(data[0]) if data else 0
    excel_rows = np.arange(n, dtype=np.int64) + sheet.first_row + layout.first_data_index
    label_columns = {0, 1, 2} | {c.index for name, c in layout.columns.items()
                                 if kind.field(name).type in LABEL_TYPES}
    filled = np.zeros(n, dtype=np.int64)
    for col in layout.columns.values():
        filled += ~empty_cells(data[col.index])
    skip = (filled == 0) | total_rows(data, sorted(label_columns))
    skip |= note_rows(data, np.flatnonzero((filled <= 3) & ~skip))
    keep = ~skip
    data = [col[keep] for col in data]
    result = validate_columns(kind.name, layout.columns, data, excel_rows[keep], layout.headers,
                              upload=upload, today=today)
    return SheetCheck(
        sheet=sheet.name, kind=kind.name, header_row=layout.header_row, frame=result.frame,
        errors=result.errors, warnings=result.warnings, rejected=result.rejected,
        totals=totals(result.frame, kind.name), scopes=scopes(result.frame, kind.name))


def totals(frame: pd.DataFrame, kind_name: str) -> dict[str, int | float]:
    """Sum of every numeric canonical field over accepted rows (ints stay ints)."""
    kind = schema.KINDS[kind_name]
    out: dict[str, int | float] = {}
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
