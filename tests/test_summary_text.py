"""The drafted 工作总结 paragraph: rounding words and figures traced to indicators."""
from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from analytics.metrics import indicators, progress, stars
from analytics.metrics.report import TOTAL, build_report
from analytics.present.summary_text import (
    Fact, draft_facts, draft_summary, fact_label, fact_text, rate_text, round_words,
)
from tests.report_helpers import sample_frames

AS_OF = date(2026, 3, 31)


@pytest.mark.parametrize(("value", "style", "text", "word"), [
    (551234, "total", "超55万", "超"),      # the seed's 参学 figure; not 近56万
    (550000, "total", "55万", ""),
    (120000, "count", "12万", ""),
    (120001, "count", "超12万", "超"),      # counts written in 万 take 超
    (12345, "count", "超1.2万", "超"),
    (23, "count", "20余", "余"),
    (345, "count", "300余", "余"),
    (1234, "count", "1200余", "余"),       # leading 1: two significant digits
    (2520, "count", "2500余", "余"),       # thousands: two significant digits, not 2000余
    (3520, "total", "超3500", "超"),
    (2575, "count", "近2600", "近"),
    (5954.5, "total", "近6000", "近"),
    (230, "count", "200余", "余"),         # hundreds: one digit, like the seeds' 300余
    (15, "count", "15", ""),
    (150, "count", "150", ""),
    (800, "total", "800", ""),
    (812.5, "total", "超800", "超"),
    (682, "count", "近700", "近"),
    (96, "count", "近100", "近"),
    (95, "count", "90余", "余"),           # 5 below 100 is half a step: not nearer to 100
    (1950, "count", "1900余", "余"),
    (1960, "count", "近2000", "近"),
    (9999, "count", "近1万", "近"),
    (7.5, "total", "7.5", ""),
    (3, "count", "3", ""),
    (0, "count", "0", ""),
])
def test_round_words(value, style, text, word):
    rounded = round_words(value, style)
    assert (rounded.text, rounded.word) == (text, word)


def test_round_words_refuses_negative_and_nan():
    with pytest.raises(ValueError):
        round_words(-1)
    with pytest.raises(ValueError):
        round_words(float("nan"))


@pytest.mark.parametrize(("value", "style", "text"), [
    (0.97456, "rate", "97.46%"),
    (0.9, "rate", "90.00%"),
    (0.1234, "change", "12.3%"),
    (-0.05, "change", "5.0%"),
    (0.0125, "pp", "1.25个百分点"),
])
def test_fact_text_for_rates_and_changes(value, style, text):
    assert fact_text(value, style) == text
    if style == "rate":
        assert rate_text(value) == text


def test_draft_for_one_district_reads_like_the_seed():
    report = build_report(sample_frames(), year=2026, months=(1, 3), districts=["东城区"],
                          as_of=AS_OF)
    assert draft_summary(report) == (
        "2026年1—3月，全区团员青年参学“青年大学习”1900人次，参学比例95.00%，"
        "较去年同期提升5.00个百分点。\n\n"
        "全区各级团组织共开展活动20余场次，参与青年300余人次，参与人次较去年同期增长15.0%。"
        "其中，开展心理健康活动15场次，参与青年300人次，覆盖群众500余人；"
        "开展安全教育活动8场次，参与青年40余人次，活动台账登记服务时长超800小时。"
        "按“三力一度”归类，服务力方面开展活动15场次、参与青年300人次；"
        "大局贡献度方面开展活动8场次、参与青年40余人次。\n\n"
        "据志愿服务记录，全区2名青年志愿者参与志愿服务，累计服务时长超100小时；"
        "累计服务时长达到星级标准的志愿者1名（均为一星级志愿者）。\n\n"
        "对照年度目标，活动场次完成年度目标的23.00%（序时进度24.66%），进度正常。\n\n"
        "（数据来源：各区县上报的青年大学习参学统计、活动台账和志愿服务记录；"
        "活动的服务时长按活动台账登记，志愿者的服务时长按志愿服务记录统计。）"
    )


def test_draft_for_several_districts_gives_totals_then_each_district():
    report = build_report(sample_frames(), year=2026, months=(1, 3), as_of=AS_OF)
    text = draft_summary(report)
    # the whole area speaks of 各区县 (not the clumsy 各区合计)
    assert text.startswith("2026年1—3月，各区县团员青年参学“青年大学习”2300余人次，参学比例94.00%")
    assert "各区县各级团组织共开展活动" in text and "合计" not in text
    # 三力一度: figures by dimension, and which district leads each score
    assert "按“三力一度”归类，" in text
    assert "按每百名团员计，" in text and "居各区县首位" in text
    assert "对照年度目标，参学率94.00%（目标95.00%），接近目标；" in text
    assert text.split("\n\n")[-2] == (
        "分区县看：东城区参学比例95.00%，开展活动20余场次、参与青年300余人次，"
        "志愿者2名、服务时长超100小时；西城区参学比例90.00%，开展活动6场次、"
        "参与青年近700人次，志愿者2名、服务时长60小时。")


