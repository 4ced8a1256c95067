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


def month_label(key: str) -> str:
    """A month key in Chinese: "2026-10" → "2026年10月"."""
    year, month = split_month_key(key)
    return period_label(year, (month, month))


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


# --- per-district cut-offs ----------------------------------------------------------

CUTOFF = "cutoff"
_BASIS_TEXT[CUTOFF] = "管理员设定的统计截止月"


@dataclass(frozen=True)
class CutOffs:
    """The as-of day of each district and of the whole area, by one rule.

    A district reads at its *own* last reported month (`as_of` with that
    district's latest month), so one district's early upload never moves the
    others. The whole area reads at the **common cut-off**: the earliest of
    the districts' last reported months — the month every district has
    reached. A 统计截止月 set by an admin (or a day given on the command
    line) applies to every district and the area alike.
    """

    area: AsOf
    districts: tuple[tuple[str, AsOf], ...] = ()

    def of(self, district: str) -> AsOf:
        """The as-of of one district (the area's for a district without data)."""
        return dict(self.districts).get(district, self.area)

    @property
    def days(self) -> dict[str, date]:
        """district → its as-of day."""
        return {name: a.day for name, a in self.districts}

    @property
    def reported_text(self) -> str:
        """Plain words for who has reported how far: "青山区已报至11月，其余区县至10月".

        Empty when every district reads at the same day (nothing to explain).
        """
        if len({a.day for _, a in self.districts}) <= 1:
            return ""
        by_month: dict[tuple[int, int], list[str]] = {}
        for name, a in self.districts:
            by_month.setdefault((a.day.year, a.day.month), []).append(name)
        common = max(by_month, key=lambda k: (len(by_month[k]), k == (self.area.day.year,
                                                                     self.area.day.month)))
        parts = [f"{'、'.join(names)}已报至{_month_words(key, self.area.day.year)}"
                 for key, names in sorted(by_month.items(), reverse=True) if key != common]
        parts.append(f"其余区县至{_month_words(common, self.area.day.year)}")
        return "，".join(parts)

    @property
    def text(self) -> str:
        """The area's as-of text, then who reported how far when districts differ."""
        extra = self.reported_text
        if not extra:
            return self.area.text
        return f"{self.area.text}；{extra}，全区合计按共同截止日统计"


def _month_words(key: tuple[int, int], year: int) -> str:
    y, m = key
    return f"{m}月" if y == year else f"{y}年{m}月"


def cut_offs(year: int, months: MonthRange = WHOLE_YEAR, *, today: date,
             latest_by_district: dict[str, str] | None = None, given: date | None = None,
             cutoff_month: int | None = None) -> CutOffs:
    """Each district's and the whole area's as-of by the rule of `CutOffs` (pure).

    `latest_by_district`: district → its newest month key with data in
    `year` (districts without data left out). `cutoff_month` is an admin's
    统计截止月 of `year` (a day `given` wins over it).

    >>> c = cut_offs(2026, today=date(2026, 12, 2),
    ...              latest_by_district={"青山区": "2026-11", "东湖区": "2026-10"})
    >>> c.area.day, c.of("青山区").day
    (datetime.date(2026, 10, 31), datetime.date(2026, 11, 30))
    >>> c.reported_text
    '青山区已报至11月，其余区县至10月'
    """
    latest = {d: m for d, m in (latest_by_district or {}).items()
              if m and m.startswith(f"{year:04d}-")}
    if given is None and cutoff_month is not None:
        fixed = as_of(year, months, today=today, given=month_end(year, int(cutoff_month)))
        fixed = AsOf(min(fixed.day, month_end(year, months[1])), CUTOFF)
        return CutOffs(fixed, tuple((d, fixed) for d in sorted(latest)))
    if given is not None:
        fixed = as_of(year, months, today=today, given=given)
        return CutOffs(fixed, tuple((d, fixed) for d in sorted(latest)))
    own = tuple((d, as_of(year, months, today=today, latest_month=m))
                for d, m in sorted(latest.items()))
    area = as_of(year, months, today=today, latest_month=min(latest.values()) if latest else None)
    return CutOffs(area, own)
