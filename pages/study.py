"""青年大学习: monthly 参学率 and 参学人次 against the target, unit ranking, the
unit × month heatmap and the units below a threshold."""
from __future__ import annotations

import streamlit as st

from analytics.present import charts, views
from analytics.errors import AnalyticsError
from ui import session, widgets, cached

session.require_user("study")
f = widgets.page_header("青年大学习")
try:
    rep = cached.report(f)
    sel = cached.frames(f)
except AnalyticsError as exc:
    widgets.show_error(exc)
    st.stop()

study = sel.get("study")
if not views.has_rows(sel, ["study"]):
    widgets.show_empty("所选范围内还没有青年大学习数据。请导入“青年大学习”报表，或调整左侧的筛选。")
    st.stop()

by_district = st.toggle("按区县分别显示", key="study_by_district")
colors = cached.district_colors()
rate = views.trend_inputs(rep, "study_rate", by_district=by_district)
left, right = st.columns(2)
with left:
    widgets.chart(charts.trend_chart(rate.monthly, "study_rate", target=rate.target, colors=colors,
                                title="月度参学率"), key="study_rate_trend")
with right:
    widgets.chart(charts.trend_chart(rate.monthly, "study_learners", bars=True, colors=colors,
                                title="月度参学人次"), key="study_learners_trend")

st.subheader("单位排名")
units = cached.unit_summary(f)
show = st.segmented_control("显示", ["最低 20 个", "最高 20 个", "全部"], default="最低 20 个",
                            key="study_rank_scope")
ranked = views.top_rows(units, "study_rate", None if show == "全部" else 20,
                        lowest=show != "最高 20 个")
widgets.chart(charts.ranking_bar(ranked, "study_rate", by="unit", target=rate.target,
                            title="各单位参学率排名"), key="study_unit_ranking")

st.subheader("各单位月度参学率")
cells, unit_count = views.heatmap_rows(study, max_units=40)
if unit_count > 40:
    st.caption(f"共 {unit_count} 个单位，图中为参学率最低的 40 个；在左侧选择区县或单位可查看其余单位。")
widgets.chart(charts.heatmap_units_months(cells), key="study_heatmap")

st.subheader("低于参学率标准的单位")
threshold = st.slider("参学率标准", 50, 100, 90, step=1, format="%d%%", key="study_threshold")
below = views.units_below(study, threshold / 100)
if len(below):
    st.caption(f"参学率低于 {threshold}% 的单位共 {len(below)} 个，按参学率从低到高排列。")
    widgets.table(below, key="study_below")
else:
    st.success(f"所有单位参学率均不低于 {threshold}%。")
