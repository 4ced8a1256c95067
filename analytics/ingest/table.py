"""Finding the table in a raw sheet: header row(s), the columns, the kind.

Real sheets have title rows, a 填报单位 line, the header on row 2, 3 or
lower, two-row headers under merged group cells (开展情况 over 场次 |
参与人次), a 序号 column, 合计 rows, blank rows and a 注： line. This module
finds where the header is, which column holds which canonical field, and
which rows below it are data.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from analytics import schema
from analytics.ingest.parse import RawSheet
from analytics.ingest.values import cell_text, header_scale, is_blank, normalize_header, squeeze

HEADER_SEARCH_ROWS = 30
MAX_HEADER_COLUMNS = 200
TOTAL_LABELS = ("合计", "小计", "总计", "共计", "累计", "总合计", "全区合计")
# a platform export's closing line: 共计1234条记录, 共 56 人, 合计：12条
FOOTER_PATTERN = r"^\s*(?:共计|合计|总计|共)\s*[:：]?\s*[\d,，]+\s*(?:条|人|行|名)"
NOTE_PATTERN = r"^\s*(?:注|备注|说明|填表说明|填报说明|填报人|填表人|审核人|制表人|联系人|负责人|联系电话)\s*[:：]"


@dataclass(frozen=True)
class Column:
    """Where a canonical field sits: its column index and the user's header text."""

    index: int
    header: str
    scale: int = 1       # from a 万 in the header's unit: `经费（万元）` holds 1.5 for 15,000


@dataclass(frozen=True)
class Layout:
    """A table found in a sheet."""

    kind: str
    header_row: int                 # Excel row of the last header row
    first_data_index: int           # index into `RawSheet.rows` of the first row below the header
    columns: dict[str, Column]      # canonical field -> column
    headers: tuple[str, ...]        # the user's header text of every column (blank ones "")


@cache
def _synonym_table(kind: str) -> dict[str, str]:
    """Normalised header text -> field name, for one kind (first field wins)."""
    table: dict[str, str] = {}
    for f in schema.KINDS[kind].fields:
        for text in f.headers:
            table.setdefault(normalize_header(text), f.name)
    return table


def match_columns(headers: list[str], kind: str) -> dict[str, Column]:
    """Which column holds which field of `kind`; unknown headers (序号, 备注) are ignored."""
    table = _synonym_table(kind)
    found: dict[str, Column] = {}
    for index, text in enumerate(headers[:MAX_HEADER_COLUMNS]):
        name = table.get(normalize_header(text))
        if name and name not in found:
            found[name] = Column(index, text, header_scale(text))
    return found


def detect_kind(headers: list[str]) -> tuple[str, dict[str, Column]] | None:
    """The kind whose signature fields all appear with the most fields matched, or None."""
    best: tuple[tuple[int, float], str, dict[str, Column]] | None = None
    for kind in schema.KINDS.values():
        found = match_columns(headers, kind.name)
        if not all(name in found for name in kind.signature):
            continue
        score = (len(found), len(found) / len(kind.fields))
        if best is None or score > best[0]:
            best = (score, kind.name, found)
    return (best[1], best[2]) if best else None


def _row_texts(row: list) -> list[str]:
    return [cell_text(c) for c in row[:MAX_HEADER_COLUMNS]]


def _merge_header_rows(upper: list[str], lower: list[str]) -> list[str]:
    """Two header rows as one: the lower cell where there is one, else the upper (merged) cell."""
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    return [low or up for up, low in zip(upper, lower)]


def find_table(sheet: RawSheet) -> Layout | None:
    """Locate the header (one or two rows) and the kind; None when the sheet holds no table."""
    texts = [_row_texts(row) for row in sheet.head(HEADER_SEARCH_ROWS + 1)]
    best: tuple[tuple[int, float], Layout] | None = None
    for i in range(min(len(texts), HEADER_SEARCH_ROWS)):
        candidates = [(i, texts[i])]
        if i + 1 < len(texts):
            candidates.append((i + 1, _merge_header_rows(texts[i], texts[i + 1])))
        for last, headers in candidates:
            hit = detect_kind(headers)
            if hit is None:
                continue
            kind, columns = hit
            score = (len(columns), -last)
            if best is None or score > best[0]:
                layout = Layout(kind, sheet.first_row + last, last + 1, columns, tuple(headers))
                best = (score, layout)
    return best[1] if best else None


_TOTAL_WORDS = "|".join(sorted(TOTAL_LABELS, key=len, reverse=True))
# 合计, 小计：, 一中小计, 东城区合计, 合计（10个单位）: the word ends the label, a short prefix may lead
_TOTAL = re.compile(rf"^.{{0,20}}?(?:{_TOTAL_WORDS})(?:[(（][^()（）]*[)）])?[:：]?$")


def is_total_label(cell: object) -> bool:
    """True for a 合计/小计/总计 label, spaced or full-width, with or without a unit name before it."""
    return isinstance(cell, str) and "计" in cell and bool(_TOTAL.match(squeeze(cell)))


def empty_cells(cells: np.ndarray) -> np.ndarray:
    """Mask of empty cells, as `values.is_blank` reads one (each distinct cell looked at once)."""
    codes, uniques = pd.factorize(cells)
    blank = [k for k, cell in enumerate(uniques) if is_blank(cell)]
    empty = codes == -1
    if blank:
        empty |= np.isin(codes, blank)
    return empty


def total_rows(columns: list[np.ndarray], check: list[int]) -> np.ndarray:
    """Mask of 合计/小计/总计 rows: such a label in one of the `check` columns."""
    n = len(columns[0]) if columns else 0
    mask = np.zeros(n, dtype=bool)
    for index in check:
        if index < len(columns):
            codes, uniques = pd.factorize(columns[index])
            totals = [k for k, cell in enumerate(uniques) if is_total_label(cell)]
            if totals:
                mask |= np.isin(codes, totals)
    return mask


_NOTE = re.compile(NOTE_PATTERN)
_FOOTER = re.compile(FOOTER_PATTERN)


def note_rows(columns: list[np.ndarray], candidates: np.ndarray) -> np.ndarray:
    """Mask of 注：/填报人： lines and 共计1234条记录 footers among `candidates` (rows with
    few filled fields).

    A note often runs on below its first line ("注：" then "1. …", "2. …"):
    after a note line, a row whose only filled cell is text belongs to the
    note too. No kind has a valid row of one cell, so no data is lost.
    """
    n = len(columns[0]) if columns else 0
    mask = np.zeros(n, dtype=bool)
    in_note = False
    for i in candidates:
        first = next((col[i] for col in columns if not is_blank(col[i])), None)
        if not isinstance(first, str):
            continue
        if _NOTE.match(first):
            mask[i] = in_note = True
        elif _FOOTER.match(first):
            mask[i] = True
        elif in_note and sum(not is_blank(col[i]) for col in columns) == 1:
            mask[i] = True
    return mask


def data_columns(sheet: RawSheet, layout: Layout) -> list[np.ndarray]:
    """The sheet's cells below the header, one object array per column."""
    start = layout.first_data_index
    out = []
    for col in sheet.columns:
        array = np.empty(max(len(col) - start, 0), dtype=object)
        array[:] = col[start:]
        out.append(array)
    return out
