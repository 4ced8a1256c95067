"""Chinese number formatting for cards, tables, charts and drafted text.

Counts: below 10,000 with thousands separators (`8,234`); from 10,000 in
万 with two decimals (`55.12万`); from 10⁸ in 亿. Rates: percent with two
decimals (`97.46%`). Missing values: `—`. A change that rounds to zero at
the digits shown is **持平**, never signed ("-0.00个百分点" would read as a fall).
"""
from __future__ import annotations

import math
import re

from analytics import schema

MISSING = "—"
FLAT = "持平"
WAN = 10_000
YI = 100_000_000


def _missing(value) -> bool:
    """None, NaN, pd.NA, or anything that isn't a number."""
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def fmt_count(value, unit: str = "") -> str:
    """`fmt_count(551234)` → "55.12万"; `fmt_count(8234, "人")` → "8,234人"."""
    if _missing(value):
        return MISSING
    v = float(value)
    if abs(v) >= YI:
        text = f"{v / YI:.2f}亿"
    elif abs(v) >= WAN:
        text = f"{v / WAN:.2f}万"
    elif v == int(v):
        text = f"{int(v):,}"
    else:
        text = f"{v:,.1f}"
    return text + unit


def fmt_number(value) -> str:
    """A plain number for tables of figures (command line): "29,025", "812.5"; no 万."""
    if _missing(value):
        return MISSING
    v = float(value)
    return f"{int(v):,}" if v == int(v) else f"{v:,.1f}"


def is_flat(change, digits: int = 2) -> bool:
    """Whether a change (a fraction: 0.012 = 1.2 %) shows as zero in percent with
    `digits` decimals — then it is 持平, whatever its sign. Missing → False."""
    if _missing(change):
        return False
    return round(abs(float(change)) * 100, digits) == 0


def direction(change, digits: int = 2) -> int:
    """+1 up, -1 down, 0 持平 (or missing) at the digits shown: arrows and colours follow it."""
    if _missing(change) or is_flat(change, digits):
        return 0
    return 1 if float(change) > 0 else -1


def fmt_relative(value, digits: int = 2) -> str:
    """A relative change with its sign: 0.123 → "+12.30%"; -0.00001 → "持平"."""
    if _missing(value):
        return MISSING
    if is_flat(value, digits):
        return FLAT
    return f"{float(value) * 100:+.{digits}f}%"


def fmt_rate(value, digits: int = 2) -> str:
    """`fmt_rate(0.97456)` → "97.46%" (value is a fraction)."""
    if _missing(value):
        return MISSING
    return f"{float(value) * 100:.{digits}f}%"


def fmt_hours(value) -> str:
    """Service hours: `fmt_hours(812.5)` → "812.5小时", `fmt_hours(123456)` → "12.35万小时"."""
    if _missing(value):
        return MISSING
    return fmt_count(round(float(value), 1), "小时")


def fmt_pp(value, digits: int = 2) -> str:
    """A difference of rates in percentage points: 0.012 → "+1.20个百分点"; 持平 when it rounds to 0."""
    if _missing(value):
        return MISSING
    if is_flat(value, digits):
        return FLAT
    return f"{float(value) * 100:+.{digits}f}个百分点"


def fmt_change(absolute, relative=None, *, rate: bool = False, unit: str = "") -> str:
    """A change with its sign: "+1,234人次（+12.30%）"; rates: "+1.20个百分点".

    No previous value (absolute None) → "—".
    """
    if _missing(absolute):
        return MISSING
    if rate:
        return fmt_pp(absolute)
    if float(absolute) == 0:
        return FLAT
    sign = "+" if float(absolute) > 0 else "-"
    text = sign + fmt_count(abs(float(absolute)), unit)
    if not _missing(relative):
        text += f"（{fmt_relative(relative)}）"
    return text


def fmt_value(indicator: str, value) -> str:
    """An indicator's value with its unit from schema.INDICATORS: "97.46%", "55.12万人次"."""
    ind = schema.INDICATOR_BY_NAME[indicator]
    if ind.is_rate:
        return fmt_rate(value)
    if indicator == "volunteer_hours":
        return fmt_hours(value)
    return fmt_count(value, ind.unit)


def fmt_rank(rank) -> str:
    """"第1名", or "—" without a rank."""
    return MISSING if _missing(rank) else f"第{int(rank)}名"


# --- user text in markup ----------------------------------------------------------------

# characters that start markup anywhere in a line: emphasis, links, code, HTML, math,
# strikethrough, tables, Streamlit's :directives[...] / :emoji: and URL schemes
MARKDOWN_SPECIALS = frozenset("\\`*[]<>~$|:")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])", re.MULTILINE)   # headings, quotes, lists
_WWW = re.compile(r"(?i)\bwww\.")                                    # GFM autolinks www.x.y


def md_text(value) -> str:
    """User text (a file, unit or district name, a cell) safe inside Streamlit markdown.

    Markdown-active characters are backslash-escaped, so
    ``[请点此重新登录](https:evil.example)`` shows as typed, not as a link, and
    ``:red[…]``, ``$…$``, ``**`` or ``<b>`` do nothing; dates and numbers
    (``2026-03``, ``1.5``) read as they are.

    >>> md_text("[登录](https:x.cn)")
    '\\\\[登录\\\\](https\\\\:x.cn)'
    """
    value = str(value)
    text = "".join("\\" + ch if ch in MARKDOWN_SPECIALS or (ch == "_" and not _inside_word(value, i))
                   else ch for i, ch in enumerate(value))
    text = _WWW.sub(lambda m: m.group(0)[:3] + "\\.", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _inside_word(text: str, i: int) -> bool:
    """An underscore between two letters or digits (青山区_2026) can't start emphasis."""
    return 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


def plot_text(value):
    """User text safe inside a plotly label, hover text or title: plotly renders ``<a href>``,
    ``<span style>`` in any label, so ``<`` and ``>`` become entities (``<br>`` excepted).

    Idempotent (an entity holds neither), so a label escaped twice still reads right.
    Non-text values are returned as they are.
    """
    if not isinstance(value, str):
        return value
    # a line break is the one tag let through: harmless, and how long labels wrap
    return value.replace("<", "&lt;").replace(">", "&gt;").replace("&lt;br&gt;", "<br>")


# what a spreadsheet reads as the start of a formula: exports quote-prefix such text
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value):
    """A CSV cell that a spreadsheet will not run: text starting with ``= + - @`` (or tab, CR)
    gets the quote prefix, as the Excel export does. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table_csv(frame) -> bytes:
    """A displayed table as a CSV download: UTF-8 with BOM (Excel and WPS then read the
    Chinese right), no index, every text cell through `csv_text`."""
    return frame.map(csv_text).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


# --- measure words of the drafted 工作总结 -------------------------------------

# what a count of each thing is counted in, as the seed summaries write it
MEASURE_WORDS: dict[str, str] = {
    "sessions": "场次", "participants": "人次", "people": "名", "reached": "人",
    "collective": "个", "teams": "支", "articles": "篇", "issues": "期", "measures": "项",
    "hours": "小时", "money": "元", "reads": "人次", "beneficiaries": "名",
}
# counts below this are written exactly (27场, 54名, 514人次); larger ones get 余/超/近/万
EXACT_BELOW = 1000


def measure(what: str) -> str:
    """The measure word of a kind of count: measure("teams") → "支"."""
    return MEASURE_WORDS[what]
