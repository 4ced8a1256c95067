"""Cell parsers: what a person typed into a cell -> a clean value.

One parser per `schema.FieldType`. Each takes one raw cell (whatever
python-calamine or the CSV reader returned: str, float, int, bool, date,
datetime) and returns the value, `None` for a blank cell, or raises
`BadValue` with a Chinese message that says how to fix the cell.
`parse_column` applies a parser to a whole column, parsing each distinct
cell once, so a 100,000-row sheet costs a few thousand parser calls.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np
import pandas as pd
from pandas._libs import lib

from analytics import schema
from analytics.ingest.parse import FORMULA_WITHOUT_VALUE
from analytics.schema import FieldType

EXCEL_EPOCH = dt.date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1990, 2100

_SPACES = re.compile(r"\s+")
_BRACKET_UNIT = re.compile(r"[(（\[【][^()（）\[\]【】]*[)）\]】]$")
_NUMBER = re.compile(
    r"^(?P<sign>[+-]?)(?P<num>\d+(?:\.\d*)?|\.\d+)(?P<wan>万|亿)?(?P<pct>%)?"
    r"(?P<unit>[^\d.%+-]{0,6})$"
)
_CN_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?$")
_SEP_DATE = re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[T ]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SPACE_AROUND_SEP = re.compile(r"\s*([-./年月日号])\s*")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_CN_MONTH = re.compile(r"^(\d{4})年(\d{1,2})月(?:份)?$")
_SEP_MONTH = re.compile(r"^(\d{4})[-./](\d{1,2})$")
_COMPACT_MONTH = re.compile(r"^(\d{4})(\d{2})$")
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?年?(?:度)?$")
_UNITS_OK = re.compile(r"^[\u4e00-\u9fffA-Za-z]*$")
_MULTIPLIER = {None: 1, "万": 10_000, "亿": 100_000_000}


class BadValue(ValueError):
    """A cell that can't be read as its field's type; `str()` is the Chinese fix."""


def clean_text(value: object) -> str:
    """Unicode-normalise (full width -> half width) and trim a cell's text."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def squeeze(value: object) -> str:
    """`clean_text` without any whitespace inside either: `"1 200 "` -> `"1200"`."""
    return _SPACES.sub("", clean_text(value))


@cache
def normalize_header(text: object) -> str:
    """Header text as matched against synonyms.

    Drops all whitespace, folds full/half width (NFKC) and case, drops a
    `*` required marker before or after the name and a trailing unit in
    brackets: `" 服务时长（小时）"` -> `"服务时长"`, `"参学率(%)"` -> `"参学率"`,
    `"日期*"` -> `"日期"`.
    """
    if text is None:
        return ""
    s = squeeze(text).strip("*").rstrip(":：").strip("*").lower()
    stripped = _BRACKET_UNIT.sub("", s)
    return stripped or s


_WAN_UNIT = re.compile(r"[(（\[【]\s*[万亿]")


def header_scale(text: object) -> int:
    """The multiplier a header's bracketed unit carries: `经费（万元）` -> 10000, `参与人次` -> 1.

    The unit is dropped for matching, so its 万 must be applied to the values.
    """
    m = _WAN_UNIT.search(squeeze(text)) if text is not None else None
    if not m or _BRACKET_UNIT.search(squeeze(text)) is None:
        return 1
    return _MULTIPLIER[m[0][-1]]


def cell_text(value: object) -> str:
    """A cell as the user would read it, for messages: `3.0` -> `"3"`."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# what staff type into a cell to say "nothing here": read as a blank cell, so an
# optional 志愿者人数 of "/" is empty rather than an error (a required one still is)
NO_VALUE_MARKS = frozenset({"/", "-", "--", "—", "——", "―", "无", "暂无"})


def is_blank(value: object) -> bool:
    """True for a cell with nothing in it (None, NaN, spaces only, or a mark such as `/`)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        text = value.strip()
        # every mark is 1–2 characters: longer text skips the normalisation (hot path)
        return not text or (len(text) <= 2 and unicodedata.normalize("NFKC", text) in NO_VALUE_MARKS)
    return False


def blank_positions(cells: Sequence[object]) -> list[int]:
    """Positions of the blank cells (`is_blank`) among distinct cells; the usual text of
    three or more characters, not padded, is passed over without the full test."""
    return [k for k, cell in enumerate(cells)
            if not (cell.__class__ is str and len(cell) > 2 and not cell[0].isspace()
                    and not cell[-1].isspace()) and is_blank(cell)]


# --- numbers -----------------------------------------------------------------

