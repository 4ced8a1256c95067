"""Shaping for the dashboard pages (analytics/views.py): literal expected values."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics.metrics import indicators
from analytics.present import labels, views


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
    assert list(labels.labelled(df).columns) == ["区县", "参学率", "志愿服务时长（小时）",
                                                "参学率排名", "mystery"]


# --- over a real report (analytics.report.build_report on small canonical frames) -------

from tests import store_helpers as sh  # noqa: E402


def _report(districts=None):
    from analytics.metrics.report import build_report

    m = "2026-03"
    frames = {
        "activities": pd.concat([sh.activities("青山区", m, n=3, participants=10),
                                 sh.activities("临江区", m, n=2, participants=7)]),
        "study": pd.concat([sh.study("青山区", m, [("一中团委", 100, 90), ("二中团委", 50, 50)]),
                            sh.study("临江区", m, [("江滨团委", 200, 150)])]),
        "volunteer": sh.volunteer("青山区", m, [2.0, 3.5, 4.0]),
        "targets": sh.targets(2026, [("全部", "study_rate", 0.95),
                                     ("青山区", "activity_sessions", 4),
                                     ("临江区", "activity_sessions", 10)]),
    }
    return build_report(frames, year=2026, months=(1, 12), districts=districts,
                        as_of=date(2026, 7, 2))


def test_kpi_cards_from_the_report():
    cards = {c.indicator: c for c in views.kpi_cards(_report())}
    assert list(cards) == list(views.CARD_INDICATORS)
    rate = cards["study_rate"]
    assert (rate.label, rate.value, rate.status) == ("参学率", "82.86%", "滞后")
    assert rate.lines == ("目标 95.00%", "与目标相差 -12.14个百分点")
    sessions = cards["activity_sessions"]
    # 5 of 14 sessions (35.71%) at 序时进度 183/365 = 50.14%: 滞后
    assert (sessions.value, sessions.status) == ("5场", "滞后")
    assert sessions.lines == ("年度目标 14场 · 完成 35.71%", "序时进度 50.14%")
    assert sessions.completion == pytest.approx(5 / 14)
    assert cards["volunteer_hours"].value == "9.5小时"
    assert cards["volunteer_hours"].status == "无目标"
    assert cards["volunteer_hours"].lines == ("未设定年度目标",)


def test_district_status_table():
    table = views.district_status_table(_report())
    assert table["区县"].tolist() == ["临江区", "青山区"]
    row = table.set_index("区县").loc["青山区"]
    assert (row["活动场次"], row["活动场次状态"]) == ("3场", "超前")   # 75% ≥ 50.14% + 5 pp
    assert table.set_index("区县").loc["临江区", "活动场次状态"] == "滞后"   # 20%
    assert row["志愿服务时长状态"] == "无目标"
    assert int((table == "滞后").to_numpy().sum()) == 1


def test_comparison_table_plain_and_compact():
    rep = _report()
    plain = views.comparison_table(rep.comparison)
    assert plain.columns[:3].tolist() == ["区县", "参学率", "参学率排名"]
    assert plain.set_index("区县").loc["临江区", "参学率排名"] == "第2名"
    compact = views.comparison_table(rep.comparison, compact=True)
    assert compact.set_index("区县").loc["青山区", "参学率"] == "93.33%（第1）"
    assert "参学率排名" not in compact.columns


def test_trend_inputs_trims_months_nobody_reported():
    rep = _report()
    count = views.trend_inputs(rep, "activity_sessions")
    assert count.monthly["month"].tolist() == ["2026-01", "2026-02", "2026-03"]
    assert count.cumulative and count.target is None
    assert count.pace["target"].round(2).tolist()[:3] == [1.19, 2.26, 3.45]  # 14 × days / 365
    rate = views.trend_inputs(rep, "study_rate")
    assert (rate.target, rate.cumulative, rate.pace) == (0.95, False, None)
    per_district = views.trend_inputs(rep, "activity_sessions", by_district=True)
    assert sorted(set(per_district.monthly["district"])) == ["临江区", "青山区"]
    assert per_district.pace is None


def test_district_targets_and_yoy():
    rep = _report()
    assert views.district_targets(rep, "activity_sessions") == {"临江区": 10.0, "青山区": 4.0}
    assert views.district_targets(rep, "volunteer_hours") == {}
    assert set(views.district_yoy(rep)["district"]) == {"临江区", "青山区"}


def test_units_below_threshold_and_heatmap_rows():
    study = sh.study("青山区", "2026-03", [("一中团委", 100, 90), ("二中团委", 50, 50),
                                          ("三中团委", 40, 20)])
    below = views.units_below(study, 0.9)
    assert below["单位"].tolist() == ["三中团委"]
    assert below.columns.tolist() == ["区县", "单位", "参学率", "参学人次（人次）", "应学团员数（人）",
                                      "参学等级"]
    assert below["参学等级"].tolist() == ["预警"]
    assert views.units_below(study, 0.95)["单位"].tolist() == ["三中团委", "一中团委"]
    assert len(views.units_below(None, 0.9)) == 0
    rows, total = views.heatmap_rows(study, max_units=2)
    assert total == 3
    assert sorted(rows["unit"]) == ["一中团委", "三中团委"]        # the two lowest rates


def test_volunteer_list_search_and_labels():
    from analytics.metrics.stars import volunteer_stars

    stars = volunteer_stars(sh.volunteer("青山区", "2026-03", [120.0, 3.5], ids=["QS-1", None]))
    table = views.volunteer_list(stars)
    assert table.columns.tolist() == ["志愿者编号", "姓名", "区县", "单位", "累计服务时长（小时）", "星级"]
    assert table["星级"].tolist() == ["一星级志愿者", "未达星级"]
    assert table["志愿者编号"].tolist() == ["QS-1", "—"]          # no id: a dash, not "None"
    assert views.volunteer_list(stars, "一星")["志愿者编号"].tolist() == ["QS-1"]
    assert len(views.volunteer_list(None)) == 0


def test_three_forces_table():
    scores = pd.DataFrame({"district": ["甲", "甲", "乙", "乙"],
                           "dimension": ["引领力", "服务力", "引领力", "服务力"],
                           "score": [100.0, 50.04, 40.0, 100.0]})
    table = views.three_forces_table(scores)
    assert table.columns.tolist() == ["区县", "引领力", "组织力", "服务力", "大局贡献度"]
    assert table.iloc[0].tolist()[:2] == ["甲", 100.0]
    assert table.iloc[0]["服务力"] == 50.0


def test_top_rows():
    df = pd.DataFrame({"unit": list("abcd"), "v": [3.0, None, 9.0, 1.0]})
    assert views.top_rows(df, "v", 2)["unit"].tolist() == ["c", "a"]
    assert views.top_rows(df, "v", 2, lowest=True)["unit"].tolist() == ["d", "a"]
    assert views.top_rows(df, "v", None)["unit"].tolist() == ["c", "a", "d"]


def test_kpi_cards_carry_the_year_on_year_change():
    from analytics.metrics.report import build_report

    rep = _report()
    frames = {"activities": pd.concat([sh.activities("青山区", "2026-03", n=5),
                                       sh.activities("青山区", "2025-03", n=2)]),
              "study": sh.study("青山区", "2026-03", [("一中团委", 100, 90)])}
    rep = build_report(frames, year=2026, months=(1, 12), as_of=date(2026, 7, 2))
    cards = {c.indicator: c for c in views.kpi_cards(rep)}
    assert cards["activity_sessions"].yoy == "+150.00%"      # 5 against 2
    assert cards["study_rate"].yoy is None                   # no study rows last year
    assert cards["volunteer_hours"].yoy is None


def test_latest_month():
    frames = _frames()
    assert indicators.latest_month(frames, 2026) == "2026-04"
    assert indicators.latest_month(frames, 2025) is None
