from datetime import date

import pandas as pd
import pytest

from analytics.present import charts, palette
from analytics.metrics import dimensions, indicators, progress, stars
from tests.indicators_helpers import activities, study, volunteer

STUDY = study(
    ("2026-01", "东城区", "一中团委", 100, 96), ("2026-01", "东城区", "二中团委", 100, 85),
    ("2026-02", "东城区", "一中团委", 100, 91), ("2026-02", "西城区", "三中团委", 50, 40),
)
ACTS = activities(
    ("2026-01-05", "东城区", "一中团委", "志愿服务", 2, 30),
    ("2026-02-10", "西城区", "三中团委", "心理健康", 1, 15),
    ("2026-02-11", "西城区", "三中团委", "思想引领", 1, 12000),
    ("2025-02-11", "西城区", "三中团委", "思想引领", 1, 100),
)
VOL = volunteer(("V1", "甲", "东城区", "一中团委", "2026-01-05", 120),
                ("V2", "乙", "西城区", "三中团委", "2026-02-05", 3))
FRAMES = {"study": STUDY, "activities": ACTS, "volunteer": VOL}
COLORS = palette.district_colors(["西城区", "东城区", "朝阳区"])


def _bars(fig):
    return [t for t in fig.data if t.type == "bar"]


def assert_empty(fig, title):
    assert fig.layout.title.text == title
    assert len(fig.data) == 0
    assert [a.text for a in fig.layout.annotations] == ["暂无数据"]
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False


def test_district_colours_are_stable_by_sorted_name():
    assert COLORS == {"东城区": "#1f77b4", "朝阳区": "#ff7f0e", "西城区": "#2ca02c"}
    assert palette.status_color("滞后") == "#c62828"
    assert palette.band_color(0.96) == "#2e7d32" and palette.band_color(None) == palette.MISSING


def test_kpi_bullet_counts_shows_target_and_progress_band():
    fig = charts.kpi_bullet("activity_participants", 450, target=1000, expected=0.5)
    (trace,) = fig.data
    assert trace.type == "indicator" and trace.gauge.shape == "bullet"
    assert trace.value == 450 and trace.number.suffix == "人次"
    assert trace.gauge.threshold.value == 1000
    assert trace.gauge.steps[0].range == (0, 500)          # 序时目标
    assert trace.gauge.bar.color == palette.STATUS_COLORS["正常"]
    assert fig.layout.title.text == "参与人次"
    assert fig.layout.title.subtitle.text == "目标 1,000人次 · 完成 45.0% · 正常 · 序时进度 50.0%"


def test_kpi_gauge_rate_and_wan_scaling():
    rate = charts.kpi_gauge("study_rate", 0.9746, target=0.95)
    assert rate.data[0].value == pytest.approx(97.46) and rate.data[0].number.suffix == "%"
    assert rate.data[0].gauge.threshold.value == pytest.approx(95)
    assert rate.data[0].gauge.bar.color == palette.STATUS_COLORS["超前"]
    big = charts.kpi_gauge("study_learners", 551234, shape="angular")
    assert big.data[0].value == pytest.approx(55.1234) and big.data[0].number.suffix == "万人次"
    assert big.data[0].gauge.threshold.value is None
    assert_empty(charts.kpi_gauge("study_rate", None), "参学率")


def test_trend_chart_lines_per_district_with_target_pace():
    monthly = indicators.monthly(FRAMES, 2026, until=date(2026, 3, 31))
    pace = progress.target_pace(365, 2026)
    fig = charts.trend_chart(monthly, "activity_participants", cumulative=True,
                             target_pace=pace, colors=COLORS)
    assert [t.name for t in fig.data] == ["东城区", "西城区", "目标序时进度"]
    east, west, target = fig.data
    assert east.type == "scatter" and east.x == ("1月", "2月", "3月")
    assert east.y.tolist() == [30, 30, 30] and west.y.tolist() == [0, 12015, 12015]
    assert east.line.color == "#1f77b4" and west.line.color == "#2ca02c"
    assert target.line.dash == "dash" and target.y[:2].tolist() == [31.0, 59.0]
    assert west.customdata[1] == "1.20万人次"
    assert fig.layout.title.text == "参与人次累计月度趋势"
    assert fig.layout.xaxis.title.text == "月份"
    assert fig.layout.yaxis.title.text == "参与人次（人次）"


def test_trend_chart_rate_target_line_and_bars():
    monthly = indicators.monthly(FRAMES, 2026, ["东城区"])
    fig = charts.trend_chart(monthly, "study_rate", target=0.95, bars=True)
    assert _bars(fig)[0].y.tolist() == [181 / 200, 0.91]
    (line,) = fig.layout.shapes
    assert (line.y0, line.y1) == (0.95, 0.95)
    assert fig.layout.annotations[0].text == "目标 95.00%"
    assert fig.layout.yaxis.tickformat == ".0%"
    assert_empty(charts.trend_chart(monthly.iloc[:0], "study_rate"), "参学率月度趋势")


