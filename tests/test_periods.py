"""analytics.periods: month keys, ranges, labels and the one as-of rule."""
from __future__ import annotations

from datetime import date

import pytest

from analytics import periods
from analytics.errors import InvalidPeriod


@pytest.mark.parametrize(("months", "label"), [
    ((1, 12), "2026年"), ((1, 10), "2026年1—10月"), ((3, 3), "2026年3月"),
])
def test_period_label(months, label):
    assert periods.period_label(2026, months) == label


def test_month_keys():
    assert periods.months_of(2026, (9, 11)) == ["2026-09", "2026-10", "2026-11"]
    assert len(periods.months_of(2026)) == 12
    assert periods.month_key(2026, 3) == "2026-03"
    assert periods.split_month_key("2026-03") == (2026, 3)
    assert periods.month_end(2024, 2) == date(2024, 2, 29)


@pytest.mark.parametrize("year, month, expected", [(2026, 1, (2025, 12)), (2026, 7, (2026, 6))])
def test_previous_month(year, month, expected):
    assert periods.previous_month(year, month) == expected


@pytest.mark.parametrize("months", [(0, 3), (5, 4), (1, 13)])
def test_bad_month_range_is_a_chinese_error(months):
    with pytest.raises(InvalidPeriod, match="月份范围"):
        periods.check_month_range(months)


@pytest.mark.parametrize(("year", "months", "today", "expected", "basis"), [
    (2026, (1, 12), date(2026, 11, 24), date(2026, 11, 24), "today"),     # current year: today
    (2026, (1, 10), date(2026, 11, 24), date(2026, 10, 31), "range_end"),  # range ended
    (2025, (1, 12), date(2026, 11, 24), date(2025, 12, 31), "range_end"),  # past year
    (2024, (2, 2), date(2026, 1, 1), date(2024, 2, 29), "range_end"),      # leap February
    (2027, (1, 12), date(2026, 11, 24), date(2026, 11, 24), "today"),      # future year: today
])
def test_as_of_without_data(year, months, today, expected, basis):
    assert periods.as_of(year, months, today=today) == periods.AsOf(expected, basis)


@pytest.mark.parametrize(("months", "latest", "expected"), [
    ((1, 12), "2026-10", date(2026, 10, 31)),   # November not reported yet
    ((1, 12), "2025-12", date(2026, 11, 24)),   # another year's month: no cap
    ((1, 8), "2026-10", date(2026, 8, 31)),
    ((11, 12), "2026-10", date(2026, 11, 24)),  # nothing in the range: today
    ((1, 12), None, date(2026, 11, 24)),
])
def test_as_of_capped_at_the_latest_reported_month(months, latest, expected):
    assert periods.as_of(2026, months, today=date(2026, 11, 24), latest_month=latest).day == expected


def test_a_given_day_wins_and_every_basis_is_stated():
    given = periods.as_of(2026, (1, 10), today=date(2026, 11, 24), latest_month="2026-10",
                          given=date(2026, 1, 5))
    assert given == periods.AsOf(date(2026, 1, 5), "given")
    assert given.text == "数据截至 2026年1月5日（指定的统计截止日）"
    latest = periods.as_of(2026, today=date(2026, 11, 24), latest_month="2026-10")
    assert latest.text == "数据截至 2026年10月31日（已上报数据的最后一个月）"


@pytest.mark.parametrize("text", ["2026/06/30", "6月30日", "2026-13-01"])
def test_a_typed_day_that_is_not_a_day_is_a_chinese_error(text):
    with pytest.raises(InvalidPeriod, match="截止日"):
        periods.parse_day(text)
    assert periods.parse_day(None) is None
    assert periods.parse_day("2026-06-30") == date(2026, 6, 30)
