import json
from datetime import date

import pandas as pd
import pytest

from analytics.metrics import indicators as ind
from tests.indicators_helpers import activities, study, targets, volunteer

STUDY = study(
    ("2026-01", "东城区", "一中团委", 10, 10),
    ("2026-01", "东城区", "二中团委", 100, 90),
    ("2026-02", "东城区", "一中团委", 10, 8),
    ("2026-02", "西城区", "三中团委", 50, 40),
    ("2025-02", "西城区", "三中团委", 50, 25),
)
ACTS = activities(
    ("2026-01-05", "东城区", "一中团委", "志愿服务", 2, 30),
    ("2026-02-10", "东城区", "二中团委", "心理健康", 1, 15),
    ("2026-03-01", "西城区", "三中团委", "其他", 1, 20),
    ("2026-07-01", "西城区", "三中团委", "思想引领", 3, 300),
    ("2025-03-01", "西城区", "三中团委", "思想引领", 1, 10),
)
VOL = volunteer(
    ("V1", "张三", "东城区", "一中团委", "2026-01-05", 2),
    ("V1", "张三", "东城区", "二中团委", "2026-02-05", 3),     # same id, other unit: 1 person
    (None, "李四", "东城区", "一中团委", "2026-01-06", 1.5),
    (None, "李四", "东城区", "二中团委", "2026-01-06", 1),     # same name, other unit: 2 people
    (None, "李四", "东城区", "一中团委", "2026-02-07", 4),
    ("V1", "张三", "西城区", "三中团委", "2026-02-09", 0.5),   # id across districts
    (None, "王五", "西城区", "三中团委", "2025-12-01", 8),
)
TARGETS = targets(
    (2026, "东城区", "activity_participants", 100),
    (2026, "西城区", "activity_participants", 300),
    (2026, "东城区", "study_rate", 0.9),
    (2026, "全部", "study_rate", 0.95),
    (2025, "全部", "activity_participants", 999),
)
FRAMES = {"study": STUDY, "activities": ACTS, "volunteer": VOL, "targets": TARGETS}


def test_study_rate_is_weighted_not_mean_of_unit_rates():
    two_units = study(("2026-01", "A", "u1", 10, 10), ("2026-01", "A", "u2", 100, 90))
    assert ind.study_rate(two_units) == 100 / 110
    assert ind.study_rate(two_units) != pytest.approx(0.95)


@pytest.mark.parametrize("frame, expected", [
    (study(), None),
    (study(("2026-01", "A", "u", 20, 0)), 0.0),
    (study(("2026-01", "A", "u", 20, 25)), 1.25),   # non-members study too
])
def test_study_rate_edge_cases(frame, expected):
    assert ind.study_rate(frame) == expected


def test_scalar_indicators():
    assert ind.study_learners(STUDY) == 173
    assert ind.study_members(STUDY) == 220
    assert ind.activity_sessions(ACTS) == 8
    assert ind.activity_participants(ACTS) == 375
    assert ind.volunteer_hours(VOL) == 20.0
    assert ind.volunteer_count(VOL) == 4   # id:V1, 李四|一中, 李四|二中, 王五|三中


def test_volunteer_count_distinct_across_units_and_months():
    same = volunteer(
        ("V9", "甲", "A", "u1", "2026-01-01", 1), ("V9", "甲乙", "A", "u2", "2026-03-01", 1),
        (None, "丙", "A", "u1", "2026-01-01", 1), (None, "丙", "A", "u1", "2026-05-01", 1),
        (None, "丙", "A", "u2", "2026-05-01", 1),
    )
    assert ind.volunteer_count(same) == 3


def test_empty_and_missing_frames_give_zero():
    assert ind.totals({}) == {
        "study_rate": None, "study_learners": 0, "study_members": 0, "activity_sessions": 0,
        "activity_participants": 0, "volunteer_count": 0, "volunteer_hours": 0.0}