def parse_number(value: object) -> float | None:
    """`1,200`, `３５`, `450人次`, `12小时`, `55万`, `1.2万人次`, `97.46%` -> float."""
    if is_blank(value):
        return None
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.time, dt.timedelta)):
        raise BadValue("须为数字")
    if isinstance(value, (int, float)):
        return float(value)
    s = squeeze(value).replace(",", "").replace("，", "")
    m = _NUMBER.match(s)
    if not m or not _UNITS_OK.match(m["unit"]):
        raise BadValue("须为数字（可带单位，如 450、1,200、1.2万）")
    number = float(m["num"]) * _MULTIPLIER[m["wan"]]
    if m["pct"]:
        number = round(number / 100, 10)
    return -number if m["sign"] == "-" else number


def parse_int(value: object) -> int | None:
    """An integer count; `3.5` is an error, `3.0` and `1.2万` (12000) are fine."""
    number = parse_number(value)
    if number is None:
        return None
    if not math.isfinite(number) or abs(number - round(number)) > 1e-9:
        raise BadValue("须为整数")
    return int(round(number))


def parse_rate(value: object) -> float | None:
    """`97.46%`, `97.46` and `0.9746` all -> 0.9746 (a value above 1 is a percent)."""
    if is_blank(value):
        return None
    if isinstance(value, str) and "%" in unicodedata.normalize("NFKC", value):
        return parse_number(value)
    number = parse_number(value)
    return round(number / 100, 10) if number is not None and number > 1 else number


# --- dates -------------------------------------------------------------------

def _make_date(year: int, month: int, day: int) -> dt.date:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise BadValue("不是有效日期（请检查月、日）") from None
    return _plausible(date)


def _plausible(day: dt.date) -> dt.date:
    """A day in the years the dashboard covers; `0026-03-05` or a stray `3` (1900-01-02) is a typo."""
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise BadValue(f"年份 {day.year} 不合理，请检查日期（如 2026-03-05）")
    return day


