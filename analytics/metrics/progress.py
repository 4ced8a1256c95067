"""Targets, 序时进度, status and period-on-period change — pure functions on numbers.

Definitions (the dashboard, exports and CLI all use these):

- **target** of a district: the targets row (year, district, indicator).
  The **whole-area** target: the "全部" row when there is one; otherwise, for
  count indicators, the sum of the district targets; for rates never a sum —
  None. For a chosen subset of districts: their own targets summed (counts,
  only when every one of them has a target) or, for a single district, its
  target (rates too).
- **completion** = actual / target (None without a target or when it is 0).
- **序时进度 (expected)** = day-of-year of `as_of` / days in the year
  (2024-02-29 → 60/366); a past year is 1.0, a future year 0.0. For rates the
  expected completion is 1.0 all year: a rate should meet its target at any time.
- **status**, with `tolerance` t = 5 pp for counts:
  completion ≥ expected + t → 超前; completion ≥ expected − t → 正常; else 滞后.
  For rates (study_rate), with `rate_tolerance` r = 2 pp, the rate is compared
  with the target itself: rate ≥ target → 超前 (达标); rate ≥ target − r → 正常;
  else 滞后 (also when no rate could be computed). No target → 无目标.
  Boundaries are inclusive.
- **同比** compares a period with the same months of the previous year, **环比**
  a month with the previous month: `change` gives the absolute difference and,
  for counts, the relative one; for rates the absolute difference is in
  fraction points (0.012 = 1.2 个百分点) and there is no relative change.
  No data for the previous period → None, never 0.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics import schema

AHEAD, ON_TRACK, BEHIND, NO_TARGET = "超前", "正常", "滞后", "无目标"
STATUSES = (AHEAD, ON_TRACK, BEHIND, NO_TARGET)
TOLERANCE = 0.05
RATE_TOLERANCE = 0.02
_EPS = 1e-9


def is_rate(indicator: str) -> bool:
    """Whether `indicator` is a rate (compared with its target, never summed)."""
    ind = schema.INDICATOR_BY_NAME.get(indicator)
    return bool(ind and ind.is_rate)


def year_progress(year: int, as_of: date, *, first_month: int = 1) -> float:
    """序时进度: the share of `year` elapsed at `as_of` (days / days-in-year), counted
    from the first day of `first_month`: a 3—8月 selection counts from 1 March
    (184 of 365 days at 31 August), as its cumulative figures do."""
    days = 366 if calendar.isleap(year) else 365
    before = date(year, first_month, 1).timetuple().tm_yday - 1
    if as_of.year > year:
        elapsed = days
    elif as_of.year < year:
        elapsed = 0
    else:
        elapsed = as_of.timetuple().tm_yday
    return max(0, elapsed - before) / days


def expected_completion(indicator: str, year: int, as_of: date, *,
                        first_month: int = 1) -> float:
    """The completion expected at `as_of`: 序时进度 for counts, 1.0 for rates."""
    return 1.0 if is_rate(indicator) else year_progress(year, as_of, first_month=first_month)


# --- targets ------------------------------------------------------------------

def _rows(targets: pd.DataFrame | None, indicator: str, year: int) -> pd.DataFrame:
    if targets is None or len(targets) == 0:
        return pd.DataFrame(columns=["district", "value"])
    mask = (targets["year"] == year) & (targets["indicator"] == indicator)
    return targets.loc[mask, ["district", "value"]]


def _value(rows: pd.DataFrame, district: str) -> float | None:
    hit = rows.loc[rows["district"] == district, "value"]
    return None if hit.empty or pd.isna(hit.iloc[-1]) else float(hit.iloc[-1])


def target_value(targets: pd.DataFrame | None, indicator: str, year: int,
                 district: str) -> float | None:
    """The target of one district ("全部" for the whole-area row), or None."""
    return target_values(targets, indicator, year).get(district)


def target_values(targets: pd.DataFrame | None, indicator: str,
                  year: int) -> dict[str, float | None]:
    """{district: its target} of one indicator and year (`target_value` of each district,
    read in one pass: a report asks for every district's target of every indicator)."""
    rows = _rows(targets, indicator, year)
    found: dict[str, float | None] = {}
    for district, value in zip(rows["district"].tolist(), rows["value"].tolist()):
        found[district] = None if pd.isna(value) else float(value)   # the last row holds
    return found


def area_target(targets: pd.DataFrame | None, indicator: str, year: int,
                districts: Iterable[str] | None = None) -> float | None:
    """The target of the whole area (`districts=None`) or of a set of districts.

    Whole area: the "全部" row, else Σ district targets for counts (None for
    rates). A set of districts: one district → its target; several → Σ of
    their targets for counts when each has one, else None.
    """
    rows = _rows(targets, indicator, year)
    if districts is None:
        whole = _value(rows, schema.ALL_DISTRICTS)
        if whole is not None or is_rate(indicator):
            return whole
        own = rows[rows["district"] != schema.ALL_DISTRICTS]
        own = own.drop_duplicates("district", keep="last")["value"].dropna()
        return float(own.sum()) if len(own) else None
    names = list(dict.fromkeys(districts))
    if len(names) == 1:
        return _value(rows, names[0])
    if is_rate(indicator) or not names:
        return None
    values = [_value(rows, d) for d in names]
    return None if any(v is None for v in values) else float(sum(values))


def completion(actual: float | None, target: float | None) -> float | None:
    """actual / target; None without a target, a zero target or an actual."""
    if actual is None or target is None or pd.isna(actual) or target == 0:
        return None
    return float(actual) / float(target)


def status(indicator: str, actual: float | None, target: float | None, expected: float, *,
           tolerance: float = TOLERANCE, rate_tolerance: float = RATE_TOLERANCE) -> str:
    """超前 / 正常 / 滞后 / 无目标 (see the module docstring for the rule)."""
    if target is None or pd.isna(target):
        return NO_TARGET
    if is_rate(indicator):
        if actual is None or pd.isna(actual):
            return BEHIND
        if actual >= target - _EPS:
            return AHEAD
        return ON_TRACK if actual >= target - rate_tolerance - _EPS else BEHIND
    if target == 0:
        return AHEAD if actual else ON_TRACK
    done = completion(actual or 0, target)
    if done >= expected + tolerance - _EPS:
        return AHEAD
    return ON_TRACK if done >= expected - tolerance - _EPS else BEHIND


def target_status(indicator: str, actual: float | None, target: float | None,
                  year: int, as_of: date, *, first_month: int = 1,
                  **tolerances: float) -> dict:
    """The report's `targets` entry: {"target", "completion", "expected", "status"}."""
    expected = expected_completion(indicator, year, as_of, first_month=first_month)
    return {
        "target": None if target is None else float(target),
        "completion": completion(actual if actual is not None else
                                 (None if is_rate(indicator) else 0), target),
        "expected": expected,
        "status": status(indicator, actual, target, expected, **tolerances),
    }


def target_pace(target: float, year: int) -> pd.DataFrame:
    """Cumulative target line by month, linear by days: month, target.

    The value at a month is the target × (days up to that month's end /
    days in the year), so December reaches the full target.
    """
    days = 366 if calendar.isleap(year) else 365
    elapsed = 0
    rows = []
    for month in range(1, 13):
        elapsed += calendar.monthrange(year, month)[1]
        rows.append((f"{year:04d}-{month:02d}", float(target) * elapsed / days))
    return pd.DataFrame(rows, columns=["month", "target"])


# --- 同比 / 环比 ------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """A value against the same value in an earlier period."""

    current: float | None
    previous: float | None
    absolute: float | None   # current − previous (fraction points for rates)
    relative: float | None   # absolute / previous (counts only)


def change(current: float | None, previous: float | None, *, rate: bool = False) -> Change:
    """The change from `previous` to `current`; None parts when either is missing."""
    if current is None or previous is None or pd.isna(current) or pd.isna(previous):
        return Change(current, previous, None, None)
    absolute = float(current) - float(previous)
    relative = None if rate or previous == 0 else absolute / float(previous)
    return Change(current, previous, absolute, relative)


def compare_tables(current: pd.DataFrame, previous: pd.DataFrame,
                   by: Iterable[str], indicators: Iterable[str]) -> pd.DataFrame:
    """Tidy change table from two `summarize` tables of the same grouping.

    Columns: *by, indicator, current, previous, change, change_rel. A group
    missing from `previous` has previous/change/change_rel NaN; rates get no
    change_rel.
    """
    by = list(by)
    rows = []
    prev = previous.set_index(by) if by else previous
    for _, row in current.iterrows():
        key = tuple(row[b] for b in by)
        key = key[0] if len(key) == 1 else key
        has_prev = (key in prev.index) if by else len(prev) > 0
        for name in indicators:
            before = None
            if has_prev:
                before = prev.loc[key, name] if by else prev.iloc[0][name]
            c = change(row[name], before, rate=is_rate(name))
            rows.append({**{b: row[b] for b in by}, "indicator": name, "current": c.current,
                         "previous": c.previous, "change": c.absolute,
                         "change_rel": c.relative})
    cols = [*by, "indicator", "current", "previous", "change", "change_rel"]
    out = pd.DataFrame(rows, columns=cols)
    for col in ("current", "previous", "change", "change_rel"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    return out
