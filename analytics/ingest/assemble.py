"""Building a field from the columns real sheets split it into, before validation.

Sheets keep 年份 / 月份 / 日 in separate columns, write 6.30 under a 年份
column, give a span (2026.7.5-7.7) instead of a day, or export 开始时间 /
结束时间 instead of a duration. The kind declares which columns are parts
of which field (`schema.Part`); this module turns them into one column of
the field, so `validate` sees an ordinary table. Whatever is guessed is
said as a row warning.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np

from analytics import schema
from analytics.ingest.table import Column
from analytics.ingest.values import (
    BadValue, cell_text, clean_text, is_blank, parse_date, parse_year, span_start, squeeze,
)

WARNING = "warning"

# a day without its year: 6.30, 6月30日, 6/30, 06-30
_MONTH_DAY = re.compile(r"^(\d{1,2})(?:[./-]|月)(\d{1,2})[日号]?$")
_MONTH_ONLY = re.compile(r"^(?:(\d{4})(?:年|[-./]))?(\d{1,2})月?(?:份)?$")
_DAY_ONLY = re.compile(r"^(\d{1,2})[日号]?$")
_DATETIME = re.compile(r"^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})[日号]?[T\s]*(\d{1,2})[:：时](\d{2})"
                       r"(?:[:：分](\d{2}))?")


class Assembled:
    """The table after assembly: columns, data and headers extended, plus warnings."""

    def __init__(self, columns: dict[str, Column], data: list[np.ndarray],
                 headers: tuple[str, ...]) -> None:
        self.columns = dict(columns)
        self.data = list(data)
        self.headers = headers
        self.issues: list[tuple[int, str, str, str]] = []
        # cells as the user wrote them, where a field's column was rewritten (for messages)
        self.shown: dict[str, np.ndarray] = {}

    def add_column(self, name: str, header: str, cells: np.ndarray) -> None:
        self.columns[name] = Column(len(self.data), header)
        self.data.append(cells)
        self.headers = (*self.headers, "")


def assemble(kind: schema.Kind, columns: dict[str, Column], data: list[np.ndarray],
             headers: tuple[str, ...], n: int, upload: dict[str, object]) -> Assembled:
    """Build the kind's date and hours fields from their parts where needed."""
    out = Assembled(columns, data, headers)
    for f in kind.fields:
        if f.type is schema.FieldType.DATE:
            _assemble_date(kind, f, out, n, upload)
    if "hours.end" in out.columns and "hours" not in out.columns and "date" in out.columns:
        _hours_from_end(out, n)
    return out


def _part(out: Assembled, field: str, role: str) -> np.ndarray | None:
    col = out.columns.get(f"{field}.{role}")
    return out.data[col.index] if col is not None else None


def _year_of(cell: object) -> int | None:
    try:
        return parse_year(cell)
    except BadValue:
        return None


def _assemble_date(kind: schema.Kind, f: schema.Field, out: Assembled, n: int,
                   upload: dict[str, object]) -> None:
    years = _part(out, f.name, "year")
    months = _part(out, f.name, "month")
    days = _part(out, f.name, "day")
    col = out.columns.get(f.name)
    upload_month = upload.get("month")
    if col is not None:
        cells = out.data[col.index].copy()
        out.shown[f.name] = out.data[col.index]
        keep_in = dict(kind.spans).get(f.name)
        _split_spans(out, f, cells, kind.field(keep_in) if keep_in else None, n)
        if years is not None:
            _add_years(out, f, cells, years)
        if months is not None:        # a blank 活动日期 beside 年份 / 月份: the month counts
            for i in np.flatnonzero([is_blank(c) and not is_blank(m) for c, m in zip(cells, months)]):
                cells[i] = _from_parts(years[i] if years is not None else None, months[i],
                                       days[i] if days is not None else None, upload_month)
        out.data[col.index] = cells
        return
    if months is None and years is None and not upload_month:
        return
    cells = np.full(n, None, dtype=object)
    for i in range(n):
        cells[i] = _from_parts(years[i] if years is not None else None,
                               months[i] if months is not None else None,
                               days[i] if days is not None else None, upload_month)
    header = "/".join(out.columns[f"{f.name}.{r}"].header for r in ("year", "month", "day")
                      if f"{f.name}.{r}" in out.columns) or f.label
    out.add_column(f.name, header, cells)


def _from_parts(year: object, month: object, day: object, upload_month: object) -> object:
    """年份 + 月份 (+ 日) as one date text; a part that can't be read is passed on for its error."""
    y = _year_of(year) if not is_blank(year) else None
    m: int | None = None
    if not is_blank(month):
        text = squeeze(cell_text(month))
        hit = _MONTH_ONLY.match(text)
        if hit is None:
            return month     # 2026-07-05 in a 月份 column: a date of its own
        y = int(hit[1]) if hit[1] else y
        m = int(hit[2])
    if (y is None or m is None) and isinstance(upload_month, str):
        uy, um = (int(p) for p in upload_month.split("-"))
        y = y if y is not None else uy
        m = m if m is not None else um
    if y is None or m is None:
        return None if is_blank(month) and is_blank(year) else f"{cell_text(year)}年{cell_text(month)}"
    d = 1
    if not is_blank(day):
        hit = _DAY_ONLY.match(squeeze(cell_text(day)))
        if hit is None:
            return f"{y}年{m}月{cell_text(day)}"
        d = int(hit[1])
    return f"{y}年{m}月{d}日"


