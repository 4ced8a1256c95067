"""How a table fits its container: column widths and which columns read right-aligned.

Streamlit's data grid sizes columns to their content, so a wide table runs
past the right edge and hides columns behind a scroll bar inside it. The
page gives each column the width its content needs and, when the total is
more than the room there is (`TABLE_BUDGET_PX`, the main column at 1440 px
with the sidebar open), narrows the widest columns first down to a common
cap: short key columns (区县, 状态, 数字) keep their full width, long text
(文件名, SHA-256, 说明) is cut with an ellipsis. Numbers formatted with units
("93.33%", "1,200人次", "第1名", "96.64%（第1）") are right-aligned like numbers.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

import pandas as pd

from analytics.present.fmt import MISSING

TABLE_BUDGET_PX = 920         # the main column is 980 px at 1440 px; border and scroll bar
MIN_COLUMN_PX = 56
SCROLLBAR_PX = 16             # a table that scrolls inside a fixed height
ROW_MARKER_PX = 40            # the boxes that pick a row, in a table rows are picked from
MAX_COLUMN_PX = 420
CELL_PADDING_PX = 26          # both sides of a cell, and the header's menu icon
WIDE_CHAR_PX = 14.5           # a Chinese character at the grid's 14 px font
NARROW_CHAR_PX = 8.0
SAMPLE_ROWS = 300
LONG_TABLE_ROWS = 15          # longer tables scroll inside a fixed height, header kept
ROW_PX = 35                   # the grid's row (and header) height
AUTO_HEIGHT_ROWS = 10         # Streamlit's own height shows this many rows, then scrolls
LONG_TABLE_HEIGHT_PX = (LONG_TABLE_ROWS + 1) * ROW_PX + 2

# a number, maybe with thousands separators and a unit after it, and its rank in
# brackets ("96.64%（第1）", as 区县对比 shows it); or a rank alone ("第1名")
_NUMBER_TEXT = re.compile(r"^[-+]?\d[\d,]*(\.\d+)?\s*(%|[\u4e00-\u9fff（）()]{0,6})(（第\d+名?）)?$"
                          r"|^第\d+名?$")


def text_width(text: str) -> float:
    """Roughly how wide `text` is in the grid, in pixels."""
    return sum(WIDE_CHAR_PX if unicodedata.east_asian_width(ch) in "WF" else NARROW_CHAR_PX
               for ch in text)


def _shown(value) -> str:
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return MISSING
    return str(value)


EDIT_ICON_PX = 24             # the pencil an editable column's header shows before its name


def natural_widths(frame: pd.DataFrame, headers: Mapping[str, str] | None = None,
                   editable: Iterable[str] = ()) -> dict[str, int]:
    """Each column's width for its header (`headers`: the label shown, where it is not
    the column's name; an `editable` column's header also shows a pencil) and (the
    first `SAMPLE_ROWS` of) its values."""
    sample = frame.head(SAMPLE_ROWS)
    headers = headers or {}
    editable = set(editable)
    widths = {}
    for column in frame.columns:
        values = sample[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime("%Y-%m-%d %H:%M:%S")
        header = text_width(headers.get(str(column), str(column))) + (
            EDIT_ICON_PX if str(column) in editable else 0)
        need = max([header] + [text_width(_shown(v)) for v in values]) + CELL_PADDING_PX
        widths[str(column)] = int(min(max(need, MIN_COLUMN_PX), MAX_COLUMN_PX))
    return widths


def fitted_widths(frame: pd.DataFrame, budget: int = TABLE_BUDGET_PX, *,
                  headers: Mapping[str, str] | None = None,
                  editable: Iterable[str] = ()) -> dict[str, int]:
    """Column widths that add up to at most `budget` when they can: the widest columns
    are narrowed to one cap, the others keep what they need (see `natural_widths`)."""
    widths = natural_widths(frame, headers, editable)
    if sum(widths.values()) <= budget:
        return widths
    low, high = MIN_COLUMN_PX, max(widths.values())
    while high - low > 1:                       # the largest cap that still fits
        cap = (low + high) // 2
        if sum(min(w, cap) for w in widths.values()) <= budget:
            low = cap
        else:
            high = cap
    return {c: min(w, low) for c, w in widths.items()}


def right_aligned(frame: pd.DataFrame) -> list[str]:
    """Columns holding numbers, as numbers or as text with a unit ("82.86%", "5场")."""
    columns = []
    for column in frame.columns:
        values = frame[column].dropna()
        if pd.api.types.is_bool_dtype(frame[column]):
            continue
        if pd.api.types.is_numeric_dtype(frame[column]):
            columns.append(str(column))
            continue
        texts = [str(v).strip() for v in values.head(SAMPLE_ROWS) if str(v).strip() not in ("", MISSING)]
        if texts and sum(bool(_NUMBER_TEXT.match(t)) for t in texts) >= 0.8 * len(texts):
            columns.append(str(column))
    return columns


def table_height(rows: int) -> int | None:
    """The table's height: None (Streamlit's own) up to the rows that shows whole; every
    row shown up to `LONG_TABLE_ROWS` (Streamlit would scroll from the 11th on); a fixed
    height for a longer table (it scrolls inside, the header stays)."""
    if rows <= AUTO_HEIGHT_ROWS:
        return None
    return (min(rows, LONG_TABLE_ROWS) + 1) * ROW_PX + 2
