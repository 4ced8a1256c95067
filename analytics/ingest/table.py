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
from analytics.ingest.values import (
    blank_positions, cell_text, header_scale, is_blank, normalize_header, squeeze,
)

HEADER_SEARCH_ROWS = 30
HEADER_DEPTH = 4          # title, group (开展情况), sub-group (参与情况), leaves
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
    columns: dict[str, Column]      # canonical field (or part, "date.year") -> column
    headers: tuple[str, ...]        # the user's header text of every column (blank ones "")
    # the wide form: (group label, its columns) per repeated column set; the label is the
    # value of the kind's `repeat_field` (2026年第33期 over 参学人数 | 参学率)
    blocks: tuple[tuple[str, dict[str, Column]], ...] = ()


@cache
def _synonym_table(kind: str) -> dict[str, str]:
    """Normalised header text -> field (or part) name, for one kind (fields first, first wins)."""
    table: dict[str, str] = {}
    for f in schema.KINDS[kind].fields:
        for text in f.headers:
            table.setdefault(normalize_header(text), f.name)
    for part in schema.KINDS[kind].parts:
        for text in part.headers:
            table.setdefault(normalize_header(text), part.name)
    return table


# one header cell's readings, best first: the leaf, group+leaf (志愿服务 / 时长), the group of a 合计 leaf
Candidates = tuple[str, ...]


def _candidates(cell: str | Candidates) -> Candidates:
    return (cell,) if isinstance(cell, str) else cell


def _matches(headers: list, kind: str) -> list[tuple[str, int, str]]:
    """(field, column, header text) for every column that names a field of `kind`."""
    table = _synonym_table(kind)
    out = []
    for index, cell in enumerate(headers[:MAX_HEADER_COLUMNS]):
        for text in _candidates(cell):
            name = table.get(normalize_header(text))
            if name:
                out.append((name, index, text))
                break
    return out


def match_columns(headers: list, kind: str) -> dict[str, Column]:
    """Which column holds which field of `kind`; unknown headers (序号, 备注) are ignored."""
    found: dict[str, Column] = {}
    for name, index, text in _matches(headers, kind):
        if name not in found:
            found[name] = Column(index, text, header_scale(text))
    return found


def _covered(kind: schema.Kind, found: dict[str, Column]) -> bool:
    """Every signature field has its column, or a part that builds it (年份/月份 for 日期)."""
    parts = {p.field for p in kind.parts if p.name in found}
    return all(name in found or name in parts for name in kind.signature)


def _blocks(kind: schema.Kind, headers: list, groups: list[str]
            ) -> tuple[tuple[str, dict[str, Column]], ...]:
    """The repeated column sets of a wide sheet, one per group label, or () when none repeat."""
    if kind.repeat_field is None:
        return ()
    by_group: dict[str, dict[str, Column]] = {}
    counts: dict[str, int] = {}
    for name, index, text in _matches(headers, kind.name):
        counts[name] = counts.get(name, 0) + 1
        group = groups[index] if index < len(groups) else ""
        if group:
            by_group.setdefault(group, {}).setdefault(name, Column(index, f"{group}/{text}",
                                                                   header_scale(text)))
    if not any(c > 1 for c in counts.values()) or len(by_group) < 2:
        return ()
    return tuple(by_group.items())


def detect_kind(headers: list) -> tuple[str, dict[str, Column]] | None:
    """The kind whose signature fields all appear with the most fields matched, or None."""
    best: tuple[tuple[int, float], str, dict[str, Column]] | None = None
    for kind in schema.KINDS.values():
        found = match_columns(headers, kind.name)
        if not _covered(kind, found):
            continue
        score = (len(found), len(found) / len(kind.fields))
        if best is None or score > best[0]:
            best = (score, kind.name, found)
    return (best[1], best[2]) if best else None


def _row_texts(row: list) -> list[str]:
    return [cell_text(c) for c in row[:MAX_HEADER_COLUMNS]]


def _header_texts(sheet: RawSheet) -> list[list[str]]:
    """The rows where a header may be, as text, a merged group cell spread over its columns."""
    texts = [_row_texts(row) for row in sheet.head(HEADER_SEARCH_ROWS + 1)]
    for r1, c1, r2, c2 in sheet.merges:
        if r1 >= len(texts) or c2 <= c1:
            continue
        value = texts[r1][c1] if c1 < len(texts[r1]) else ""
        for r in range(r1, min(r2, len(texts) - 1) + 1):
            row = texts[r]
            for c in range(c1, min(c2, len(row) - 1) + 1):
                row[c] = value
    return texts


