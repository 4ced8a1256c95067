"""`check_file`: read a spreadsheet, find its tables, validate every row. Stores nothing.

The one entry point the CLI `check`, the upload page and the storage layer
use. Reading is guarded (see `guard`), finding tables is `table`,
validating is `validate`; this module ties them together and shapes the
result the `check` contract in DESIGN.md describes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analytics import schema
from analytics.errors import BadOption, NoTable
from analytics.guard import Limits
from analytics.reader import RawSheet, read_bytes, start_reading
from analytics.schema import FieldType

if TYPE_CHECKING:
    import pandas as pd

    from analytics.table import Layout

# pandas and the modules that use it (table, validate, values) are imported
# inside the functions below, after the parsing child has started: a cold
# `check` then pays the ~0.5 s pandas import while the child parses.

__all__ = ["RowIssue", "SheetCheck", "FileCheck", "check_file", "check_sheet", "check_frame_rows"]


@dataclass
class RowIssue:
    """One failure or warning, as a tidy row: what the upload page and the CLI show."""

    row: int          # Excel row number the user sees (1-based)
    column: str       # the user's own header text ("" if the whole row)
    value: str        # the offending cell as text ("" if none)
    message: str      # Chinese, says how to fix

    def to_json(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}

_LABEL_TYPES = (FieldType.TEXT, FieldType.CATEGORY)


@dataclass
class SheetCheck:
    """What one sheet holds and what is wrong with it."""

    sheet: str
    kind: str | None                     # None: no table in this sheet (e.g. 填表说明)
    header_row: int | None               # Excel row of the last header row
    frame: pd.DataFrame                  # accepted rows, canonical columns
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    scopes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rows_accepted(self) -> int:
        return len(self.frame)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    def to_json(self) -> dict:
        """The sheet object of the `check --json` contract."""
        return {
            "sheet": self.sheet,
            "kind": self.kind,
            "header_row": self.header_row,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "errors": [issue.to_json() for issue in self.errors],
            "warnings": [issue.to_json() for issue in self.warnings],
            "totals": self.totals,
        }


@dataclass
class FileCheck:
    """Every sheet of one file, checked."""

    file: str
    sha256: str
    sheets: list[SheetCheck]

    def to_json(self) -> dict:
        return {"file": self.file, "sheets": [s.to_json() for s in self.sheets]}

    @property
    def exit_code(self) -> int:
        """0 when every row of every table was accepted, 1 when any row was rejected."""
        return 1 if any(s.rows_rejected for s in self.sheets) else 0

    @property
    def tables(self) -> list[SheetCheck]:
        """The sheets that hold a table."""
        return [s for s in self.sheets if s.kind is not None]


def check_file(source: str | Path | bytes, *, filename: str | None = None,
               district: str | None = None, month: str | None = None,
               today: dt.date | None = None, limits: Limits = Limits(),
               isolate: bool = True) -> FileCheck:
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
    finish_reading = start_reading(data, filename=Path(filename).name, limits=limits, isolate=isolate)
    upload = _upload_values(district, month)      # imports pandas while the child parses
    sheets = finish_reading()
    checks = [check_sheet(sheet, upload=upload, today=today) for sheet in sheets]
    if not any(c.kind for c in checks):
        raise NoTable(_no_table_message())
    return FileCheck(filename, hashlib.sha256(data).hexdigest(), checks)


def _upload_values(district: str | None, month: str | None) -> dict[str, object]:
    from analytics.values import BadValue, parse_month

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

    from analytics.table import find_table

    layout = find_table(sheet)
    if layout is None:
        return SheetCheck(sheet.name, None, None, pd.DataFrame())
    return _check_layout(sheet, layout, upload or {}, today)


def _check_layout(sheet: RawSheet, layout: Layout, upload: dict[str, object],
                  today: dt.date | None) -> SheetCheck:
    import numpy as np

    from analytics.table import data_columns, empty_cells, note_rows, total_rows
    from analytics.validate import validate_columns

    kind = schema.KINDS[layout.kind]
    data = data_columns(sheet, layout)
    n = len(data[0]) if data else 0
    excel_rows = np.arange(n, dtype=np.int64) + sheet.first_row + layout.first_data_index
    label_columns = {0, 1, 2} | {c.index for name, c in layout.columns.items()
                                 if kind.field(name).type in _LABEL_TYPES}
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
    from analytics.table import Layout, match_columns
    from analytics.values import cell_text

    if kind not in schema.KINDS:
        raise KeyError(kind)
    texts = [cell_text(h) for h in header]
    layout = Layout(kind, first_row - 1, 1, match_columns(texts, kind), tuple(texts))
    raw = RawSheet.from_rows(sheet, [list(header), *[list(r) for r in rows]], first_row - 1)
    return _check_layout(raw, layout, _upload_values(district, month), today)
