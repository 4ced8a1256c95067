"""build_report: one selection's numbers, from the indicator definitions."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics.metrics import indicators, progress
from analytics.errors import InvalidPeriod
from analytics.present import fmt
from analytics.metrics.report import (
    TOTAL, build_report,
)
from tests.report_helpers import sample_frames

AS_OF = date(2026, 3, 31)


@pytest.fixture
def report():
    return build_report(sample_frames(), year=2026, months=(1, 3), as_of=AS_OF)


def test_selection_labels(report):
    sel = report.selection
    assert sel.districts == ("东城区", "西城区")
    assert sel.whole_area is True
    assert sel.period_label == "2026年1—3月"
    assert sel.area_label == "全部区县"
    one = build_report(sample_frames(), year=2026, months=(3, 3), districts=["西城区"], as_of=AS_OF)
    assert (one.selection.period_label, one.selection.area_label) == ("2026年3月", "西城区")
    whole = build_report(sample_frames(), year=2026, as_of=AS_OF)
    assert whole.selection.period_label == "2026年"


def test_comparison_has_every_indicator_and_ranks(report):
    table = report.comparison
    assert table["district"].tolist() == ["东城区", "西城区"]
    assert table["study_rate"].tolist() == [0.95, 0.9]
    assert table["study_learners"].tolist() == [1900, 450]
    assert table["activity_sessions"].tolist() == [23, 6]
    assert table["activity_participants"].tolist() == [345, 682]
    assert table["volunteer_count"].tolist() == [2, 2]
    assert table["volunteer_hours"].tolist() == [100.5, 60.0]
    assert table["rank_activity_participants"].tolist() == [2, 1]
    assert table["rank_study_rate"].tolist() == [1, 2]
    assert table["rank_volunteer_count"].tolist() == [1, 1]      # ties share the best rank


def test_total_counts_distinct_volunteers_and_weights_the_rate(report):
    assert report.total == {
        "study_rate": 0.94, "study_learners": 2350, "study_members": 2500,
        "activity_sessions": 29, "activity_participants": 1027,
        "volunteer_count": 3,          # 张三 served in both districts: one person
        "volunteer_hours": 160.5,
    }
    sel = indicators.select(sample_frames(), year=2026, months=(1, 3), until=AS_OF)
    assert report.total == indicators.totals(sel)


def test_district_without_data_is_listed_with_zeros():
    report = build_report(sample_frames(), year=2026, months=(1, 3),
                          districts=["西城区", "南湾区"], as_of=AS_OF)
    row = report.comparison.set_index("district").loc["南湾区"]
    assert (row["activity_sessions"], row["volunteer_hours"]) == (0, 0.0)
    assert pd.isna(row["study_rate"]) and pd.isna(row["rank_study_rate"])
    assert fmt.fmt_rank(row["rank_study_rate"]) == "—"
    assert fmt.fmt_rank(1) == "第1名"


def test_targets_completion_and_status(report):
    rows = {(r["district"], r["indicator"]): r for r in report.targets.to_dict("records")}
    assert set(rows) == {(TOTAL, "study_rate"), ("东城区", "activity_sessions"),
                         ("西城区", "activity_sessions"), (TOTAL, "activity_sessions"),
                         (TOTAL, "activity_participants")}
    east = rows[("东城区", "activity_sessions")]
    assert (east["actual"], east["target"], east["completion"]) == (23, 100, 0.23)
    assert east["expected"] == pytest.approx(90 / 365)      # 2026-03-31 is day 90
    assert east["status"] == "正常"
    assert rows[("西城区", "activity_sessions")]["status"] == "滞后"
    # no 全部 row for sessions: the whole area's target is the sum of the districts'
    assert rows[(TOTAL, "activity_sessions")]["target"] == 150
    assert rows[(TOTAL, "activity_participants")]["completion"] == pytest.approx(1027 / 4000)
    rate = rows[(TOTAL, "study_rate")]
    assert (rate["actual"], rate["target"], rate["status"]) == (0.94, 0.95, "正常")
    assert report.target_of("study_rate")["target"] == 0.95
    assert report.target_of("volunteer_hours") is None


def test_target_pace_for_counts_of_the_selected_months(report):
    pace = report.target_pace
    assert sorted(set(pace["indicator"])) == ["activity_participants", "activity_sessions"]
    part = pace[pace["indicator"] == "activity_participants"]
    assert part["month"].tolist() == ["2026-01", "2026-02", "2026-03"]
    assert part["target"].tolist() == pytest.approx([4000 * 31 / 365, 4000 * 59 / 365,
                                                     4000 * 90 / 365])


def test_monthly_series_cover_the_selected_months(report):
    east = report.monthly[report.monthly["district"] == "东城区"]
    assert east["month"].tolist() == ["2026-01", "2026-02", "2026-03"]
    assert east["activity_sessions"].tolist() == [10, 8, 5]
    assert east["cum_activity_sessions"].tolist() == [10, 18, 23]
    total = report.monthly_total
    assert total["volunteer_count"].tolist() == [1, 2, 1]      # 张三 in two districts in January
    assert total["cum_volunteer_count"].tolist() == [1, 3, 3]
    march = build_report(sample_frames(), year=2026, months=(2, 3), as_of=AS_OF)
    assert march.monthly_total["month"].tolist() == ["2026-02", "2026-03"]


def test_yoy_only_where_last_year_has_data(report):
    assert report.has_last_year
    east = report.yoy_of("activity_participants", "东城区")
    assert (east["current"], east["previous"], east["change"]) == (345, 300, 45)
    assert east["change_rel"] == pytest.approx(0.15)
    rate = report.yoy_of("study_rate")
    assert rate["change"] == pytest.approx(0.04) and pd.isna(rate["change_rel"])
    assert report.yoy_of("activity_sessions", "西城区") is None      # 西城区 had nothing in 2025
    assert report.yoy_of("volunteer_hours") is None                 # no 2025 Jan–Mar service
    first_year = build_report(sample_frames(), year=2025, months=(1, 3), as_of=date(2025, 3, 31))
    assert not first_year.has_last_year


def test_three_forces_categories_and_stars(report):
    scores = report.three_forces.set_index(["district", "dimension"])["score"]
    assert scores[("东城区", "服务力")] == 100.0
    assert scores[("西城区", "引领力")] == 100.0
    assert scores[("西城区", "大局贡献度")] == pytest.approx(12.0 / 14.55 * 100)
    cats = report.categories.set_index("category")
    assert cats.loc["心理健康", ["activity_sessions", "activity_participants", "reached"]].tolist() \
        == [15, 300, 520]
    assert cats.loc["安全教育", "service_hours"] == 812.5
    assert cats.loc["安全教育", "dimension"] == "大局贡献度"
    # 张三: 60 h + 10 h this year + 100 h in 2025 = 170 h -> 一星级
    assert report.stars.set_index("label")["count"].to_dict() == {
        "未达星级": 2, "一星级志愿者": 1, "二星级志愿者": 0, "三星级志愿者": 0,
        "四星级志愿者": 0, "五星级志愿者": 0}


def test_rows_after_as_of_are_left_out():
    report = build_report(sample_frames(), year=2026, months=(1, 3), as_of=date(2026, 2, 28))
    assert report.total["activity_sessions"] == 24          # the 5 sessions of 2026-03-05 drop
    assert report.monthly_total["month"].tolist() == ["2026-01", "2026-02"]


def test_empty_frames_give_an_empty_report():
    report = build_report({}, year=2026, as_of=date(2026, 6, 30))
    assert report.selection.districts == ()
    assert report.comparison.empty and report.monthly.empty and report.targets.empty
    assert report.total["study_rate"] is None and report.total["activity_sessions"] == 0
    assert not report.has_last_year


@pytest.mark.parametrize("months", [(0, 3), (5, 4), (1, 13)])
def test_bad_month_range_is_a_chinese_error(months):
    with pytest.raises(InvalidPeriod, match="月份范围"):
        build_report(sample_frames(), year=2026, months=months)


def test_stars_count_the_volunteers_of_the_selection_with_all_their_hours():
    # 张三 served in 西城区 in January: he counts there, with his 170 h of every year and district
    report = build_report(sample_frames(), year=2026, months=(1, 3), districts=["西城区"],
                          as_of=AS_OF)
    assert report.stars.set_index("label")["count"].to_dict()["一星级志愿者"] == 1
    assert report.stars["count"].sum() == report.total["volunteer_count"] == 2
    february = build_report(sample_frames(), year=2026, months=(2, 2), districts=["西城区"],
                            as_of=AS_OF)
    assert february.stars["count"].tolist() == [1, 0, 0, 0, 0, 0]      # only 王五 (50 h)


def test_expected_progress_of_a_range_counts_from_its_first_month():
    """3—3月 holds March only: its 序时进度 is March's share of the year, not Jan–Mar."""
    march = build_report(sample_frames(), year=2026, months=(3, 3), as_of=AS_OF)
    rows = march.targets.set_index(["district", "indicator"])
    assert rows.loc[(TOTAL, "activity_sessions"), "expected"] == pytest.approx(31 / 365)
    assert progress.year_progress(2026, march.selection.as_of, first_month=3) == pytest.approx(31 / 365)
    # rates still compare with the target itself
    assert rows.loc[(TOTAL, "study_rate"), "expected"] == 1.0
    # the cumulative target line starts at the range too, like cum_*
    pace = march.target_pace[march.target_pace["indicator"] == "activity_participants"]
    assert pace["target"].tolist() == pytest.approx([4000 * 31 / 365])
    whole = build_report(sample_frames(), year=2026, months=(1, 3), as_of=AS_OF)
    counts = whole.targets[whole.targets["indicator"] != "study_rate"]
    assert counts["expected"].tolist() == pytest.approx([90 / 365] * len(counts))