def _indicator_value(frames, report, key: str, district: str):
    """The figure behind a fact, computed afresh from the indicator definitions."""
    whole = None if report.selection.whole_area else list(report.selection.districts)
    chosen = whole if district == TOTAL else [district]
    sel = indicators.select(frames, year=2026, months=(1, 3), until=AS_OF, districts=chosen)
    head, _, rest = key.partition(":")
    if head in ("category", "dimension"):
        category, _, field = rest.partition(":")
        acts = sel["activities"][sel["activities"][head] == category]
        column = {"activity_sessions": "sessions", "activity_participants": "participants"}
        return acts[column.get(field, field)].sum()
    if head == "yoy":
        change = indicators.yoy(frames, rest, year=2026, months=(1, 3), until=AS_OF,
                                districts=chosen)
        return change.absolute if progress.is_rate(rest) else change.relative
    if head == "target":
        indicator, _, field = rest.partition(":")
        target = progress.area_target(sel["targets"], indicator, 2026, chosen)
        actual = indicators.totals(sel)[indicator]
        return {"actual": actual, "target": target,
                "completion": progress.completion(actual, target),
                "expected": progress.expected_completion(indicator, 2026, AS_OF)}[field]
    if head == "stars":
        # volunteers who served in the selection, with every hour they served so far
        active = sel["volunteer"]["person_key"].unique()
        table = stars.volunteer_stars(frames["volunteer"], as_of=AS_OF)
        table = table[table["person_key"].isin(active)]
        starred = table[table["level"] > 0] if not rest else table[table["level"] == int(rest)]
        return len(starred)
    return indicators.totals(sel)[key]


@pytest.mark.parametrize("districts", [None, ["东城区"], ["西城区"]])
def test_every_figure_in_the_draft_is_an_indicator_after_the_rounding_rule(districts):
    frames = sample_frames()
    report = build_report(frames, year=2026, months=(1, 3), districts=districts, as_of=AS_OF)
    text = draft_summary(report)
    facts = draft_facts(report)
    assert facts, "the draft has figures"
    for fact in facts:
        assert fact.text in text, fact
        assert fact.text == fact_text(fact.value, fact.style), fact
        expected = _indicator_value(frames, report, fact.key, fact.district)
        assert fact.value == pytest.approx(expected), fact
        assert fact_label(fact)
    # no figure without a fact: strip the period label and every fact's text
    rest = text.replace(report.selection.period_label, "", 1)
    for fact in sorted(facts, key=lambda f: -len(f.text)):
        rest = rest.replace(fact.text, "")
    assert re.findall(r"\d", rest) == []


def test_fact_labels_are_chinese():
    report = build_report(sample_frames(), year=2026, months=(1, 3), as_of=AS_OF)
    labels = {fact.key: fact_label(fact) for fact in draft_facts(report)}
    assert labels["study_rate"] == "参学率"
    assert labels["category:心理健康:reached"] == "心理健康·覆盖人数"
    assert labels["yoy:activity_participants"] == "参与人次·同比"
    assert labels["target:activity_sessions:completion"] == "活动场次·目标完成率"
    assert labels["dimension:服务力:activity_sessions"] == "服务力·活动场次"
    assert fact_label(Fact("stars:1", TOTAL, 1, "count", "1")) == "一星级志愿者"


def test_draft_without_data_says_so():
    report = build_report({}, year=2026, months=(1, 12), as_of=date(2026, 12, 31))
    assert draft_summary(report) == "2026年，所选范围内暂无数据。"
    assert draft_facts(report) == []


def test_draft_counts_in_wan_use_chao_like_the_seed():
    frames = sample_frames()
    study = frames["study"].copy()
    this_year = (study["district"] == "东城区") & study["month"].str.startswith("2026")
    study.loc[this_year, ["members", "learners"]] = [282_000, 275_617]
    frames["study"] = study
    report = build_report(frames, year=2026, months=(1, 3), districts=["东城区"], as_of=AS_OF)
    # 2 × 275,617 = 551,234 learners over 564,000 members; last year 90.00%
    assert ("全区团员青年参学“青年大学习”超55万人次，参学比例97.74%，"
            "较去年同期提升7.74个百分点。") in draft_summary(report)


def test_draft_for_chosen_districts_names_them():
    report = build_report(sample_frames(), year=2026, months=(1, 3),
                          districts=["东城区", "西城区"], as_of=AS_OF)
    assert "东城区、西城区团员青年参学“青年大学习”" in draft_summary(report)


def test_draft_names_each_star_level_when_there_are_several():
    frames = sample_frames()
    vol = frames["volunteer"]
    zhang = vol[vol["person_key"] == "id:A"].iloc[[0]]
    li = vol[vol["person_key"] == "name:李四|二中团委"].iloc[[0]]
    past = dict(date=pd.Timestamp("2025-05-01"), month="2025-05", hours=20.0)
    # 张三 passes 300 hours (二星), 李四 100 hours (一星), with last year's service
    frames["volunteer"] = pd.concat([vol, *[zhang.assign(**past)] * 15,
                                     *[li.assign(**past)] * 5], ignore_index=True)
    report = build_report(frames, year=2026, months=(1, 3), districts=["东城区"], as_of=AS_OF)
    assert ("累计服务时长达到星级标准的志愿者2名（其中二星级志愿者1名、一星级志愿者1名）"
            in draft_summary(report))


def test_topic_sentence_totals_the_searched_activities_in_the_seed_style():
    from analytics.present import views
    from analytics.present.summary_text import topic_sentence
    from tests.indicators_helpers import activities

    rows = activities(*[("2026-07-0%d" % (i % 9 + 1), "青山区", "一中团委", "安全教育", 1, 14)
                        for i in range(23)])
    rows = rows.assign(title=["青少年防溺水宣传"] * 20 + ["消防演练"] * 3,
                       service_hours=[41.0] * 20 + [5.0] * 3, reached=None)
    found = views.matching_activities(rows, "防溺水")
    assert len(found) == 20
    # 20 场次 exactly; 280 人次 -> 200余 (one significant digit); 820 hours -> 超800; no 覆盖人数
    assert topic_sentence(indicators.activity_totals(found), "防溺水") \
        == "开展防溺水相关活动20场次，参与青年200余人次，总服务时长超800小时。"
    assert topic_sentence(indicators.activity_totals(views.matching_activities(rows, "没有")),
                          "没有") == ""
