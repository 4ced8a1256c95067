"""会议模式 slides of a report: what each of the 14 screens shows, built without Streamlit.

A slide is a big title, the period and area, and ONE thing a room reads from
across the table: the comparison table, an indicator's 完成率 against each
district's 序时进度 (not full-year targets alone), the 参学率 ranking on an
axis that starts near the data (82.7 % and 86.4 % must look different), the
三力一度 scores as a table (six overlapping polygons read as noise), and 同比
as a diverging bar of the change. Neutral colours; red only for 滞后.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from analytics.metrics import progress
from analytics.metrics.report import TOTAL
from analytics.present import charts, fmt, labels, palette, views


@dataclass(frozen=True)
class Slide:
    """One screen: `title` (large), `subtitle` (period · area · as-of), and a figure or a table."""

    title: str
    subtitle: str
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None


def _rate_ranking(report, indicator: str) -> go.Figure:
    """Districts' rates as horizontal bars, highest on top, on an axis from just below
    the lowest value: a 0–100 % axis would make 82.7 % and 86.4 % the same bar."""
    data = report.comparison.dropna(subset=[indicator]).sort_values(indicator)
    targets = views.district_targets(report, indicator)
    statuses = {r.district: r.status for r in report.targets.itertuples()
                if r.indicator == indicator and r.district != TOTAL}
    values = data[indicator].astype("float64")
    fig = go.Figure(go.Bar(
        orientation="h", y=data["district"].tolist(), x=values,
        marker_color=[palette.status_color(progress.BEHIND)
                      if statuses.get(d) == progress.BEHIND else charts.NEUTRAL
                      for d in data["district"]],
        text=[fmt.fmt_rate(v) + ("（滞后）" if statuses.get(d) == progress.BEHIND else "")
              for v, d in zip(values, data["district"])],
        textposition="outside", cliponaxis=False, constraintext="none", showlegend=False,
        hovertemplate="%{y}<br>%{text}<extra></extra>"))
    shown = [*values, *targets.values()]
    low = max(0.0, math.floor((min(shown) - 0.03) * 100) / 100) if shown else 0.0
    high = min(1.0, max(shown) + 0.03) if shown else 1.0
    hit = [d for d in data["district"] if d in targets]
    if hit:   # each district's own target as a tick mark (targets differ between districts)
        fig.add_trace(go.Scatter(
            name="目标", mode="markers", y=hit, x=[targets[d] for d in hit],
            marker={"symbol": "line-ns", "size": 40, "line": {"color": palette.TARGET, "width": 4}},
            customdata=[fmt.fmt_rate(targets[d]) for d in hit],
            hovertemplate="%{y}<br>目标：%{customdata}<extra></extra>"))
    charts._style(fig, "", large=True, x_title=labels.label_with_unit(indicator), y_title="")
    fig.update_xaxes(range=[low, high + (high - low) * 0.12], tickformat=".0%",
                     title_text=f"{labels.label_with_unit(indicator)}（竖线为目标）")
    fig.update_layout(title_text="", margin={"t": 40}, showlegend=False)
    return fig


def _completion(report, indicator: str) -> go.Figure | None:
    rows = views.district_completion(report, indicator)
    if not len(rows):
        return None
    fig = charts.completion_bar(rows, large=True, title="")
    fig.update_layout(title_text="", margin={"t": 40})
    return fig


def slides(report) -> list[Slide]:
    """The 14 slides: table, six indicators, 三力一度, six 同比 changes."""
    sel = report.selection
    subtitle = f"{sel.period_label} · {sel.area_label} · {sel.as_of_text}"
    if sel.reported_text:
        subtitle += f"（{sel.reported_text}）"
    out = [Slide("各区县主要指标对比", subtitle,
                 table=views.comparison_table(report.comparison, compact=True))]
    for name in views.COMPARE_INDICATORS:
        title = f"{labels.indicator_label(name)}对比"
        if progress.is_rate(name):
            out.append(Slide(title, subtitle, figure=_rate_ranking(report, name)))
            continue
        figure = _completion(report, name)
        if figure is None:      # no targets: the values themselves, highest first
            ordered = views.top_rows(report.comparison, name, None)
            figure = charts.comparison_bar(ordered, name, large=True, title="",
                                           colors={d: charts.NEUTRAL for d in ordered["district"]})
            title += "（未设定目标）"
        else:
            title = f"{labels.indicator_label(name)}完成率与序时进度"
        out.append(Slide(title, subtitle, figure=figure))
    out.append(Slide("三力一度得分（每百名团员，最高者为100分）", subtitle,
                     table=views.three_forces_table(report.three_forces)))
    yoy = views.district_yoy(report)
    for name in views.COMPARE_INDICATORS:
        fig = charts.change_bar(yoy, name, large=True, title="")
        fig.update_layout(title_text="", margin={"t": 40})
        out.append(Slide(f"{labels.indicator_label(name)}同比变化", subtitle, figure=fig))
    return out
