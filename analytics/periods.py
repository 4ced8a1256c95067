"""Months, month ranges, period labels and the as-of rule — one definition each, pure.

Month keys are "YYYY-MM" text everywhere (frames, the database, batch
periods). The **as-of rule**, used alike by the pages, the command line and
the exports: the as-of day is the day given (`--as-of`); otherwise the last
day of the month range, but never after today and never after the last month
that has data in that year — a month nobody has reported yet would otherwise
count as zeros in 同比 and 序时进度. `AsOf.basis` says which of these applied,
so every output can state it.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from analytics.errors import InvalidPeriod

MonthRange = tuple[int, int]
WHOLE_YEAR: MonthRange = (1, 12)

_MONTH_KEY = re.compile(r"^(\d{4})-(\d{2})$")


def month_key(year: int, month: int) -> str:
    """2026, 3 → "2026-03"."""
    return f"{year:04d}-{month:02d}"


def split_month_key(key: str) -> tuple[int, int]:
    """"2026-03" → (2026, 3)."""
    match = _MONTH_KEY.match(key)
    if not match:
        raise ValueError(f"not a month key: {key!r}")
    return int(match.group(1)), int(match.group(2))


def months_of(year: int, months: MonthRange | None = None) -> list[str]:
    """Month keys of `year` for the inclusive month range (all 12 by default)."""
    first, last = months or WHOLE_YEAR
    return [month_key(year, m) for m in range(first, last + 1)]


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def previous_month(year: int, month: int) -> tuple[int, int]:
    """The (year, month) before: (2026, 1) → (2025, 12)."""
    return (year - 1, 12) if month == 1 else (year, month - 1)


def check_month_range(months: MonthRange) -> MonthRange:
    """The range as ints, or `InvalidPeriod` (Chinese) when it is not 1 ≤ first ≤ last ≤ 12."""
    first, last = (int(m) for m in months)
    if not (1 <= first <= last <= 12):
        raise InvalidPeriod(f"月份范围 {first}-{last} 无效：应为 1 到 12 之间，且起始月不大于结束月，如 1-10。")
    return first, last


def period_label(year: int, months: MonthRange = WHOLE_YEAR) -> str:
    """"2026年" (the whole year), "2026年3月" or "2026年1—10月"."""
    first, last = months
    if (first, last) == WHOLE_YEAR:
        return f"{year}年"
    if first == last:
        return f"{year}年{first}月"
    return f"{year}年{first}—{last}月"


def parse_day(text: str | None) -> date | None:
    """A day typed by a user (`--as-of 2026-06-30`), or None for no text."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidPeriod(f"截止日“{text}”格式不对，应为 YYYY-MM-DD，如 2026-06-30") from None


# --- the as-of rule --------------------------------------------------------------

GIVEN, LATEST_MONTH, TODAY, RANGE_END = "given", "latest_month", "today", "range_end"
_BASIS_TEXT = {
    GIVEN: "指定的统计截止日",
    LATEST_MONTH: "已上报数据的最后一个月",
    TODAY: "今天",
    RANGE_END: "所选月份的最后一天",
}


@dataclass(frozen=True)
class AsOf:
    """The as-of day of a selection and why it is that day."""

    day: date
    basis: str          # GIVEN | LATEST_MONTH | TODAY | RANGE_END

    @property
    def text(self) -> str:
        """"数据截至 2026年10月31日（已上报数据的最后一个月）"."""
        return f"数据截至 {self.day.year}年{self.day.month}月{self.day.day}日（{_BASIS_TEXT[self.basis]}）"


def as_of(year: int, months: MonthRange = WHOLE_YEAR, *, today: date,
          latest_month: str | None = None, given: date | None = None) -> AsOf:
    """The as-of day by the rule in the module docstring.

    `latest_month` is the newest month key with data (any district) in
    `year`; a range that ends before it, or a past year, reads at the range's
    last day.

    >>> as_of(2026, today=date(2026, 11, 24), latest_month="2026-10").day
    datetime.date(2026, 10, 31)
    >>> as_of(2025, today=date(2026, 3, 5)).basis
    'range_end'
    """
    if given is not None:
        return AsOf(given, GIVEN)
    end = month_end(year, months[1])
    day, basis = (end, RANGE_END) if end <= today else (today, TODAY)
    if latest_month and latest_month.startswith(f"{year:04d}-"):
        _, month = split_month_key(latest_month)
        if month >= months[0] and month_end(year, month) < day:
            day, basis = month_end(year, month), LATEST_MONTH
    return AsOf(day, basis)
