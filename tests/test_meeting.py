"""会议模式 slides (analytics.present.meeting) on the bundled sample: what a room reads."""
from __future__ import annotations

import pytest

from analytics.metrics.report import build_report
from analytics.present import charts, palette
from analytics.present.meeting import slides
from analytics.store.engine import get_engine
from analytics.store.frames import load_frames
from analytics.store.sample import load_sample


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('meeting')}/sample.db"
    load_sample(get_engine(url))
    return slides(build_report(load_frames(get_engine(url)), year=2026))


def test_fourteen_slides_with_a_large_title_and_the_period(deck):
    assert len(deck) == 14
    assert deck[0].title == "各区县主要指标对比" and deck[0].table is not None
    assert all(s.subtitle.startswith("2026年 · 全部区县 · 数据截至 2026年10月31日") for s in deck)
    assert deck[7].table is not None and "区县" in deck[7].table.columns    # 三力一度 as a table
    assert not any(t.type == "scatterpolar" for s in deck if s.figure for t in s.figure.data)


def test_count_slides_show_completion_against_pace_and_red_only_for_behind(deck):
    sessions = next(s for s in deck if s.title == "活动场次完成率与序时进度")
    bars, pace = sessions.figure.data
    assert all(t.startswith("完成 ") for t in bars.text)
    assert pace.name == "序时进度" and {round(x, 4) for x in pace.x} == {0.8329}
    behind = [t.endswith("（滞后）") for t in bars.text]
    assert [c == palette.status_color("滞后") for c in bars.marker.color] == behind
    assert set(bars.marker.color) <= {charts.NEUTRAL, palette.status_color("滞后")}


def test_the_rate_ranking_axis_starts_near_the_data(deck):
    rate = next(s for s in deck if s.title == "参学率对比")
    low, high = rate.figure.layout.xaxis.range
    values = list(rate.figure.data[0].x)
    assert 0.5 < low < min(values) and high - low < 0.3   # 82.7 % and 86.4 % look different


def test_yoy_slides_are_diverging_bars_of_the_change(deck):
    study = next(s for s in deck if s.title == "参学率同比变化")
    (bar,) = study.figure.data
    assert bar.orientation == "h" and all(t.endswith("个百分点") or t == "持平" for t in bar.text)
    assert max(abs(v) for v in study.figure.layout.xaxis.range) < 1    # ±百分点, not 0–100 %
