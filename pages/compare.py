"""区县对比: districts side by side for the sidebar's period — a ranked table, a
sorted bar per indicator with targets, the 三力一度 radar and 同比 — and 会议模式
(`?meeting=1`): large type, no sidebar, one chart per screen."""
from __future__ import annotations

import streamlit as st

from analytics.present import charts, labels, summary_views, views
from analytics.present.meeting import slides as meeting_slides
from analytics.errors import AnalyticsError
from analytics import schema
from ui import session, widgets, cached

# constant style, no user text: no sidebar, no page chrome, a 16:9 slide in large type;
# the slide controls fade out until the mouse comes near them
MEETING_CSS = """
<style>
section[data-testid="stSidebar"], div[data-testid="stSidebarCollapsedControl"],
button[data-testid="stExpandSidebarButton"], header[data-testid="stHeader"] { display: none !important; }
div[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 1rem 2.5rem 0 !important; }
.st-key-meeting_slide_box { aspect-ratio: 16 / 9; max-height: 94vh; margin: 0 auto; width: 100%; }
.st-key-meeting_slide_box h1 { font-size: 3.2rem !important; padding: 0 0 .2rem !important; }
.st-key-meeting_slide_box div[data-testid="stCaptionContainer"] p { font-size: 1.35rem !important; }
div[data-testid="stTable"] table { font-size: 1.6rem !important; }
div[data-testid="stTable"] th { font-size: 1.45rem !important; }
div[data-testid="stTable"] th, div[data-testid="stTable"] td { white-space: nowrap; }
.st-key-meeting_controls { position: fixed; bottom: .4rem; left: 2.5rem; right: 2.5rem; z-index: 999;
  opacity: 0; transition: opacity .3s; background: rgba(255,255,255,.95); padding: .3rem .6rem;
  border-radius: .5rem; }
.st-key-meeting_controls:hover, .st-key-meeting_controls:focus-within { opacity: 1; }
.st-key-meeting_keys, .st-key-sample_notice { display: none !important; }
</style>
"""
MEETING_KEY = "meeting_mode"
SLIDE_KEY = "meeting_slide"

if MEETING_KEY not in st.session_state:
    st.session_state[MEETING_KEY] = st.query_params.get("meeting") in ("1", "true")

session.require_user("compare")
meeting = bool(st.session_state.get(MEETING_KEY))
if meeting:
    f = cached.filters()
    st.query_params["meeting"] = "1"
    st.html(MEETING_CSS)
else:
    f = widgets.page_header("区县对比")
    st.toggle("会议模式（全屏幻灯片，方向键或翻页笔翻页）", key=MEETING_KEY)
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
table = views.comparison_table(rep.comparison, compact=True)   # value and rank in one cell: fits 1440 px


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
    deck = meeting_slides(rep)
    titles = [slide.title for slide in deck]
    if st.session_state.get(SLIDE_KEY) not in titles:
        st.session_state[SLIDE_KEY] = titles[0]

    def step(delta: int) -> None:
        current = titles.index(st.session_state.get(SLIDE_KEY, titles[0]))
        st.session_state[SLIDE_KEY] = titles[(current + delta) % len(titles)]

    def leave() -> None:
        st.session_state[MEETING_KEY] = False

    slide = deck[titles.index(st.session_state[SLIDE_KEY])]
    with st.container(key="meeting_slide_box"):
        st.title(slide.title)
        st.caption(slide.subtitle)
        if slide.table is not None:
            st.table(slide.table.set_index(slide.table.columns[0]))
        else:
            slide.figure.update_layout(height=620)
            widgets.chart(slide.figure, key="meeting_chart")
    with st.container(key="meeting_controls", horizontal=True, vertical_alignment="center"):
        st.button("◀ 上一张", key="meeting_prev", on_click=step, args=(-1,), shortcut="Left")
        st.selectbox("当前幻灯片", titles, key=SLIDE_KEY, label_visibility="collapsed",
                     width=420)
        st.button("下一张 ▶", key="meeting_next", on_click=step, args=(1,), shortcut="Right")
        st.caption(f"第 {titles.index(slide.title) + 1} / {len(titles)} 张 · ←/→、PageUp/PageDown 翻页")
        st.button("退出会议模式", key="meeting_exit", on_click=leave, shortcut="Esc")
    with st.container(key="meeting_keys"):     # a clicker sends PageUp / PageDown
        st.button("上一张", key="meeting_page_up", on_click=step, args=(-1,), shortcut="PageUp")
        st.button("下一张", key="meeting_page_down", on_click=step, args=(1,), shortcut="PageDown")
    st.stop()

st.subheader("对比总表")
widgets.table(table, key="compare_table", download=f"区县对比总表_{f.period_label}")
st.subheader("同比与环比")
st.caption("同比与上年同期相比；环比为各区县最近上报的一个月与上月相比。")
widgets.table(cached.comparison_changes(f), key="compare_changes")

st.subheader("各指标对比")
for start in range(0, len(views.COMPARE_INDICATORS), 2):
    for col, indicator in zip(st.columns(2), views.COMPARE_INDICATORS[start:start + 2]):
        with col:
            widgets.chart(cached.figure(f"compare_{indicator}",
                                        lambda i=indicator: comparison_chart(i, False), f),
                          key=f"compare_{indicator}")

st.subheader("三力一度")
left, right = st.columns([3, 2])
with left:
    widgets.chart(cached.figure("compare_radar", lambda: radar_chart(False), f),
                  key="compare_radar")
with right:
    widgets.table(views.three_forces_table(rep.three_forces), key="compare_three_forces")
    st.caption("得分：各维度活动参与人次（大局贡献度另计志愿服务时长）每百名团员的人均值，"
               "以对比区县中的最高者为 100 分。")

st.subheader("评优表彰")
if summary_views.has_honours(rep):
    widgets.chart(charts.honours_district_bar(
        rep.honour_types_by_district,
        targets=views.district_targets(rep, schema.HONOURS_TARGET)), key="compare_honours")
    widgets.table(summary_views.honours_district_table(rep), key="compare_honours_table")
    widgets.table(summary_views.honours_by_honour_table(rep), key="compare_honours_detail")
    honour_targets = summary_views.summary_target_table(rep, schema.HONOURS_TARGET)
    if len(honour_targets):
        widgets.table(views.styled_status(honour_targets), key="compare_honours_targets")
else:
    widgets.show_empty(summary_views.EMPTY_HONOURS)

st.subheader("组织建设")
if summary_views.has_organisation(rep):
    items = summary_views.organisation_items(rep)
    item = st.selectbox("组织建设项目", list(items), key="compare_organisation_item", width=320)
    target = schema.organisation_target(item)
    widgets.chart(charts.organisation_district_bar(
        rep.organisation_by_district, item, measure=items[item], colors=colors,
        targets=views.district_targets(rep, target)), key="compare_organisation")
    item_targets = summary_views.summary_target_table(rep, target)
    if len(item_targets):
        widgets.table(views.styled_status(item_targets), key="compare_organisation_targets")
    widgets.table(summary_views.organisation_district_table(rep),
                  key="compare_organisation_table")
else:
    widgets.show_empty(summary_views.EMPTY_ORGANISATION)

st.subheader("同比")
yoy_indicator = st.selectbox("指标", list(views.COMPARE_INDICATORS), key="compare_yoy_indicator",
                             format_func=labels.indicator_label)
widgets.chart(cached.figure(f"compare_yoy_{yoy_indicator}",
                            lambda: yoy_chart(yoy_indicator, False), f), key="compare_yoy")

widgets.export_panel(rep, key="compare")
