"""活动开展: activities by category and 三力一度 dimension, by month, by unit,
a searchable list of every activity, and 新媒体 (articles, reads by platform, 栏目 and month)."""
from __future__ import annotations

import streamlit as st

from analytics.present import charts, labels, summary_text, summary_views, views
from analytics.metrics import indicators
from analytics.errors import AnalyticsError
from ui import session, widgets, cached

session.require_user("activities")
f = widgets.page_header("活动开展")
try:
    rep = cached.report(f)
    sel = cached.frames(f)
except AnalyticsError as exc:
    widgets.show_error(exc)
    st.stop()


def show_activities() -> None:
    """The activities part; without activity rows only a notice (新媒体 still shows below)."""
    acts = sel.get("activities")
    if not views.has_rows(sel, ["activities"]):
        widgets.show_empty("所选范围内还没有活动数据。请导入“活动台账”报表，或调整左侧的筛选。")
        return

    measure = st.segmented_control("统计口径", list(views.ACTIVITY_MEASURES), default="activity_sessions",
                                   format_func=labels.indicator_label, key="activities_measure")
    measure = measure or "activity_sessions"
    left, right = st.columns([3, 2])
    with left:
        widgets.chart(charts.category_bar(indicators.activities_by_category(acts), measure,
                                     title=f"各类别{labels.indicator_label(measure)}"),
                 key="activities_by_category")
    with right:
        widgets.chart(charts.dimension_bar(indicators.activities_by_dimension(acts), measure,
                                      title=f"三力一度各维度{labels.indicator_label(measure)}"),
                 key="activities_by_dimension")

    by_district = st.toggle("按区县分别显示", key="activities_by_district")
    trend = views.trend_inputs(rep, measure, by_district=by_district)
    widgets.chart(charts.trend_chart(trend.monthly, measure, bars=True, colors=cached.district_colors(),
                                title=f"月度{labels.indicator_label(measure)}"),
             key="activities_trend")

    units = views.top_rows(cached.unit_summary(f), measure, 20)
    widgets.chart(charts.ranking_bar(units, measure, by="unit",
                                title=f"{labels.indicator_label(measure)}最多的 20 个单位"),
             key="activities_unit_ranking")

    st.subheader("活动清单")
    text = st.text_input("搜索", key="activities_search", placeholder="输入活动名称、单位、类别等关键词，空格分隔多个词")
    rows = views.activity_list(acts, text)
    st.caption(f"共 {len(rows)} 项活动" + ("（已按关键词筛选）" if text.strip() else ""))
    if text.strip() and len(rows):
        sentence = summary_text.topic_sentence(
            indicators.activity_totals(views.matching_activities(acts, text)), text)
        st.code(sentence, language=None, wrap_lines=True)
        st.caption("以上为所筛选活动的合计，可复制到工作总结（右上角复制按钮）。")
    if len(rows):
        widgets.table(rows, key="activities_table",
                      download=f"活动明细_{f.period_label}")
    else:
        widgets.show_empty("没有符合关键词的活动。")


def show_media() -> None:
    """新媒体: 篇数, 阅读量, 转发, 参与人数 by platform or 栏目/专题, and by month."""
    st.subheader("新媒体")
    if not summary_views.has_media(rep):
        widgets.show_empty(summary_views.EMPTY_MEDIA)
        return
    widgets.count_cards(summary_views.media_cards(rep), per_row=4)
    measure = st.segmented_control("新媒体统计口径", list(labels.MEDIA_MEASURE_LABELS),
                                   default="articles", format_func=labels.media_measure_label,
                                   key="media_measure") or "articles"
    group = st.segmented_control("分组", ["platform", "column"], default="platform",
                                 format_func=labels.MEDIA_GROUP_LABELS.get,
                                 key="media_group") or "platform"
    grouped = summary_views.media_of(rep, group)
    left, right = st.columns(2)
    with left:
        widgets.chart(charts.media_bar(grouped, group, measure), key="media_by_group")
    with right:
        widgets.chart(charts.media_bar(rep.media_by_month, "month", measure), key="media_by_month")
    widgets.table(summary_views.media_group_table(grouped, group), key="media_table")
    widgets.table(summary_views.media_group_table(rep.media_by_month, "month"),
                  key="media_month_table")


show_activities()
show_media()