_TOTAL_LEAVES = frozenset(normalize_header(t) for t in schema.TOTAL_LEAVES)


def compose_header(rows: list[list[str]]) -> tuple[list[Candidates], list[str], list[str]]:
    """Header rows (top to bottom) as one: per column its readings, display text and group.

    The leaf (lowest filled cell) names the column; a 合计 leaf stands for
    its group (受益人数 over 成人 | 儿童 | 合计), never a part does; a leaf
    that is no field may be one with its group (志愿服务 over 时长).
    """
    width = max((len(r) for r in rows), default=0)
    readings: list[Candidates] = []
    display: list[str] = []
    groups: list[str] = []
    for j in range(width):
        levels: list[str] = []
        for row in rows:
            text = row[j] if j < len(row) else ""
            if text and (not levels or levels[-1] != text):
                levels.append(text)
        if not levels:
            readings.append(("",))
            display.append("")
            groups.append("")
            continue
        leaf = levels[-1]
        group = levels[-2] if len(levels) > 1 else ""
        if group and normalize_header(leaf) in _TOTAL_LEAVES:
            readings.append((group,))
            display.append(group)
            groups.append(levels[-3] if len(levels) > 2 else "")
        else:
            readings.append((leaf, group + leaf) if group else (leaf,))
            display.append(leaf)
            groups.append(group)
    return readings, display, groups


def find_table(sheet: RawSheet) -> Layout | None:
    """Locate the header (one to four rows) and the kind; None when the sheet holds no table."""
    texts = _header_texts(sheet)
    raw = sheet.head(HEADER_SEARCH_ROWS + 1)
    best: tuple[tuple, int, int] | None = None      # (score, first, last)
    for last in range(min(len(texts), HEADER_SEARCH_ROWS)):
        for depth in range(1, HEADER_DEPTH + 1):
            first = last - depth + 1
            if first < 0:
                break
            layout = _layout(sheet, texts, first, last)
            if layout is None:
                continue
            score = (len(layout.columns), -last, bool(layout.blocks), -depth)
            if best is None or score > best[0]:
                best = (score, first, last)
    if best is None:
        return None
    _score, first, last = best
    layout = _layout(sheet, texts, first, last)
    # a leaf row under a group whose own text already names a field (参与情况 over 男 | 女 | 合计)
    # adds no column; it is header still while it holds only words
    while last + 1 < len(texts) and last + 1 - first < HEADER_DEPTH and _words_only(raw[last + 1]):
        longer = _layout(sheet, texts, first, last + 1)
        if longer is None or longer.kind != layout.kind or len(longer.columns) < len(layout.columns):
            break
        layout, last = longer, last + 1
    return layout


_NUMERIC_TEXT = re.compile(r"^[+-]?[\d.,/:%\s年月日-]+$")


def _words_only(row: list) -> bool:
    """A row with some text and no number, date or number-like text: a header row, not data."""
    filled = False
    for cell in row[:MAX_HEADER_COLUMNS]:
        if is_blank(cell):
            continue
        if not isinstance(cell, str) or _NUMERIC_TEXT.match(cell.strip()):
            return False
        filled = True
    return filled


def _layout(sheet: RawSheet, texts: list[list[str]], first: int, last: int) -> Layout | None:
    readings, display, groups = compose_header(texts[first:last + 1])
    hit = detect_kind(readings)
    if hit is None:
        return None
    kind, columns = hit
    blocks = _blocks(schema.KINDS[kind], readings, groups)
    headers = list(display)
    for col in columns.values():
        headers[col.index] = col.header
    return Layout(kind, sheet.first_row + last, last + 1, columns, tuple(headers), blocks)


_TOTAL_WORDS = "|".join(sorted(TOTAL_LABELS, key=len, reverse=True))
# 合计, 小计：, 一中小计, 东城区合计, 合计（10个单位）: the word ends the label, a short prefix may lead
_TOTAL = re.compile(rf"^.{{0,20}}?(?:{_TOTAL_WORDS})(?:[(（][^()（）]*[)）])?[:：]?$")


def is_total_label(cell: object) -> bool:
    """True for a 合计/小计/总计 label, spaced or full-width, with or without a unit name before it."""
    return isinstance(cell, str) and "计" in cell and bool(_TOTAL.match(squeeze(cell)))


def empty_cells(cells: np.ndarray) -> np.ndarray:
    """Mask of empty cells, as `values.is_blank` reads one (each distinct cell looked at once)."""
    codes, uniques = pd.factorize(cells)
    blank = blank_positions(uniques)
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
            totals = [k for k, cell in enumerate(uniques)
                      if cell.__class__ is str and "计" in cell and is_total_label(cell)]
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
