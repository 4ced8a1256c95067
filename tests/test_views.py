"""Shaping for the dashboard pages (analytics/views.py): literal expected values."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics import views
from analytics.views import Filters


@pytest.mark.parametrize(("year", "months", "today", "expected"), [
    (2026, (1, 12), date(2026, 11, 24), date(2026, 11, 24)),   # current year: today
    (2026, (1, 10), date(2026, 11, 24), date(2026, 10, 31)),   # range ended: its last day
    (2025, (1, 12), date(2026, 11, 24), date(2025, 12, 31)),   # past year
    (2024, (2, 2), date(2026, 1, 1), date(2024, 2, 29)),       # leap February
    (2027, (1, 12), date(2026, 11, 24), date(2026, 11, 24)),   # future year: today
])
def test_as_of_date(year, months, today, expected):
    assert views.as_of_date(year, months, today) == expected


@pytest.mark.parametrize(("months", "label"), [
    ((1, 12), "2026年全年"), ((1, 10), "2026年1—10月"), ((3, 3), "2026年3月"),
])
def test_period_label(months, label):
    assert Filters(2026, months).period_label == label


def test_month_labels():
    assert Filters(2026, (9, 11)).month_labels == ["2026-09", "2026-10", "2026-11"]


def test_years_of_batches_skips_rolled_back_and_reads_years_and_months():
    batches = pd.DataFrame({
        "periods": ["2026-01|2026-02", "2025-12", "2026", "2023-05"],
        "status": ["active", "replaced", "active", "rolled_back"],
    })
    assert views.years_of_batches(batches) == [2025, 2026]
    assert views.years_of_batches(batches.iloc[0:0]) == []


def test_year_options_and_default():
    assert views.year_options([2025, 2024], date(2026, 3, 1)) == [2026, 2025, 2024]
    assert views.default_year([2024, 2025], date(2026, 3, 1)) == 2025
    assert views.default_year([2027], date(2026, 3, 1)) == 2026
    assert views.default_year([], date(2026, 3, 1)) == 2026


@pytest.mark.parametrize(("chosen", "allowed", "expected"), [
    ([], None, None),                                     # all districts
    (["临江区"], None, ["临江区"]),
    ([], frozenset({"青山区", "东湖区"}), ["东湖区", "青山区"]),  # a limited viewer: theirs
    (["临江区"], frozenset({"青山区"}), ["青山区"]),          # URL can't widen the scope
    (["青山区", "临江区"], frozenset({"青山区"}), ["青山区"]),
])
def test_effective_districts(chosen, allowed, expected):
    assert views.effective_districts(chosen, allowed) == expected


def test_visible_districts_drops_whole_area_and_limits():
    assert views.visible_districts(["临江区", "全部", "青山区"], None) == ["临江区", "青山区"]
    assert views.visible_districts(["临江区", "青山区"], frozenset({"东湖区"})) == ["东湖区"]


def _frames():
    activities = pd.DataFrame({
        "date": pd.to_datetime(["2026-03-05", "2026-04-01", "2026-03-20"]),
        "month": ["2026-03", "2026-04", "2026-03"],
        "district": ["青山区", "青山区", "临江区"],
        "unit": ["一中团委", "二中团委", "江滨街道团工委"],
        "title": ["青少年防溺水宣传进社区", "心理健康进校园", "返家乡社会实践"],
        "category": ["安全教育", "心理健康", "返家乡社会实践"],
        "dimension": ["大局贡献度", "服务力", "服务力"],
        "sessions": [2, 1, 3], "participants": [120, 45, 300],
        "volunteers": pd.array([10, None, 5], dtype="Int64"),
        "service_hours": [40.0, float("nan"), 12.5],
        "reached": pd.array([800, None, None], dtype="Int64"),
        "funds": [0.0, 0.0, 1500.0],
        "source_row": [3, 4, 5],
    })
    study = pd.DataFrame({"district": ["东湖区"], "unit": ["湖滨社区团支部"], "month": ["2026-03"],
                          "members": [10], "learners": [9]})
    targets = pd.DataFrame({"year": [2026], "district": ["全部"], "indicator": ["study_rate"],
                            "value": [0.95]})
    return {"activities": activities, "study": study, "targets": targets}


def test_districts_and_units_in():
    frames = _frames()
    assert views.districts_in(frames) == ["东湖区", "临江区", "青山区"]
    assert views.units_in(frames, ["青山区"]) == ["一中团委", "二中团委"]
    assert views.units_in(frames) == ["一中团委", "二中团委", "江滨街道团工委", "湖滨社区团支部"]
    assert views.has_rows(frames)
    assert not views.has_rows({"activities": frames["activities"].iloc[0:0]})


def test_search_needs_every_word_case_insensitive():
    acts = _frames()["activities"]
    assert list(views.search(acts, "防溺水 青山", ["title", "district"])["title"]) == [
        "青少年防溺水宣传进社区"]
    assert len(views.search(acts, "", ["title"])) == 3
    assert len(views.search(acts, "  ", ["title"])) == 3
    assert list(views.search(acts, "服务力", ["dimension"])["unit"]) == ["二中团委", "江滨街道团工委"]
    assert len(views.search(acts, "(", ["title"])) == 0  # no regex


def test_activity_list_newest_first_with_chinese_columns():
    table = views.activity_list(_frames()["activities"], "")
    assert list(table.columns) == ["日期", "区县", "单位", "活动名称", "活动类别", "三力一度", "场次",
                                   "参与人次", "志愿者人数", "服务时长", "覆盖人数", "经费"]
    assert list(table["活动名称"]) == ["心理健康进校园", "返家乡社会实践", "青少年防溺水宣传进社区"]
    assert table["日期"].iloc[0] == date(2026, 4, 1)
    assert list(views.activity_list(None).columns)[:3] == ["日期", "区县", "单位"]


def test_labelled_uses_indicator_labels_and_keeps_unknown():
    df = pd.DataFrame({"district": ["青山区"], "study_rate": [0.9], "volunteer_hours": [3.0],
                       "rank_study_rate": [1], "mystery": [1]})
    assert list(views.labelled(df).columns) == ["区县", "参学率", "志愿服务时长（小时）",
                                                "参学率排名", "mystery"]


def test_with_ranks_ties_share_the_best_rank():
    df = pd.DataFrame({"district": ["甲", "乙", "丙"], "activity_sessions": [5, 9, 5]})
    assert list(views.with_ranks(df, ["activity_sessions"])["rank_activity_sessions"]) == [2, 1, 2]