def parse_date(value: object) -> dt.date | None:
    """Excel dates and serials, `2026.3.5`, `2026/03/05`, `2026年3月5日`, `20260305`."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return _plausible(value.date())
    if isinstance(value, dt.date):
        return _plausible(value)
    if isinstance(value, bool):
        raise BadValue("须为日期")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer() and 0 < value < 100_000:
            return _plausible(EXCEL_EPOCH + dt.timedelta(days=int(value)))
        number = int(value)
        if 19_000_101 <= number <= 21_001_231:
            return parse_date(str(number))
        if 1 <= number <= 80_000:
            return _plausible(EXCEL_EPOCH + dt.timedelta(days=number))
        raise BadValue("须为日期，如 2026-03-05")
    s = _SPACE_AROUND_SEP.sub(r"\1", clean_text(value))
    for pattern in (_SEP_DATE, _CN_DATE, _COMPACT_DATE):
        m = pattern.match(s)
        if m:
            return _make_date(int(m[1]), int(m[2]), int(m[3]))
    raise BadValue("须为日期，如 2026-03-05、2026.3.5 或 2026年3月5日")


def parse_month(value: object) -> str | None:
    """A month as `"YYYY-MM"`: `2026-03`, `2026年3月`, `2026.3`, or any date."""
    if is_blank(value):
        return None
    if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
        if isinstance(value, (int, float)) and 199_001 <= value <= 210_012 and float(value).is_integer():
            return parse_month(str(int(value)))
        if isinstance(value, (int, float)) and MIN_YEAR <= value <= MAX_YEAR:
            return parse_month(f"{value:g}")  # 2026.3 typed as a number
        day = parse_date(value)
        return f"{day.year:04d}-{day.month:02d}"
    s = squeeze(value)
    for pattern in (_SEP_MONTH, _CN_MONTH, _COMPACT_MONTH):
        m = pattern.match(s)
        if m:
            year, month = int(m[1]), int(m[2])
            if not 1 <= month <= 12:
                raise BadValue("月份须在 1 到 12 之间")
            return f"{year:04d}-{month:02d}"
    try:
        day = parse_date(s)
    except BadValue:
        raise BadValue("须为月份，如 2026-03 或 2026年3月") from None
    return f"{day.year:04d}-{day.month:02d}"


def parse_year(value: object) -> int | None:
    """`2026`, `2026.0`, `"2026年"`, `"2026年度"` -> 2026."""
    if is_blank(value):
        return None
    if isinstance(value, (dt.date,)):
        return value.year
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and MIN_YEAR <= value <= MAX_YEAR:
            return int(value)
        raise BadValue("须为四位年份，如 2026")
    m = _YEAR.match(squeeze(value))
    if m and MIN_YEAR <= int(m[1]) <= MAX_YEAR:
        return int(m[1])
    raise BadValue("须为四位年份，如 2026")


# --- text, categories, indicators ---------------------------------------------

def parse_text(value: object) -> str | None:
    """Trimmed text; a number keeps its written form (`10001.0` -> `"10001"`)."""
    if is_blank(value):
        return None
    if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
        return cell_text(value)
    return _SPACES.sub(" ", str(value)).strip()


@cache
def _category_lookup() -> tuple[dict[str, schema.Category], list[tuple[str, schema.Category]]]:
    exact: dict[str, schema.Category] = {}
    partial: list[tuple[str, schema.Category]] = []
    for cat in schema.categories():
        for name in (cat.name, *cat.aliases):
            key = normalize_header(name)
            exact.setdefault(key, cat)
            partial.append((key, cat))
    partial.sort(key=lambda pair: -len(pair[0]))  # longest alias wins
    return exact, partial


def match_category(label: object) -> schema.Category | None:
    """The category a label names (by name, alias, or an alias inside it); None if unknown."""
    key = normalize_header(label)
    if not key:
        return None
    exact, partial = _category_lookup()
    if key in exact:
        return exact[key]
    for alias, cat in partial:
        if alias and alias in key and cat.name != schema.OTHER_CATEGORY:
            return cat
    return None


def parse_category(value: object) -> str | None:
    """A category label -> canonical category name; unknown labels -> 其他 (a warning elsewhere)."""
    if is_blank(value):
        return None
    cat = match_category(value)
    return cat.name if cat else schema.OTHER_CATEGORY


@cache
def _indicator_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for ind in schema.TARGET_INDICATORS:
        for name in (ind.name, ind.label, *ind.synonyms):
            table.setdefault(normalize_header(name), ind.name)
    return table


def parse_indicator(value: object) -> str | None:
    """`study_rate`, `参学率`, `参学比例` -> `"study_rate"`."""
    if is_blank(value):
        return None
    name = _indicator_lookup().get(normalize_header(value))
    if name is None:
        labels = "、".join(i.label for i in schema.TARGET_INDICATORS)
        raise BadValue(f"不是已知指标，请填写：{labels}")
    return name


_DURATION = re.compile(
    r"^(?:(?P<h>\d+(?:\.\d+)?)\s*(?:小时|个小时|时|h|hr|hrs|hour|hours))?"
    r"\s*(?:(?P<m>\d+(?:\.\d+)?)\s*(?:分钟|分|min|mins|minutes|m))?$", re.I)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_hours(value: object) -> float | None:
    """Hours as volunteer systems write them: `2小时30分` 2.5, `90分钟` 1.5, `1.5h`, `1:30`, `3`."""
    if is_blank(value) or not isinstance(value, str):
        return parse_number(value)
    s = squeeze(value)
    m = _DURATION.match(s)
    if m and (m["h"] or m["m"]):
        return round(float(m["h"] or 0) + float(m["m"] or 0) / 60, 4)
    m = _CLOCK.match(s)
    if m and int(m[2]) < 60:
        return round(int(m[1]) + int(m[2]) / 60, 4)
    try:
        return parse_number(value)
    except BadValue:
        raise BadValue("须为小时数，如 2、2.5、2小时30分、90分钟") from None


# a year and month inside a 期 label: 2026年8月第2期, 2026.8.10, 2026-08（第33期）; not 2026.12期
_LABEL_MONTH = re.compile(r"(\d{4})\s*(?:年\s*(\d{1,2})\s*月|[./-](\d{1,2})(?![\d期]))")
PERIOD_CALENDAR = "study_periods"     # analytics/data/study_periods.csv: name, aliases, month


def period_month(label: object) -> str | None:
    """The month ("YYYY-MM") a 期 label stands for: its own year and month, else the 期次
    calendar (`PERIOD_CALENDAR`, editable); None when neither says."""
    text = squeeze(label) if label is not None else ""
    for m in _LABEL_MONTH.finditer(text):
        year, month = int(m[1]), int(m[2] or m[3])
        if 1 <= month <= 12 and MIN_YEAR <= year <= MAX_YEAR:
            return f"{year:04d}-{month:02d}"
    entry = schema.match_choice(PERIOD_CALENDAR, text) if text else None
    if entry is not None:
        try:
            return parse_month(entry.get("month"))
        except BadValue:
            return None
    return None


# parsers for a field's declared `unit` (they replace the type's parser)
UNIT_PARSERS: dict[str, Callable[[object], object]] = {"小时": parse_hours}

# a time span: 2026.7.5-7.7, 2026年7月10日至12日, 2026/7/15—2026/7/16, 2026-07-20~07-21
_SPAN_SEPARATOR = re.compile(r"\s*(?:至|到|—+|–|~|～|-{1,2})\s*")
_SPAN_END = re.compile(r"^[\d年月日号./:\s-]+$")


def span_start(value: object) -> str | None:
    """The first day's text of a span such as `2026.7.5-7.7`; None when `value` is no span."""
    if not isinstance(value, str) or len(value) > 60:
        return None
    text = clean_text(value)
    for m in _SPAN_SEPARATOR.finditer(text):
        left, right = text[:m.start()], text[m.end():]
        if not right or not _SPAN_END.match(right) or not left:
            continue
        try:
            parse_date(left)
        except BadValue:
            continue
        return left
    return None


