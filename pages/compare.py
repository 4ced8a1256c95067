"""区县对比: districts side by side for the sidebar's period — a ranked table, a
sorted bar per indicator with targets, the 三力一度 radar and 同比 — and 会议模式
(`?meeting=1`): large type, no sidebar, one chart per screen."""
from __future__ import annotations

import streamlit as st

from analytics.present import charts, labels, views
from analytics.errors import AnalyticsError
from ui import session, widgets, cached

# constant style, no user text: hide the sidebar and enlarge type for a room
MEETING_CSS = """
<style>
section[data-testid="stSidebar"], div[data-testid="stSidebarCollapsedControl"],
button[data-testid="stExpandSidebarButton"] { display: none !important; }
div[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding-top: 1.5rem; }
h1 { font-size: 3rem !important; }
div[data-testid="stCaptionContainer"] p { font-size: 1.3rem !important; }
div[data-testid="stTable"] table { font-size: 1.5rem !important; }
div[data-testid="stTable"] th { font-size: 1.4rem !important; }
div[data-testid="stTable"] th, div[data-testid="stTable"] td { white-space: nowrap; }
</style>
"""
MEETING_KEY = "meeting_mode"
SLIDE_KEY = "meeting_slide"

if MEETING_KEY not in st.session_state:
    st.session_state[MEETING_KEY] = st.query_params.get("meeting") in ("1", "true")

session.require_user("compare")
f = widgets.page_header("区县对比")
meeting = st.toggle("会议模式（大字号、隐藏侧栏、一屏一图）", key=MEETING_KEY)
if meeting:
    st.query_params["meeting"] = "1"
    st.html(MEETING_CSS)
else:
    st.query_params.pop("meeting", None)

try:
    rep = cached.report(f)
except AnalyticsError as exc:
    widgets.show_error(exc)
    st.stop()

if not len(rep.comparison) or not views.has_rows(cached.frames(f)):
    widgets.show_empty("所选范围内还没有可对比的区县数据。请调整左侧的年度、月份和区县。")
    st.stop()

colors = cached.district_colors()
table = views.comparison_table(rep.comparison, report=rep)


def comparison_chart(indicator: str, large: bool):
    ordered = views.top_rows(rep.comparison, indicator, None)
    return charts.comparison_bar(ordered, indicator, targets=views.district_targets(rep, indicator),
                                 colors=colors, large=large,
                                 title=f"各区县{labels.indicator_label(indicator)}（从高到低）")


def yoy_chart(indicator: str, large: bool):
    return charts.yoy_bar(views.district_yoy(rep), indicator, large=large,
                          title=f"{labels.indicator_label(indicator)}同比（与上年同期）")


def radar_chart(large: bool):
    return charts.radar_three_forces(rep.three_forces, colors=colors, large=large)


if meeting:
    slides = ["对比总表",
              *(f"{labels.indicator_label(i)}对比" for i in views.COMPARE_INDICATORS),
              "三力一度雷达图",
              *(f"{labels.indicator_label(i)}同比" for i in views.COMPARE_INDICATORS)]

    def step(delta: int) -> None:
        current = slides.index(st.session_state.get(SLIDE_KEY, slides[0]))
        st.session_state[SLIDE_KEY] = slides[(current + delta) % len(slides)]

    nav = st.columns([1, 4, 1], vertical_alignment="bottom")
    nav[0].button("◀ 上一张", key="meeting_prev", on_click=step, args=(-1,), width="stretch")
    slide = nav[1].selectbox("当前图表", slides, key=SLIDE_KEY)
    nav[2].button("下一张 ▶", key="meeting_next", on_click=step, args=(1,), width="stretch")
    position = slides.index(slide)
    n = len(views.COMPARE_INDICATORS)
    if position == 0:
        st.table(views.comparison_table(rep.comparison, compact=True).set_index("区县"))
    elif position <= n:
        widgets.chart(comparison_chart(views.COMPARE_INDICATORS[position - 1], True),
                 key="meeting_chart")
    elif position == n + 1:
        widgets.chart(radar_chart(True), key="meeting_chart")
    else:
        widgets.chart(yoy_chart(views.COMPARE_INDICATORS[position - n - 2], True), key="meeting_chart")
    st.caption(f"第 {position + 1} / {len(slides)} 张")
    st.stop()

st.subheader("对比总表")
widgets.table(table, key="compare_table")

st.subheader("各指标对比")
for start in range(0, len(views.COMPARE_INDICATORS), 2):
    for col, indicator in zip(st.columns(2), views.COMPARE_INDICATORS[start:start + 2]):
        with col:
            widgets.chart(comparison_chart(indicator, False), key=f"compare_{indicator}")

st.subheader("三力一度")
left, right = st.columns([3, 2])
with left:
    widgets.chart(radar_chart(False), key="compare_radar")
with right:
    widgets.table(views.three_forces_table(rep.three_forces), key="compare_three_forces")
    st.caption("得分：各维度活动参与人次（大局贡献度另计志愿服务时长）每百名团员的人均值，"
               "以对比区县中的最高者为 100 分。")

st.subheader("同比")
yoy_indicator = st.selectbox("指标", list(views.COMPARE_INDICATORS), key="compare_yoy_indicator",
                             format_func=labels.indicator_label)
widgets.chart(yoy_chart(yoy_indicator, False), key="compare_yoy")

widgets.export_panel(rep, key="compare")