def test_trend_chart_rate_line_zooms_to_the_values_and_target():
    monthly = indicators.monthly(FRAMES, 2026, ["东城区"])      # 90.5 %, 91 %
    line = charts.trend_chart(monthly, "study_rate", target=0.95)
    assert line.layout.yaxis.range == (0.85, 1.0)
    bars = charts.trend_chart(monthly, "study_rate", target=0.95, bars=True)
    assert bars.layout.yaxis.range is None and bars.layout.yaxis.rangemode == "tozero"


def test_ranking_bar_rates_sorted_with_band_colours_and_target():
    table = indicators.summarize(FRAMES, by=["district", "unit"])
    fig = charts.ranking_bar(table, "study_rate", by="unit", target=0.9)
    (bar,) = fig.data
    assert bar.orientation == "h"
    assert bar.y == ("三中团委", "二中团委", "一中团委")           # highest on top
    assert bar.x.tolist() == [0.8, 0.85, 187 / 200]
    assert list(bar.marker.color) == ["#f9a825", "#f9a825", "#1565c0"]
    assert list(bar.text) == ["80.00%", "85.00%", "93.50%"]
    (line,) = fig.layout.shapes
    assert (line.x0, line.x1) == (0.9, 0.9)
    assert fig.layout.title.text == "各单位参学率排名"
    assert fig.layout.xaxis.title.text == "参学率（%）"


def test_ranking_bar_counts_use_district_colours_and_empty():
    table = indicators.summarize(FRAMES)
    fig = charts.ranking_bar(table, "activity_participants", colors=COLORS)
    assert fig.data[0].y == ("东城区", "西城区")
    assert list(fig.data[0].marker.color) == ["#1f77b4", "#2ca02c"]
    assert fig.layout.shapes == ()
    assert_empty(charts.ranking_bar(pd.DataFrame(), "study_rate"), "各区参学率排名")


def test_comparison_bar_with_target_markers():
    table = indicators.summarize(indicators.select(FRAMES, year=2026))
    fig = charts.comparison_bar(table, "volunteer_hours", targets={"东城区": 200.0},
                                colors=COLORS)
    bar, target = fig.data
    assert bar.x == ("东城区", "西城区") and bar.y.tolist() == [120.0, 3.0]
    assert target.name == "目标" and target.x == ("东城区",) and target.y == (200.0,)
    assert fig.layout.title.text == "各区志愿服务时长对比"
    assert fig.layout.yaxis.title.text == "志愿服务时长（小时）"
    assert not fig.layout.xaxis.title.text and fig.layout.xaxis.tickangle == 0   # no "区" under it


def test_completion_bar_labels_and_pace_marks_and_red_only_for_behind():
    rows = pd.DataFrame({"name": ["东湖区", "北岭区"], "completion": [0.9371, 0.6794],
                         "expected": [0.8329, 0.9151], "status": ["超前", "滞后"]})
    fig = charts.completion_bar(rows)
    bars, pace = fig.data
    assert list(bars.y) == ["北岭区", "东湖区"]                      # first row on top
    assert list(bars.text) == ["完成 67.9%（滞后）", "完成 93.7%"]
    assert list(bars.marker.color) == [palette.status_color("滞后"), charts.NEUTRAL]
    assert pace.name == "序时进度" and list(pace.x) == [0.9151, 0.8329]


def test_change_bar_shows_the_change_itself_and_flat_as_flat():
    yoy = pd.DataFrame({"district": ["东湖区", "北岭区", "临江区"], "indicator": "study_rate",
                        "current": [0.9664, 0.8919, 0.94], "previous": [0.9654, 0.8935, 0.94],
                        "change": [0.001, -0.0016, -0.00001], "change_rel": [None] * 3})
    fig = charts.change_bar(yoy, "study_rate")
    (bar,) = fig.data
    assert list(bar.y) == ["北岭区", "临江区", "东湖区"]
    assert list(bar.text) == ["-0.16个百分点", "持平", "+0.10个百分点"]
    assert fig.layout.xaxis.range[1] < 1          # a ±0.2 百分点 axis, not 0–100 %


def test_yoy_bar_current_and_previous():
    table = indicators.yoy_table(FRAMES, year=2026, months=(1, 2))
    fig = charts.yoy_bar(table, "activity_participants")
    before, now = fig.data
    assert (before.name, now.name) == ("上年同期", "本期")
    assert now.y.tolist() == [30.0, 12015.0]
    assert before.y[1] == 100.0 and pd.isna(before.y[0])
    assert list(now.text) == ["", "+11915.0%"]
    assert now.customdata[1].tolist() == ["1.20万人次", "+1.19万人次（+11915.00%）"]
    assert now.customdata[0].tolist() == ["30人次", "无上年数据"]
    assert fig.layout.title.text == "参与人次同比"
    no_last_year = charts.yoy_bar(table, "volunteer_hours")
    assert "上年同期无数据" in [a.text for a in no_last_year.layout.annotations]