PARSERS: dict[FieldType, Callable[[object], object]] = {
    FieldType.TEXT: parse_text,
    FieldType.INT: parse_int,
    FieldType.NUMBER: parse_number,
    FieldType.DATE: parse_date,
    FieldType.MONTH: parse_month,
    FieldType.YEAR: parse_year,
    FieldType.RATE: parse_rate,
    FieldType.CATEGORY: parse_category,
    FieldType.INDICATOR: parse_indicator,
}


_TYPED = {FieldType.INT: "float64", FieldType.NUMBER: "float64", FieldType.RATE: "float64",
          FieldType.YEAR: "float64", FieldType.DATE: "datetime64[D]"}


def parse_column(cells: Sequence[object], kind: FieldType,
                 parser: Callable[[object], object] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Parse a whole column: (values, messages), one of each per cell.

    `values` is float64 (NaN = none) for numbers, datetime64[D] (NaT) for
    dates and an object array (None) otherwise; `messages[i]` is None where
    the cell parsed and the Chinese fix where it didn't. Each distinct cell
    is parsed once (most columns repeat: dates, hours, categories), which
    keeps big sheets fast.
    """
    codes, uniques = _factorize(np.asarray(cells, dtype=object) if not isinstance(cells, np.ndarray)
                                else cells.astype(object, copy=False))
    parser = parser or PARSERS[kind]
    parsed: list[object] = []
    messages: list[str | None] = []
    for cell in uniques:
        value, message = _parse_one(parser, cell)
        parsed.append(value)
        messages.append(message)
    parsed.append(None)      # code -1: a blank cell
    messages.append(None)
    typed = np.array(parsed, dtype=_TYPED.get(kind, object))
    if typed.dtype == object and typed.ndim != 1:   # e.g. every value is a tuple-like
        typed = _object_array(parsed)
    return typed[codes], _object_array(messages)[codes]


def _object_array(items: list) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


_NO_BOOLS = frozenset({"string", "floating", "integer", "mixed-integer-float", "date", "datetime",
                       "datetime64", "empty", "bytes", "time", "timedelta", "decimal"})


def _factorize(cells: np.ndarray) -> tuple[np.ndarray, list]:
    """Codes and distinct cells; blanks (None, NaN, "") get code -1.

    pandas hashes in C, but counts True, 1 and 1.0 as one value; a column
    holding booleans takes the careful path that keeps them apart.
    """
    inferred = lib.infer_dtype(cells, skipna=True)
    if inferred not in _NO_BOOLS and any(c.__class__ is bool for c in cells):
        seen: dict[tuple[type, object], int] = {}
        uniques: list[object] = []
        codes = np.empty(len(cells), dtype=np.intp)
        for i, cell in enumerate(cells):
            key = (cell.__class__, cell)
            code = seen.get(key)
            if code is None:
                code = seen[key] = len(uniques)
                uniques.append(cell)
            codes[i] = code
    else:
        codes, found = pd.factorize(cells)
        uniques = list(found)
    blank = blank_positions(uniques)
    if blank:
        codes = codes.copy()
        codes[np.isin(codes, blank)] = -1
    return codes, uniques


FORMULA_MESSAGE = "是公式但文件中没有计算结果，请在 Excel 中打开并保存后再上传"


class CellProblem(str):
    """A cell the reader had to fill and could not (the month of a 期 no header dates):
    shown as its text, rejected with its `message`."""

    message: str

    def __new__(cls, text: str, message: str) -> CellProblem:
        cell = super().__new__(cls, text)
        cell.message = message
        return cell


def _parse_one(parser: Callable[[object], object], cell: object) -> tuple[object, str | None]:
    if cell.__class__ is str and cell == FORMULA_WITHOUT_VALUE:
        return None, FORMULA_MESSAGE
    if cell.__class__ is CellProblem:
        return None, cell.message
    try:
        return parser(cell), None
    except BadValue as exc:
        return None, str(exc)
    except (TypeError, ValueError, OverflowError):
        return None, "无法识别该值"
