from datetime import date

import pandas as pd
import pytest

from analytics.metrics import progress
from tests.indicators_helpers import targets

TARGETS = targets(
    (2026, "东城区", "activity_participants", 1000),
    (2026, "西城区", "activity_participants", 500),
    (2026, "东城区", "study_rate", 0.9),
    (2026, "西城区", "study_rate", 0.95),
    (2026, "全部", "volunteer_hours", 8000),
    (2026, "东城区", "volunteer_hours", 5000),
    (2026, "西城区", "volunteer_hours", 2000),
    (2025, "东城区", "activity_participants", 9),
)


@pytest.mark.parametrize("year, as_of, expected", [
    (2024, date(2024, 2, 29), 60 / 366),     # leap year
    (2025, date(2025, 3, 1), 60 / 365),
    (2024, date(2024, 12, 31), 1.0),
    (2026, date(2026, 1, 1), 1 / 365),
    (2025, date(2026, 1, 10), 1.0),          # a past year
    (2027, date(2026, 6, 1), 0.0),           # a future year
])
def test_year_progress(year, as_of, expected):
    assert progress.year_progress(year, as_of) == expected


@pytest.mark.parametrize("as_of, expected", [
    (date(2026, 8, 31), 184 / 365),          # 1 March – 31 August
    (date(2026, 2, 10), 0.0),                # before the range starts
    (date(2027, 1, 5), 306 / 365),           # the year is over: March to December
])
def test_year_progress_from_a_first_month(as_of, expected):
    assert progress.year_progress(2026, as_of, first_month=3) == pytest.approx(expected)


def test_expected_completion_rates_are_always_full():
    assert progress.expected_completion("study_rate", 2026, date(2026, 3, 1)) == 1.0
    assert progress.expected_completion("activity_sessions", 2026, date(2026, 3, 1)) == 60 / 365


@pytest.mark.parametrize("indicator, districts, expected", [
    ("activity_participants", None, 1500.0),                 # no 全部 row: summed
    ("volunteer_hours", None, 8000.0),                       # 全部 row wins over the sum
    ("study_rate", None, None),                              # rates are never summed
    ("activity_participants", ["东城区"], 1000.0),
    ("study_rate", ["西城区"], 0.95),
    ("activity_participants", ["东城区", "西城区"], 1500.0),
    ("activity_participants", ["东城区", "朝阳区"], None),   # 朝阳区 has no target
    ("study_rate", ["东城区", "西城区"], None),
    ("activity_sessions", None, None),
])
def test_area_target(indicator, districts, expected):
    assert progress.area_target(TARGETS, indicator, 2026, districts) == expected


def test_target_value():
    assert progress.target_value(TARGETS, "activity_participants", 2025, "东城区") == 9.0
    assert progress.target_value(TARGETS, "volunteer_hours", 2026, "全部") == 8000.0
    assert progress.target_value(TARGETS, "study_rate", 2026, "全部") is None
    assert progress.target_value(None, "study_rate", 2026, "东城区") is None


@pytest.mark.parametrize("actual, target, expected", [
    (50, 200, 0.25), (0, 200, 0.0), (10, None, None), (10, 0, None), (None, 5, None)])
def test_completion(actual, target, expected):
    assert progress.completion(actual, target) == expected


@pytest.mark.parametrize("actual, expected_status", [
    (550, "超前"),    # completion 0.55 = progress 0.50 + 5 pp: inclusive
    (549, "正常"),
    (450, "正常"),    # 0.45 = 0.50 − 5 pp
    (449, "滞后"),
    (0, "滞后"),
])
def test_count_status_thresholds(actual, expected_status):
    assert progress.status("activity_participants", actual, 1000, 0.5) == expected_status


@pytest.mark.parametrize("rate, expected_status", [
    (0.95, "超前"), (0.96, "超前"), (0.93, "正常"), (0.9299, "滞后"), (None, "滞后")])
def test_rate_status_compares_with_the_target(rate, expected_status):
    assert progress.status("study_rate", rate, 0.95, 1.0) == expected_status


def test_status_without_target_and_custom_tolerance():
    assert progress.status("activity_sessions", 10, None, 0.5) == "无目标"
    assert progress.status("activity_sessions", 55, 100, 0.5, tolerance=0.1) == "正常"


def test_target_status_entry():
    assert progress.target_status("activity_participants", 400, 1000, 2024,
                                  date(2024, 2, 29)) == {
        "target": 1000.0, "completion": 0.4, "expected": 60 / 366, "status": "超前"}
    assert progress.target_status("study_rate", None, 0.95, 2026, date(2026, 5, 1)) == {
        "target": 0.95, "completion": None, "expected": 1.0, "status": "滞后"}


def test_target_pace_is_linear_by_days():
    pace = progress.target_pace(366, 2024)
    assert pace["month"].tolist()[:3] == ["2024-01", "2024-02", "2024-03"]
    assert pace["target"].tolist()[:3] == [31.0, 60.0, 91.0]
    assert pace["target"].iloc[-1] == 366.0


@pytest.mark.parametrize("current, previous, rate, expected", [
    (120, 100, False, (20.0, 0.2)),
    (80, 100, False, (-20.0, -0.2)),
    (5, 0, False, (5.0, None)),
    (5, None, False, (None, None)),
    (None, 5, False, (None, None)),
    (0.96, 0.94, True, (pytest.approx(0.02), None)),
])
def test_change(current, previous, rate, expected):
    c = progress.change(current, previous, rate=rate)
    assert (c.absolute, c.relative) == expected


def test_compare_tables():
    now = pd.DataFrame({"district": ["A", "B"], "activity_sessions": [10, 4],
                        "study_rate": [0.9, 0.8]})
    before = pd.DataFrame({"district": ["A"], "activity_sessions": [8], "study_rate": [0.85]})
    table = progress.compare_tables(now, before, ["district"],
                                    ["activity_sessions", "study_rate"])
    assert table["indicator"].tolist() == ["activity_sessions", "study_rate"] * 2
    assert table.iloc[0].tolist() == ["A", "activity_sessions", 10.0, 8.0, 2.0, 0.25]
    assert table.iloc[1]["change"] == pytest.approx(0.05) and pd.isna(table.iloc[1]["change_rel"])
    assert table.iloc[2:][["previous", "change"]].isna().all().all()
