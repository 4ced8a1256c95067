"""青年大学习: monthly 参学率 and 参学人次 against the target, unit ranking, the
unit × month heatmap, the units below a threshold, and — from learner records —
参学率 per 团支部 with the 未学名单 download (names only for those allowed)."""
from __future__ import annotations

import streamlit as st

from analytics import access
from analytics.present import absent_list, charts, views
from analytics.errors import AnalyticsError, PermissionDenied
from ui import session, widgets, cached

user = session.require_user("study")
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
    widgets.table(below, key="study_below", download=f"参学率低于{threshold}%的单位_{f.period_label}")
else:
    st.success(f"所有单位参学率均不低于 {threshold}%。")

choices = views.record_choices(cached.loaded(f), f.year, f.districts,
                               st.session_state.get("study_branch_month"))
if choices.months:
    st.subheader("团支部参学率与未学名单")
    st.caption("按导入的学习记录和当月有效的团员名单统计；同一人同一期多次学习只计一次。")
    left, mid, right = st.columns(3)
    month = left.selectbox("月份", choices.months, key="study_branch_month")
    period = mid.selectbox("期次", [views.ALL_PERIODS, *choices.periods], key="study_branch_period")
    unit = right.selectbox("单位", [views.ALL_UNITS, *choices.units], key="study_branch_unit")
    scope = dict(month=month, period=period, unit=unit)
    widgets.table(views.branch_section(cached.loaded(f), districts=f.districts, **scope),
                  key="study_branch_rates", download=f"团支部参学率_{month}")
    try:
        allowed = access.name_districts(user, f.districts or None)
    except PermissionDenied:
        st.caption("未学名单含个人姓名，仅管理员和本区县的填报员可以查看和下载。")
    else:
        absent = views.absent_section(cached.loaded(f), districts=allowed, **scope)
        st.caption(f"未学团员 {len(absent['absent'])} 人；参学但不在团员名单中"
                   f"（非团员青年或姓名填写不一致）{len(absent['not_on_roster'])} 人。")
        st.download_button(
            "下载未学名单（Excel，每个团支部一张表）", absent_list.absent_xlsx(absent),
            file_name=absent_list.absent_filename(absent, unit if unit != views.ALL_UNITS
                                                  else "、".join(allowed or ["全部区县"])),
            key="study_absent_xlsx", icon=":material/download:",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