def _split_spans(out: Assembled, f: schema.Field, cells: np.ndarray,
                 keep_in: schema.Field | None, n: int) -> None:
    """A span counts on its first day; the span as written goes to the kind's text field
    for it (`Kind.spans`: 起止时间, unless the row fills that itself) and a row warning."""
    seen: dict[str, str | None] = {}
    spans: dict[int, str] = {}
    for i, cell in enumerate(cells):
        if cell.__class__ is not str:
            continue
        if cell not in seen:
            seen[cell] = span_start(cell)
        first = seen[cell]
        if first is not None:
            cells[i] = first
            try:
                day = parse_date(first).isoformat()
            except BadValue:
                continue
            spans[i] = clean_text(cell)
            kept = f"，时间段保存在“{keep_in.label}”中" if keep_in else ""
            out.issues.append((i, f.name, WARNING, f"为时间段“{spans[i]}”，按首日 {day} 计入{kept}"))
    if not keep_in or not spans:
        return
    col = out.columns.get(keep_in.name)
    if col is None:
        out.add_column(keep_in.name, keep_in.label, np.full(n, None, dtype=object))
        col = out.columns[keep_in.name]
    target = out.data[col.index].copy()
    for i, span in spans.items():
        if is_blank(target[i]):
            target[i] = span
    out.data[col.index] = target


def _add_years(out: Assembled, f: schema.Field, cells: np.ndarray, years: np.ndarray) -> None:
    """6.30 / 6月30日 under a 年份 column -> that year's day; 6.1 typed as a number is ambiguous."""
    for i, cell in enumerate(cells):
        if is_blank(cell) or isinstance(cell, (dt.date, bool)):
            continue
        year = _year_of(years[i])
        if year is None:
            continue
        if isinstance(cell, float) and 1 <= cell < 13 and not cell.is_integer():
            text = f"{cell:.2f}".rstrip("0")
            month, day = int(text.split(".")[0]), int(text.split(".")[1])
            if len(text.split(".")[1]) == 1 and _valid(year, month, day * 10):
                out.issues.append((i, f.name, WARNING, _ambiguous_day(text, month, day)))
            cells[i] = f"{year}年{month}月{day}日"
            continue
        if isinstance(cell, str):
            text = squeeze(cell)
            hit = _MONTH_DAY.match(text)
            if hit:
                month, day = int(hit[1]), int(hit[2])
                # 6.1 as text is what a CSV export (or a copy) makes of Excel's number 6.10
                if _DOTTED_SHORT.match(text) and _valid(year, month, day * 10):
                    out.issues.append((i, f.name, WARNING, _ambiguous_day(text, month, day)))
                cells[i] = f"{year}年{month}月{day}日"


_DOTTED_SHORT = re.compile(r"^\d{1,2}\.\d$")


def _ambiguous_day(text: str, month: int, day: int) -> str:
    """The warning for 6.1 under a 年份 column: 6月1日, or 6.10 that lost its 0."""
    return (f"日期“{text}”可能是 {month}月{day}日，也可能是 {month}月{day * 10}日"
            f"（Excel 把 {month}.{day}0 存成了 {text}），已按 {month}月{day}日 计入；"
            f"请将该列设为文本或写成 {month}月{day * 10}日 以免误读")


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def parse_datetime(cell: object) -> dt.datetime | None:
    """A date-time cell (Excel date-time or text such as `2026-07-05 09:00:00`); None if unreadable."""
    if isinstance(cell, dt.datetime):
        return cell
    if isinstance(cell, str):
        m = _DATETIME.match(clean_text(cell))
        if m:
            try:
                return dt.datetime(*(int(g) for g in m.groups(default="0")))
            except ValueError:
                return None
    return None


def _hours_from_end(out: Assembled, n: int) -> None:
    """服务时长 from 开始时间 and 结束时间 when the sheet has no duration column."""
    starts = out.data[out.columns["date"].index]
    ends = out.data[out.columns["hours.end"].index]
    hours = np.full(n, None, dtype=object)
    for i in range(n):
        start, end = parse_datetime(starts[i]), parse_datetime(ends[i])
        if start is None or end is None:
            continue     # left blank: the row is rejected as 服务时长 不能为空
        hours[i] = round((end - start).total_seconds() / 3600, 4)
    out.add_column("hours", "服务时长（由开始、结束时间算出）", hours)