def test_select_year_months_districts_units():
    sel = ind.select(FRAMES, year=2026, months=(1, 2), districts=["东城区"])
    assert sel["study"]["unit"].tolist() == ["一中团委", "二中团委", "一中团委"]
    assert sel["activities"]["participants"].tolist() == [30, 15]
    assert len(sel["volunteer"]) == 5
    assert sel["targets"]["district"].tolist() == ["东城区", "东城区", "全部"]
    units = ind.select(FRAMES, units=["三中团委"])
    assert units["study"]["month"].tolist() == ["2026-02", "2025-02"]


def test_select_until_cuts_dated_rows_by_day():
    sel = ind.select(FRAMES, year=2026, until=date(2026, 2, 5))
    assert sel["volunteer"]["date"].dt.strftime("%m-%d").tolist() == ["01-05", "02-05", "01-06", "01-06"]
    assert sel["study"]["month"].tolist() == ["2026-01", "2026-01", "2026-02", "2026-02"]
    assert sel["activities"]["participants"].tolist() == [30]


def test_summarize_by_district():
    table = ind.summarize(ind.select(FRAMES, year=2026), by=["district"])
    expected = pd.DataFrame({
        "district": ["东城区", "西城区"],
        "study_rate": [108 / 120, 40 / 50],
        "study_learners": [108, 40], "study_members": [120, 50],
        "activity_sessions": [3, 4], "activity_participants": [45, 320],
        "volunteer_count": [3, 1], "volunteer_hours": [11.5, 0.5],
    })
    pd.testing.assert_frame_equal(table, expected)


def test_summarize_by_district_and_unit_fills_missing_kinds_with_zero():
    table = ind.summarize(ind.select(FRAMES, year=2026, districts=["东城区"]),
                          by=["district", "unit"])
    assert table[["unit", "study_learners", "activity_participants", "volunteer_count",
                  "volunteer_hours"]].values.tolist() == [
        ["一中团委", 18, 30, 2, 7.5], ["二中团委", 90, 15, 2, 4.0]]


def test_summarize_by_category_only_counts_activities():
    table = ind.summarize(ind.select(FRAMES, year=2026), by=["category"])
    assert dict(zip(table["category"], table["activity_participants"])) == {
        "其他": 20, "志愿服务": 30, "心理健康": 15, "思想引领": 300}
    assert table["volunteer_count"].tolist() == [0, 0, 0, 0]


def test_summarize_empty_total_row():
    table = ind.summarize(FRAMES, by=[])
    assert table["activity_participants"].tolist() == [375]
    assert table["volunteer_count"].tolist() == [4]


def test_activities_by_category_and_dimension():
    acts = ind.select(FRAMES, year=2026)["activities"]
    assert ind.activities_by_category(acts).values.tolist() == [
        ["思想引领", "引领力", 3, 300], ["心理健康", "服务力", 1, 15],
        ["志愿服务", "大局贡献度", 2, 30], ["其他", None, 1, 20]]
    assert ind.activities_by_dimension(acts).values.tolist() == [
        ["引领力", 3, 300], ["服务力", 1, 15], ["大局贡献度", 2, 30], ["其他", 1, 20]]
    assert ind.activities_by_category(acts.iloc[:0]).columns.tolist() == [
        "category", "dimension", "activity_sessions", "activity_participants"]


def test_monthly_has_every_month_and_cumulative_columns():
    table = ind.monthly(FRAMES, 2026, ["东城区"], until=date(2026, 3, 31))
    assert table["month"].tolist() == ["2026-01", "2026-02", "2026-03"]
    assert table["volunteer_count"].tolist() == [3, 2, 0]
    assert table["cum_volunteer_count"].tolist() == [3, 3, 3]   # Feb: V1 and 李四|一中 again
    assert table["cum_volunteer_hours"].tolist() == [4.5, 11.5, 11.5]
    assert table["cum_activity_participants"].tolist() == [30, 45, 45]
    assert table["study_rate"].tolist()[:2] == [100 / 110, 0.8]
    assert pd.isna(table["study_rate"].iloc[2])
    assert table["cum_study_rate"].tolist() == [100 / 110, 108 / 120, 108 / 120]


