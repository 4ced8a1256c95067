"""志愿服务: hours and distinct volunteers per month, 星级 distribution, units
ranked, and a searchable list of volunteers with cumulative hours and star level."""
from __future__ import annotations

import streamlit as st

from analytics import access
from analytics.present import charts, views
from analytics.metrics import stars
from analytics.errors import AnalyticsError
from ui import session, widgets, cached

user = session.require_user("volunteer")
f = widgets.page_header("志愿服务")
try:
    rep = cached.report(f)
    sel = cached.frames(f)
    people = cached.stars(f)
except AnalyticsError as exc:
    widgets.show_error(exc)
    st.stop()

if not views.has_rows(sel, ["volunteer"]):
    widgets.show_empty("所选范围内还没有志愿服务记录。请导入“志愿服务记录”报表，或调整左侧的筛选。")
    st.stop()

by_district = st.toggle("按区县分别显示", key="volunteer_by_district")
colors = cached.district_colors()
left, right = st.columns(2)
with left:
    hours = views.trend_inputs(rep, "volunteer_hours", by_district=by_district)
    widgets.chart(charts.trend_chart(hours.monthly, "volunteer_hours", bars=True, colors=colors,
                                title="月度志愿服务时长"), key="volunteer_hours_trend")
with right:
    widgets.chart(charts.trend_chart(hours.monthly, "volunteer_count", colors=colors,
                                title="月度志愿者人数（当月服务过的人数）"),
             key="volunteer_count_trend")

left, right = st.columns(2)
with left:
    widgets.chart(charts.star_distribution_bar(stars.star_distribution(people),
                                          title="星级志愿者分布（累计服务时长）"),
             key="volunteer_stars")
with right:
    units = views.top_rows(cached.unit_summary(f), "volunteer_hours", 15)
    widgets.chart(charts.ranking_bar(units, "volunteer_hours", by="unit",
                                title="志愿服务时长最多的 15 个单位"),
             key="volunteer_unit_ranking")

if not access.sees_people(user):
    # the public view: aggregates only, no names, ids or phone numbers (nor a search over them)
    st.caption("公开视图只显示汇总数据；志愿者名单请登录后查看。")
    st.stop()

st.subheader("志愿者名单")
st.caption("名单含往年服务过的志愿者：累计服务时长为截至所选期末的全部服务记录之和，星级按累计时长评定。")
text = st.text_input("搜索", key="volunteer_search", placeholder="输入姓名、编号、单位或星级，空格分隔多个词")
# names are personal data: a unit account reads (and downloads) its own units' volunteers only
rows = views.volunteer_list(people, text, reader=user)
st.caption(f"共 {len(rows)} 名志愿者" + ("（已按关键词筛选）" if text.strip() else ""))
if len(rows):
    widgets.table(rows, key="volunteer_table", download=f"志愿者名单_{f.period_label}")
else:
    widgets.show_empty("没有符合关键词的志愿者。")