def test_heatmap_units_months_bands():
    fig = charts.heatmap_units_months(indicators.unit_month_rates(STUDY))
    (heat,) = fig.data
    assert heat.type == "heatmap"
    assert heat.x == ("1月", "2月")
    assert heat.y == ("西城区·三中团委", "东城区·二中团委", "东城区·一中团委")
    assert heat.text[2] == ["96.00%", "91.00%"] and heat.text[0][0] == "—"
    # band index: 0 预警, 1 关注, 2 达标, 3 优秀
    assert heat.z.tolist()[2] == [3.0, 2.0] and heat.z.tolist()[1][0] == 1.0
    assert heat.colorbar.ticktext == ("预警", "关注 ≥80%", "达标 ≥90%", "优秀 ≥95%")
    assert fig.layout.title.text == "各单位月度参学率"
    assert_empty(charts.heatmap_units_months(indicators.unit_month_rates(STUDY.iloc[:0])),
                 "各单位月度参学率")


def test_category_and_dimension_bars():
    acts = indicators.select(FRAMES, year=2026)["activities"]
    fig = charts.category_bar(indicators.activities_by_category(acts))
    assert [t.name for t in fig.data] == ["引领力", "服务力", "大局贡献度"]
    assert fig.data[0].x == ("思想引领",) and fig.data[0].y.tolist() == [12000.0]
    assert fig.data[0].marker.color == palette.DIMENSION_COLORS["引领力"]
    # category names read horizontally (wrapped, never rotated 90°), no axis title
    assert fig.layout.xaxis.tickangle == 0 and not fig.layout.xaxis.title.text
    dims = charts.dimension_bar(indicators.activities_by_dimension(acts), "activity_sessions")
    assert dims.data[0].x == ("引领力", "服务力", "大局贡献度")
    assert dims.data[0].y.tolist() == [1.0, 1.0, 2.0]
    assert dims.layout.title.text == "三力一度活动场次"


def test_star_distribution_bar():
    dist = stars.star_distribution(stars.volunteer_stars(VOL))
    fig = charts.star_distribution_bar(dist)
    (bar,) = fig.data
    assert bar.x[:2] == ("一星级志愿者", "二星级志愿者") and bar.y.tolist() == [1, 0, 0, 0, 0]
    assert fig.layout.title.subtitle.text == "另有 1 名志愿者累计服务时长未达一星级（100小时）"
    assert fig.layout.yaxis.title.text == "志愿者人数（人）"
    none = charts.star_distribution_bar(stars.star_distribution(stars.volunteer_stars(VOL.iloc[1:])))
    assert none.data[0].y.tolist() == [0, 0, 0, 0, 0]
    assert none.layout.title.subtitle.text.startswith("暂无累计服务时长达到星级标准的志愿者；另有 1 名")
    by = charts.star_distribution_bar(stars.star_distribution(stars.volunteer_stars(VOL),
                                                              by="district"), by="district")
    assert [t.name for t in by.data] == ["东城区", "西城区"]
    assert_empty(charts.star_distribution_bar(stars.star_distribution(
        stars.volunteer_stars(VOL.iloc[:0]))), "星级志愿者分布")


def test_radar_three_forces_one_closed_trace_per_district():
    scores = dimensions.three_forces(indicators.select(FRAMES, year=2026))
    fig = charts.radar_three_forces(scores, colors=COLORS)
    assert [t.name for t in fig.data] == ["东城区", "西城区"]
    east = fig.data[0]
    assert east.type == "scatterpolar"
    assert east.theta == ("引领力", "组织力", "服务力", "大局贡献度", "引领力")
    assert east.r[0] == east.r[-1] and east.line.color == "#1f77b4"
    assert fig.layout.polar.radialaxis.range == (0, 100)
    assert fig.layout.title.text == "三力一度对比"
    assert_empty(charts.radar_three_forces(scores.iloc[:0]), "三力一度对比")


def test_large_mode_has_bigger_fonts():
    table = indicators.summarize(FRAMES)
    small = charts.comparison_bar(table, "activity_sessions")
    large = charts.comparison_bar(table, "activity_sessions", large=True)
    assert (small.layout.font.size, large.layout.font.size) == (14, 22)
    assert large.layout.title.font.size > small.layout.title.font.size


def test_large_count_axes_read_in_wan_small_ones_plainly():
    summary = pd.DataFrame({"district": ["东城区", "西城区"], "study_learners": [551234, 120000]})
    fig = charts.comparison_bar(summary, "study_learners", targets={"东城区": 600000})
    assert fig.layout.yaxis.ticktext[:4] == ("0", "20万", "40万", "60万")
    assert fig.layout.yaxis.tickvals[-1] >= 600000          # the target is on the axis too
    small = charts.comparison_bar(summary.assign(study_learners=[4000, 300]), "study_learners")
    assert small.layout.yaxis.ticktext is None and small.layout.yaxis.tickformat == ","
    ranked = charts.ranking_bar(summary, "study_learners")
    assert ranked.layout.xaxis.ticktext[1] == "20万"