def test_monthly_whole_area_counts_distinct_people_across_districts():
    table = ind.monthly(FRAMES, 2026, by_district=False, until=date(2026, 2, 28))
    assert table["district"].tolist() == ["全部", "全部"]
    assert table["volunteer_count"].tolist() == [3, 2]       # V1 in two districts: once
    assert table["cum_volunteer_count"].tolist() == [3, 3]


def test_monthly_without_data_is_empty():
    assert ind.monthly({}, 2026).empty


@pytest.mark.parametrize("rate, band", [
    (0.95, "优秀"), (0.9499, "达标"), (0.90, "达标"), (0.80, "关注"), (0.7999, "预警"),
    (0.0, "预警"), (1.3, "优秀"), (None, None), (float("nan"), None)])
def test_study_band_boundaries(rate, band):
    got = ind.study_band(rate)
    assert (got.band if got else None) == band
    assert ind.study_bands_of(pd.Series([rate], dtype="float64")).iloc[0] == band


def test_lagging_units_skip_small_units():
    table = ind.lagging_units(STUDY[STUDY["month"].str.startswith("2026")], min_members=30)
    assert table.values.tolist() == [
        ["西城区", "三中团委", 40, 50, 0.8, "关注"],
        ["东城区", "二中团委", 90, 100, 0.9, "达标"]]


def test_yoy():
    yoy = ind.yoy(FRAMES, "activity_participants", year=2026, months=(1, 3))
    assert (yoy.current, yoy.previous, yoy.absolute, yoy.relative) == (65, 10, 55.0, 5.5)
    rate = ind.yoy(FRAMES, "study_rate", year=2026, months=(2, 2), districts=["西城区"])
    assert (rate.current, rate.previous, rate.relative) == (0.8, 0.5, None)
    assert rate.absolute == pytest.approx(0.3)


def test_yoy_without_last_year_data_is_none():
    none = ind.yoy(FRAMES, "volunteer_hours", year=2026, months=(1, 6))
    assert (none.current, none.previous, none.absolute, none.relative) == (12.0, None, None, None)
    table = ind.yoy_table(FRAMES, year=2026, months=(1, 6), indicators=["activity_participants",
                                                                          "volunteer_hours"])
    assert table["district"].tolist() == ["东城区", "东城区", "西城区", "西城区"]
    assert table["previous"].tolist()[2] == 10.0
    assert table[["previous", "change"]].iloc[[0, 1, 3]].isna().all().all()


def test_indicator_report_matches_design_contract():
    report = ind.indicator_report(FRAMES, year=2026, as_of=date(2026, 6, 30))
    json.dumps(report)   # JSON-safe
    assert report["year"] == 2026 and report["as_of"] == "2026-06-30"
    east, west = report["districts"]
    assert east == {
        "district": "东城区", "as_of": "2026-06-30", "study_rate": 0.9, "study_learners": 108, "study_members": 120,
        "activity_sessions": 3, "activity_participants": 45, "volunteer_count": 3,
        "volunteer_hours": 11.5,
        "targets": {
            "study_rate": {"target": 0.9, "completion": 1.0, "expected": 1.0, "status": "超前"},
            "activity_participants": {"target": 100.0, "completion": 0.45,
                                      "expected": 0.49589, "status": "正常"}}}
    assert west["activity_participants"] == 20       # July activity is after as_of
    assert west["targets"]["activity_participants"]["status"] == "滞后"
    assert "study_rate" not in west["targets"]
    total = report["total"]
    assert total["volunteer_count"] == 3             # V1 in both districts counts once
    assert total["study_rate"] == round(148 / 170, 6)
    assert total["targets"]["study_rate"]["target"] == 0.95                # 全部 row
    assert total["targets"]["activity_participants"]["target"] == 400.0    # summed
    assert type(total["study_learners"]) is int and type(total["volunteer_hours"]) is float


def test_indicator_report_lists_requested_districts_even_without_data():
    report = ind.indicator_report(FRAMES, year=2026, as_of=date(2026, 12, 31),
                                  districts=["朝阳区"])
    (only,) = report["districts"]
    assert only["district"] == "朝阳区"
    assert only["study_rate"] is None and only["activity_participants"] == 0
    assert only["targets"] == {}
    assert report["total"]["targets"] == {}   # a subset never borrows the 全部 target
