"""总览: a card per indicator against its target, the trend with the target pace,
the districts' status, the units that lag most, and the exports."""
from __future__ import annotations

import streamlit as st

from analytics import periods
from analytics.present import charts, labels, summary_views, views
from analytics.present.reporting_tables import progress_table
from analytics.errors import AnalyticsError
from ui import session, widgets, cached

session.require_user("overview")
f = widgets.page_header("总览")
try:
    rep = cached.report(f)
except AnalyticsError as exc:
    widgets.show_error(exc)
    st.stop()

if not views.has_rows(cached.frames(f)):
    widgets.show_empty("所选年度和范围内还没有数据。请在“数据上传”页导入报表，或调整左侧的年度、月份和区县。")
    st.stop()

st.subheader("主要指标")
cards = views.kpi_cards(rep)
for row_start in range(0, len(cards), 3):
    for col, card in zip(st.columns(3), cards[row_start:row_start + 3]):
        with col:
            widgets.metric_card(card.label, card.value, status=card.status,
                                lines=card.lines + ((card.mom,) if card.mom else ()),
                                delta=card.yoy)

st.subheader("月度趋势")
trend_options = list(views.CARD_INDICATORS)
indicator = st.selectbox("指标", trend_options, key="overview_trend_indicator",
                         format_func=labels.indicator_label)
trend = views.trend_inputs(rep, indicator)
widgets.chart(charts.trend_chart(trend.monthly, indicator, target_pace=trend.pace,
                            target=trend.target, cumulative=trend.cumulative),
         key="overview_trend")

# full width, one under the other: side by side, their columns were cut off
st.subheader("各区县目标进度")
status_table = views.district_status_table(rep)
if len(status_table):
    widgets.table(views.styled_status(status_table), key="overview_status",
                  download=f"各区县目标进度_{f.period_label}")
else:
    widgets.show_empty("暂无区县数据。")
for title, present, cards, table, key, empty in (
        ("评优表彰", summary_views.has_honours, summary_views.honour_cards,
         summary_views.honours_district_table, "overview_honours", summary_views.EMPTY_HONOURS),
        ("组织建设", summary_views.has_organisation, summary_views.organisation_cards,
         summary_views.organisation_district_table, "overview_organisation",
         summary_views.EMPTY_ORGANISATION)):
    st.subheader(title)
    if present(rep):
        widgets.count_cards(cards(rep))
        widgets.table(table(rep), key=key)
    else:
        widgets.show_empty(empty)
summary_status = summary_views.summary_status_table(rep)
if len(summary_status):
    st.subheader("评优表彰、组织建设目标进度")
    widgets.table(views.styled_status(summary_status), key="overview_summary_targets")
st.subheader("报送进度")
progress_month, progress = cached.reporting_progress(f)
if len(progress):
    st.caption(f"{periods.month_label(progress_month)}各基层团组织的报送情况（应报单位：以往月份报送过的单位和单位名单所列单位）")
    widgets.table(progress_table(progress), key="overview_reporting")
else:
    widgets.show_empty(f"{periods.month_label(progress_month)}暂无基层团组织报送记录。")
st.subheader("参学率偏低的单位")
lagging = views.lagging_table(rep.lagging_units)
if len(lagging):
    widgets.table(lagging, key="overview_lagging")
else:
    widgets.show_empty("所选范围内没有青年大学习数据。")

widgets.export_panel(rep, key="overview")
