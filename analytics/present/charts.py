"""Plotly figure builders for the dashboard, the meeting page and exports.

Each builder takes plain DataFrames / numbers (the tables of
`analytics.indicators`, `progress`, `stars`, `dimensions`) and returns a
`go.Figure`: Chinese titles, axis titles with units, Chinese hover text
(values pre-formatted by `analytics.fmt`), a target line or marker wherever
a target is given, one colour per district (`palette.district_colors`),
status and 参学率-band colours. `large=True` is 会议模式: bigger fonts for a
room. Empty input gives a figure saying 暂无数据 with hidden axes.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.present import fmt, labels, palette
from analytics.metrics import progress
from analytics import schema
from analytics.present.labels import indicator_label as label

FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
EMPTY_TEXT = "暂无数据"


# --- user text in labels ------------------------------------------------------------

# trace attributes that can carry uploaded text (unit, district, category names)
_TEXT_ATTRIBUTES = ("x", "y", "text", "customdata", "hovertext", "name", "theta", "labels",
                    "legendgroup")


def _escape_values(values):
    if isinstance(values, str):
        return fmt.plot_text(values)
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "OUS":
            return np.vectorize(fmt.plot_text, otypes=[object])(values) if values.size else values
        return values
    if isinstance(values, (list, tuple)):
        return type(values)(_escape_values(v) for v in values)
    return values


def escape_figure(fig: go.Figure) -> go.Figure:
    """Make every text of `fig` inert: plotly renders ``<a href>``, ``<span style>`` in labels.

    Trace data (categories, text, custom data, names), titles, subtitles,
    annotations, axis titles and tick texts are escaped (`fmt.plot_text`);
    hover templates are ours and embed user text only through `fmt.plot_text`.
    """
    for trace in fig.data:
        for attribute in _TEXT_ATTRIBUTES:
            if attribute in trace and trace[attribute] is not None:
                trace[attribute] = _escape_values(trace[attribute])
    layout = fig.layout
    if layout.title.text:
        layout.title.text = fmt.plot_text(layout.title.text)
    if layout.title.subtitle.text:
        layout.title.subtitle.text = fmt.plot_text(layout.title.subtitle.text)
    for annotation in layout.annotations or ():
        if annotation.text:
            annotation.text = fmt.plot_text(annotation.text)
    fig.for_each_xaxis(_escape_axis)
    fig.for_each_yaxis(_escape_axis)
    return fig


def _escape_axis(axis) -> None:
    if axis.title.text:
        axis.title.text = fmt.plot_text(axis.title.text)
    if axis.ticktext is not None:
        axis.ticktext = _escape_values(axis.ticktext)


def _escaped(builder):
    """Every public builder's figure goes through `escape_figure`."""
    @functools.wraps(builder)
    def build(*args, **kwargs) -> go.Figure:
        return escape_figure(builder(*args, **kwargs))
    return build


# --- common layout --------------------------------------------------------------

def _sizes(large: bool) -> tuple[int, int]:
    return (22, 32) if large else (14, 18)


def _style(fig: go.Figure, title: str, *, large: bool = False, x_title: str | None = None,
           y_title: str | None = None) -> go.Figure:
    base, head = _sizes(large)
    fig.update_layout(
        title={"text": title, "font": {"size": head}, "x": 0.01, "xanchor": "left"},
        font={"family": FONT_FAMILY, "size": base},
        template="plotly_white",
        separators=".,",
        hoverlabel={"font": {"family": FONT_FAMILY, "size": base}},
        legend={"title": {"text": ""}},
        margin={"l": 60, "r": 30, "t": 80 if large else 60, "b": 50},
    )
    # explicit axis and legend sizes: Streamlit's chart theme would shrink them to
    # 12 px, unreadable across a meeting room
    fig.update_xaxes(tickfont={"size": base}, title_font={"size": base})
    fig.update_yaxes(tickfont={"size": base}, title_font={"size": base})
    fig.update_layout(legend_font_size=base)
    if large:
        fig.update_layout(height=640)
        fig.update_traces(textfont_size=base, selector={"type": "bar"})
    # bar labels stay horizontal: plotly turns them sideways on narrow bars
    fig.update_traces(textangle=0, selector={"type": "bar"})
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    return fig


@_escaped
def empty_figure(title: str = "", *, large: bool = False, message: str = EMPTY_TEXT) -> go.Figure:
    """A figure with a centred Chinese note (暂无数据) and no axes."""
    fig = go.Figure()
    _style(fig, title, large=large)
    base, _ = _sizes(large)
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False, font={"size": base * 1.4, "color": palette.MISSING})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _is_empty(df: pd.DataFrame | None, *cols: str) -> bool:
    if df is None or len(df) == 0:
        return True
    return any(c not in df or df[c].isna().all() for c in cols)


def _axis_format(indicator: str) -> dict:
    return {"tickformat": ".0%"} if progress.is_rate(indicator) else {"tickformat": ","}


WAN_AXIS_FROM = 50_000   # from here a count axis reads 10万, 20万 … instead of 100,000


def _value_axis(fig: go.Figure, indicator: str, axis: str = "y") -> None:
    """The value axis from zero; rates in %, large counts in 万 as the Chinese reader
    expects (ticks placed at round 万 steps over the plotted values)."""
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    plotted = [pd.to_numeric(pd.Series(values), errors="coerce") for trace in fig.data
               if (values := getattr(trace, axis, None)) is not None]
    top = max((float(v.max()) for v in plotted if v.notna().any()), default=0.0)
    if progress.is_rate(indicator) or top < WAN_AXIS_FROM:
        update(rangemode="tozero", **_axis_format(indicator))
        return
    rough = top / 5
    scale = 10 ** math.floor(math.log10(rough))
    step = next(m * scale for m in (1, 2, 2.5, 5, 10) if m * scale >= rough)
    ticks = [i * step for i in range(int(top // step) + 2)]
    update(rangemode="tozero", tickvals=ticks,
           ticktext=["0" if t == 0 else f"{t / fmt.WAN:g}万" for t in ticks])


def _rate_range(values: pd.Series, target: float | None = None) -> list[float]:
    """A rate line's y range: from a little under the lowest value (or target) to
    100 %, in 5-point steps, so a 92 %→95 % change is visible rather than flat
    against a 0–100 % axis.

    >>> _rate_range(pd.Series([0.91, 0.94]), 0.95)
    [0.85, 1.0]
    """
    points = [float(v) for v in values.dropna()] + ([float(target)] if target is not None else [])
    low = max(0.0, math.floor((min(points) - 0.02) * 20) / 20)
    high = max(1.0, math.ceil((max(points) + 0.01) * 20) / 20)
    return [low, high]


def _month_label(month: str) -> str:
    return f"{int(month[5:7])}月"


def _short(indicator: str, value) -> str:
    """A bar label without the unit (the axis has it): "5.21万", "96.72%"."""
    return fmt.fmt_rate(value) if progress.is_rate(indicator) else fmt.fmt_count(value)


def _target_text(indicator: str, target: float) -> str:
    return f"目标 {fmt.fmt_value(indicator, target)}"


# --- KPI ------------------------------------------------------------------------

@_escaped
def kpi_gauge(indicator: str, actual: float | None, *, target: float | None = None,
              expected: float | None = None, shape: str = "bullet",
              large: bool = False, title: str | None = None) -> go.Figure:
    """One indicator: actual vs target vs 序时进度 (bullet by default, or "angular").

    The bar takes the status colour (超前/正常/滞后); a line marks the target;
    a grey band reaches the 序时目标 (target × expected) for counts. Large
    counts are shown in 万. `expected` is the 序时进度 (progress.year_progress).
    """
    name = title or label(indicator)
    if actual is None or pd.isna(actual):
        return empty_figure(name, large=large)
    rate = progress.is_rate(indicator)
    exp = 1.0 if rate else expected
    status = progress.status(indicator, actual, target, exp if exp is not None else 0.0)
    unit = schema.INDICATOR_BY_NAME[indicator].unit
    top = max(float(actual), float(target or 0))
    if rate:
        scale, suffix, valueformat = 100.0, "%", ".2f"
    elif top >= fmt.WAN:
        scale, suffix, valueformat = 1 / fmt.WAN, "万" + unit, ".2f"
    else:
        scale, suffix, valueformat = 1.0, unit, ",.0f" if float(actual).is_integer() else ",.1f"
    axis_max = (min(top * 1.15, 1.0) if rate and top <= 1 else top * 1.15) or 1.0
    gauge = {
        "shape": shape,
        "axis": {"range": [0, axis_max * scale], "ticksuffix": "%" if rate else ""},
        "bar": {"color": palette.status_color(status), "thickness": 0.6},
        "steps": [],
    }
    notes = []
    if target is not None:
        gauge["threshold"] = {"line": {"color": palette.TARGET, "width": 4},
                              "thickness": 0.9, "value": float(target) * scale}
        done = progress.completion(actual, target)
        notes.append(_target_text(indicator, target))
        if done is not None and not rate:
            notes.append(f"完成 {fmt.fmt_rate(done, 1)}")
        notes.append(status)
    if expected is not None and target is not None and not rate:
        gauge["steps"] = [{"range": [0, float(target) * expected * scale], "color": "#e0e0e0"}]
        notes.append(f"序时进度 {fmt.fmt_rate(expected, 1)}")
    fig = go.Figure(go.Indicator(
        mode="number+gauge", value=float(actual) * scale, gauge=gauge,
        number={"suffix": suffix, "valueformat": valueformat},
        domain={"x": [0, 1], "y": [0, 1]},
    ))
    _style(fig, name, large=large)
    fig.update_layout(title_subtitle_text=" · ".join(notes))
    if shape == "bullet":
        fig.update_layout(height=200 if large else 150,
                          margin={"l": 20, "r": 20, "t": 90 if large else 70, "b": 30})
    return fig


@_escaped
def kpi_bullet(indicator: str, actual: float | None, **kwargs) -> go.Figure:
    """`kpi_gauge` with the bullet shape (actual bar, target line, 序时 band)."""
    return kpi_gauge(indicator, actual, shape="bullet", **kwargs)


# --- trends ---------------------------------------------------------------------

@_escaped
def trend_chart(monthly: pd.DataFrame, indicator: str, *,
                target_pace: pd.DataFrame | None = None, target: float | None = None,
                cumulative: bool = False, bars: bool = False,
                colors: Mapping[str, str] | None = None, large: bool = False,
                title: str | None = None) -> go.Figure:
    """Indicator by month, one line (or bar group) per district of `monthly`.

    `monthly` is `indicators.monthly(...)`. `cumulative=True` plots the
    year-to-date `cum_` column; `target_pace` (progress.target_pace) adds the
    dashed 目标序时进度 line. For rates, `target` draws a horizontal target line.
    """
    column = f"cum_{indicator}" if cumulative else indicator
    name = title or f"{label(indicator)}{'累计' if cumulative else ''}月度趋势"
    if _is_empty(monthly, column):
        return empty_figure(name, large=large)
    districts = list(dict.fromkeys(monthly["district"]))
    colors = colors or palette.district_colors(districts)
    fig = go.Figure()
    for district in districts:
        part = monthly[monthly["district"] == district]
        x = [_month_label(m) for m in part["month"]]
        y = part[column].astype("float64")
        text = [fmt.fmt_value(indicator, v) for v in y]
        style = {"name": district, "x": x, "y": y, "customdata": text,
                 "hovertemplate": f"%{{x}}<br>{fmt.plot_text(district)}：%{{customdata}}<extra></extra>"}
        color = colors.get(district, palette.PRIMARY)
        if bars:
            fig.add_trace(go.Bar(marker_color=color, **style))
        else:
            fig.add_trace(go.Scatter(mode="lines+markers", line={"color": color, "width": 3},
                                     **style))
    if target_pace is not None and len(target_pace):
        pace = target_pace.copy()
        fig.add_trace(go.Scatter(
            name="目标序时进度", mode="lines", x=[_month_label(m) for m in pace["month"]],
            y=pace["target"].astype("float64"), line={"color": palette.TARGET, "dash": "dash"},
            customdata=[fmt.fmt_value(indicator, v) for v in pace["target"]],
            hovertemplate="%{x}<br>目标序时进度：%{customdata}<extra></extra>"))
    if target is not None:
        fig.add_hline(y=float(target), line={"color": palette.TARGET, "dash": "dash", "width": 2},
                      annotation_text=_target_text(indicator, target),
                      annotation_position="top left")
    _style(fig, name, large=large, x_title="月份", y_title=labels.label_with_unit(indicator))
    if progress.is_rate(indicator) and not bars:
        fig.update_yaxes(range=_rate_range(monthly[column], target), **_axis_format(indicator))
    else:
        _value_axis(fig, indicator)
    fig.update_xaxes(type="category")
    if bars:
        fig.update_layout(barmode="group")
    return fig


# --- rankings and comparisons ---------------------------------------------------------

def _labels(df: pd.DataFrame, by: str) -> list[str]:
    names = df[by].astype(str)
    if by != "district" and "district" in df and names.duplicated().any():
        names = names + "（" + df["district"].astype(str) + "）"
    return names.tolist()


@_escaped
def ranking_bar(df: pd.DataFrame, indicator: str, *, by: str = "district",
                target: float | None = None, colors: Mapping[str, str] | None = None,
                large: bool = False, title: str | None = None) -> go.Figure:
    """Horizontal bars sorted by the indicator, highest on top.

    Rates are coloured by 参学率 band, districts by their colour (others in
    league red); `target` draws a vertical target line.
    """
    who = {"district": "各区", "unit": "各单位"}.get(by, "")
    name = title or f"{who}{label(indicator)}排名"
    if _is_empty(df, indicator):
        return empty_figure(name, large=large)
    data = df.dropna(subset=[indicator]).sort_values(indicator, ascending=True)
    values = data[indicator].astype("float64")
    names = _labels(data, by)
    if progress.is_rate(indicator):
        marker = [palette.band_color(v) for v in values]
    elif by == "district":
        colors = colors or palette.district_colors(data["district"])
        marker = [colors.get(d, palette.PRIMARY) for d in data["district"]]
    else:
        marker = palette.PRIMARY
    text = [fmt.fmt_value(indicator, v) for v in values]
    fig = go.Figure(go.Bar(
        name=label(indicator), orientation="h", x=values, y=names, marker_color=marker,
        text=text, textposition="auto", customdata=text,
        hovertemplate=f"%{{y}}<br>{label(indicator)}：%{{customdata}}<extra></extra>"))
    if target is not None:
        fig.add_vline(x=float(target), line={"color": palette.TARGET, "dash": "dash", "width": 2},
                      annotation_text=_target_text(indicator, target),
                      annotation_position="top")
    _style(fig, name, large=large, x_title=labels.label_with_unit(indicator), y_title="")
    _value_axis(fig, indicator, axis="x")
    fig.update_layout(height=max(320, 40 * len(names) + 120) if large else max(280, 28 * len(names) + 100),
                      showlegend=False)
    return fig


@_escaped
def comparison_bar(summary: pd.DataFrame, indicator: str, *,
                   targets: Mapping[str, float] | None = None,
                   colors: Mapping[str, str] | None = None, large: bool = False,
                   title: str | None = None) -> go.Figure:
    """Districts side by side for one indicator, in the given order; 目标 markers."""
    name = title or f"各区{label(indicator)}对比"
    if _is_empty(summary, indicator):
        return empty_figure(name, large=large)
    districts = summary["district"].tolist()
    colors = colors or palette.district_colors(districts)
    values = summary[indicator].astype("float64")
    text = [fmt.fmt_value(indicator, v) for v in values]
    fig = go.Figure(go.Bar(
        name=label(indicator), x=districts, y=values, text=[_short(indicator, v) for v in values],
        # inside the bar's top: a 目标 marker near the value would strike through a label above it
        textposition="inside", insidetextanchor="end", textfont={"color": "white"},
        marker_color=[colors.get(d, palette.PRIMARY) for d in districts], customdata=text,
        hovertemplate=f"%{{x}}<br>{label(indicator)}：%{{customdata}}<extra></extra>",
        showlegend=False))
    if targets:
        hit = [(d, targets[d]) for d in districts if targets.get(d) is not None]
        if hit:
            fig.add_trace(go.Scatter(
                name="目标", mode="markers", x=[d for d, _ in hit], y=[float(t) for _, t in hit],
                marker={"symbol": "line-ew", "size": 40 if large else 28,
                        "line": {"color": palette.TARGET, "width": 4}},
                customdata=[fmt.fmt_value(indicator, t) for _, t in hit],
                hovertemplate="%{x}<br>目标：%{customdata}<extra></extra>"))
    _style(fig, name, large=large, x_title="", y_title=labels.label_with_unit(indicator))
    _value_axis(fig, indicator)
    fig.update_xaxes(tickangle=0, automargin=True)      # district names read horizontally
    return fig


def _change_label(absolute, relative, rate: bool) -> str:
    """Short label over a 同比 bar: "+15.2%" (counts), "+1.20个百分点" (rates), "" (none)."""
    if pd.isna(absolute):
        return ""
    if rate:
        return fmt.fmt_pp(absolute)
    return f"{relative * 100:+.1f}%" if pd.notna(relative) else fmt.fmt_change(absolute)


@_escaped
def yoy_bar(yoy: pd.DataFrame, indicator: str, *, by: str = "district",
            large: bool = False, title: str | None = None) -> go.Figure:
    """同比: 本期 vs 上年同期 per group, change written over the bars.

    `yoy` is `indicators.yoy_table(...)` (rows of other indicators are ignored).
    """
    name = title or f"{label(indicator)}同比"
    data = yoy[yoy["indicator"] == indicator] if yoy is not None and len(yoy) else yoy
    if _is_empty(data, "current"):
        return empty_figure(name, large=large)
    names = _labels(data, by)
    rate = progress.is_rate(indicator)
    now_text = [fmt.fmt_value(indicator, v) for v in data["current"]]
    before_text = [fmt.fmt_value(indicator, v) for v in data["previous"]]
    unit = schema.INDICATOR_BY_NAME[indicator].unit
    change_text = [fmt.fmt_change(c, r, rate=rate, unit=unit) if pd.notna(c) else "无上年数据"
                   for c, r in zip(data["change"], data["change_rel"])]
    bar_texts = [_change_label(c, r, rate) for c, r in zip(data["change"], data["change_rel"])]
    fig = go.Figure()
    fig.add_trace(go.Bar(
        name="上年同期", x=names, y=data["previous"].astype("float64"),
        marker_color=palette.PREVIOUS, customdata=before_text,
        hovertemplate="%{x}<br>上年同期：%{customdata}<extra></extra>"))
    fig.add_trace(go.Bar(
        name="本期", x=names, y=data["current"].astype("float64"), marker_color=palette.PRIMARY,
        text=bar_texts, textposition="outside", cliponaxis=False, constraintext="none",
        customdata=np.stack([now_text, change_text], axis=-1),
        hovertemplate="%{x}<br>本期：%{customdata[0]}<br>同比：%{customdata[1]}<extra></extra>"))
    if data["previous"].isna().all():
        fig.add_annotation(text="上年同期无数据", x=0.5, y=1.05, xref="paper", yref="paper",
                           showarrow=False)
    _style(fig, name, large=large, x_title="", y_title=labels.label_with_unit(indicator))
    fig.update_xaxes(tickangle=0, automargin=True)
    _value_axis(fig, indicator)
    fig.update_layout(barmode="group")
    return fig


# --- 完成率 against 序时进度, and 同比 as a change ------------------------------------

NEUTRAL = "#607d8b"        # bars that are not 滞后: neutral, so red means only 滞后
NEUTRAL_LIGHT = "#b0bec5"


@_escaped
def completion_bar(rows: pd.DataFrame, *, by: str = "name", large: bool = False,
                   title: str = "目标完成率与序时进度") -> go.Figure:
    """完成率 per row as horizontal bars labelled "完成 87.3%", with each row's 序时进度
    as a tick mark (districts may read at different months); red only for 滞后.

    `rows`: columns `by` (the bar's name), completion, expected, status
    (`report.targets` rows, with a name column).
    """
    data = rows.dropna(subset=["completion"]) if rows is not None and len(rows) else rows
    if _is_empty(data, "completion"):
        return empty_figure(title, large=large)
    data = data.iloc[::-1]          # first row on top
    names = data[by].astype(str).tolist()
    done = data["completion"].astype("float64")
    colors = [palette.status_color(progress.BEHIND) if s == progress.BEHIND else NEUTRAL
              for s in data["status"]]
    fig = go.Figure(go.Bar(
        name="完成率", orientation="h", y=names, x=done, marker_color=colors,
        text=[f"完成 {fmt.fmt_rate(v, 1)}" + ("（滞后）" if s == progress.BEHIND else "")
              for v, s in zip(done, data["status"])],
        textposition="outside", cliponaxis=False, constraintext="none",
        hovertemplate="%{y}<br>%{text}<extra></extra>", showlegend=False))
    fig.add_trace(go.Scatter(
        name="序时进度", mode="markers", y=names, x=data["expected"].astype("float64"),
        marker={"symbol": "line-ns", "size": 34 if large else 24,
                "line": {"color": palette.TARGET, "width": 3}},
        customdata=[fmt.fmt_rate(v) for v in data["expected"]],
        hovertemplate="%{y}<br>序时进度：%{customdata}<extra></extra>"))
    _style(fig, title, large=large, x_title="完成率（竖线为序时进度）", y_title="")
    top = max(1.0, float(done.max())) * 1.3      # room for "完成 97.3%（滞后）"
    fig.update_xaxes(range=[0, top], tickformat=".0%")
    fig.update_layout(height=max(300, (56 if large else 34) * len(names) + 140),
                      legend={"orientation": "h", "y": -0.15}, showlegend=True)
    return fig


@_escaped
def change_bar(yoy: pd.DataFrame, indicator: str, *, by: str = "district",
               large: bool = False, title: str | None = None) -> go.Figure:
    """同比 as a diverging bar of the change itself — relative for counts, 百分点 for
    rates — so ±0.2 百分点 is visible (on a 0–100 % axis it is not). Sorted,
    neutral colours; a change that rounds to zero reads 持平."""
    name = title or f"{label(indicator)}同比变化"
    data = yoy[yoy["indicator"] == indicator] if yoy is not None and len(yoy) else yoy
    rate = progress.is_rate(indicator)
    column = "change" if rate else "change_rel"
    if _is_empty(data, column):
        return empty_figure(name, large=large, message="上年同期无数据")
    data = data.dropna(subset=[column]).sort_values(column)
    values = data[column].astype("float64") * 100
    text = [fmt.fmt_pp(v) if rate else fmt.fmt_relative(v, 1) for v in data[column]]
    colors = [NEUTRAL if fmt.direction(v) >= 0 else NEUTRAL_LIGHT for v in data[column]]
    fig = go.Figure(go.Bar(
        orientation="h", y=_labels(data, by), x=values, marker_color=colors, text=text,
        textposition="outside", cliponaxis=False, constraintext="none", showlegend=False,
        hovertemplate="%{y}<br>同比：%{text}<extra></extra>"))
    fig.add_vline(x=0, line={"color": palette.TARGET, "width": 1})
    _style(fig, name, large=large, x_title="较上年同期（个百分点）" if rate else "较上年同期（%）",
           y_title="")
    reach = max(float(values.abs().max()), 0.1) * 1.35
    fig.update_xaxes(range=[-reach, reach], ticksuffix="" if rate else "%", zeroline=False)
    fig.update_layout(height=max(300, (56 if large else 34) * len(data) + 140))
    return fig


# --- study heatmap ----------------------------------------------------------------

def _band_colorscale(bands: list[schema.StudyBand]) -> list[list]:
    """A stepped colorscale over band indices 0..n-1 (lowest band first), equal segments."""
    n = len(bands)
    scale = []
    for i, band in enumerate(bands):
        scale += [[i / n, band.color], [(i + 1) / n, band.color]]
    return scale


@_escaped
def heatmap_units_months(cells: pd.DataFrame, *, large: bool = False,
                         title: str | None = None) -> go.Figure:
    """参学率 unit × month, coloured by study band; `cells` is `indicators.unit_month_rates`."""
    name = title or "各单位月度参学率"
    if _is_empty(cells, "members"):
        return empty_figure(name, large=large)
    many = len(set(cells["district"])) > 1
    cells = cells.assign(row=(cells["district"] + "·" + cells["unit"]) if many else cells["unit"])
    grid = cells.pivot(index="row", columns="month", values="study_rate").sort_index(ascending=False)
    levels = cells.pivot(index="row", columns="month", values="band_level").reindex_like(grid)
    months = list(grid.columns)
    text = [[fmt.fmt_rate(v) for v in row] for row in grid.to_numpy()]
    bands = sorted(schema.study_bands(), key=lambda b: b.min_rate)
    z = levels.to_numpy(dtype="float64")
    fig = go.Figure(go.Heatmap(
        z=z, x=[_month_label(m) for m in months], y=grid.index.tolist(), text=text,
        texttemplate="%{text}", colorscale=_band_colorscale(bands), zmin=-0.5,
        zmax=len(bands) - 0.5, xgap=2, ygap=2,
        colorbar={"title": {"text": "参学率"}, "tickvals": list(range(len(bands))),
                  "ticktext": [f"{b.band} ≥{b.min_rate:.0%}" if b.min_rate > 0 else b.band
                               for b in bands]},
        hovertemplate="单位：%{y}<br>月份：%{x}<br>参学率：%{text}<extra></extra>"))
    _style(fig, name, large=large, x_title="月份", y_title="单位")
    fig.update_layout(height=max(320, (34 if large else 24) * len(grid) + 140))
    return fig


# --- categories, dimensions, stars, radar ----------------------------------------------

@_escaped
def category_bar(by_category: pd.DataFrame, measure: str = "activity_participants", *,
                 large: bool = False, title: str | None = None) -> go.Figure:
    """Activities per category, one colour (and legend entry) per 三力一度 dimension.

    `by_category` is `indicators.activities_by_category(...)`.
    """
    name = title or f"各类别活动{label(measure).removeprefix('活动')}"
    if _is_empty(by_category, measure):
        return empty_figure(name, large=large)
    data = by_category.assign(dimension=by_category["dimension"].fillna(schema.OTHER_CATEGORY))
    fig = go.Figure()
    for dimension in dict.fromkeys(data["dimension"]):
        part = data[data["dimension"] == dimension]
        text = [fmt.fmt_value(measure, v) for v in part[measure]]
        fig.add_trace(go.Bar(
            name=dimension, x=part["category"].tolist(), y=part[measure].astype("float64"),
            marker_color=palette.DIMENSION_COLORS.get(dimension, palette.MISSING),
            text=[_short(measure, v) for v in part[measure]], textposition="outside", cliponaxis=False, constraintext="none", customdata=text,
            hovertemplate=f"%{{x}}（{dimension}）<br>{label(measure)}：%{{customdata}}<extra></extra>"))
    _style(fig, name, large=large, x_title="", y_title=labels.label_with_unit(measure))
    _value_axis(fig, measure)
    # horizontal category names, two lines when long: rotated 90° they are unreadable
    fig.update_xaxes(categoryorder="array", categoryarray=data["category"].tolist(),
                     tickangle=0, automargin=True, tickvals=data["category"].tolist(),
                     ticktext=[_wrap(c) for c in data["category"]])
    fig.update_traces(texttemplate="%{text}", textposition="outside")
    fig.update_layout(uniformtext={"minsize": 9, "mode": "hide"},
                      legend={"orientation": "h", "y": -0.25})
    return fig


def _wrap(text: str, width: int = 4) -> str:
    """A category name in lines of `width` characters ("志愿<br>服务"), at most two."""
    text = str(text)
    if len(text) <= width:
        return text
    return text[:width] + "<br>" + text[width:2 * width] + ("…" if len(text) > 2 * width else "")


@_escaped
def dimension_bar(by_dimension: pd.DataFrame, measure: str = "activity_participants", *,
                  large: bool = False, title: str | None = None) -> go.Figure:
    """Activities per 三力一度 dimension (`indicators.activities_by_dimension`)."""
    name = title or f"三力一度活动{label(measure).removeprefix('活动')}"
    if _is_empty(by_dimension, measure):
        return empty_figure(name, large=large)
    text = [fmt.fmt_value(measure, v) for v in by_dimension[measure]]
    dims = by_dimension["dimension"].tolist()
    fig = go.Figure(go.Bar(
        name=label(measure), x=dims, y=by_dimension[measure].astype("float64"),
        marker_color=[palette.DIMENSION_COLORS.get(d, palette.MISSING) for d in dims],
        text=text, textposition="outside", cliponaxis=False, constraintext="none", customdata=text, showlegend=False,
        hovertemplate=f"%{{x}}<br>{label(measure)}：%{{customdata}}<extra></extra>"))
    _style(fig, name, large=large, x_title="维度", y_title=labels.label_with_unit(measure))
    _value_axis(fig, measure)
    return fig


STAR_COLOR = "#f9a825"


@_escaped
def star_distribution_bar(distribution: pd.DataFrame, *, by: str | None = None,
                          colors: Mapping[str, str] | None = None, large: bool = False,
                          title: str | None = None) -> go.Figure:
    """Volunteers per star level (`stars.star_distribution`); one trace per `by` group.

    Only the star levels are bars: most volunteers have no star yet, and a bar
    of thousands beside a few dozen starred ones would flatten the rest. Their
    number goes in the subtitle.
    """
    name = title or "星级志愿者分布"
    if _is_empty(distribution, "count") or distribution["count"].sum() == 0:
        return empty_figure(name, large=large)
    unstarred = int(distribution.loc[distribution["level"] == 0, "count"].sum())
    distribution = distribution[distribution["level"] > 0]
    fig = go.Figure()
    groups = [None] if by is None else list(dict.fromkeys(distribution[by]))
    if by is not None:
        colors = colors or palette.district_colors(groups)
    for group in groups:
        part = distribution if group is None else distribution[distribution[by] == group]
        text = [fmt.fmt_count(v, "人") for v in part["count"]]
        fig.add_trace(go.Bar(
            name=group or "志愿者人数", x=part["label"].tolist(), y=part["count"].astype("int64"),
            marker_color=STAR_COLOR if group is None else colors.get(group, palette.PRIMARY),
            text=text, textposition="outside", cliponaxis=False, constraintext="none", customdata=text,
            hovertemplate="%{x}<br>" + (f"{fmt.plot_text(group)}：" if group else "人数：")
                          + "%{customdata}<extra></extra>"))
    _style(fig, name, large=large, x_title="星级", y_title="志愿者人数（人）")
    first = schema.star_levels()[0]
    note = (f"另有 {unstarred:,} 名志愿者累计服务时长未达{first.label.removesuffix('志愿者')}"
            f"（{first.min_hours:g}小时）" if unstarred else "")
    if not distribution["count"].any():
        note = f"暂无累计服务时长达到星级标准的志愿者；{note}" if note else note
    fig.update_layout(title_subtitle_text=note)
    fig.update_yaxes(rangemode="tozero", tickformat=",d",
                     dtick=1 if distribution["count"].max() < 10 else None)
    fig.update_layout(barmode="group", showlegend=by is not None)
    return fig


@_escaped
def radar_three_forces(scores: pd.DataFrame, *, colors: Mapping[str, str] | None = None,
                       large: bool = False, title: str | None = None) -> go.Figure:
    """三力一度 radar (`dimensions.three_forces`), one closed trace per district, 0–100."""
    name = title or "三力一度对比"
    if _is_empty(scores, "score"):
        return empty_figure(name, large=large)
    districts = list(dict.fromkeys(scores["district"]))
    colors = colors or palette.district_colors(districts)
    fig = go.Figure()
    for district in districts:
        part = scores[scores["district"] == district].set_index("dimension").reindex(
            list(schema.DIMENSIONS))
        theta = [*schema.DIMENSIONS, schema.DIMENSIONS[0]]
        r = [*part["score"].astype("float64"), float(part["score"].iloc[0])]
        text = [f"{v:.1f}" if pd.notna(v) else fmt.MISSING for v in r]
        per = [f"{v:.1f}" if pd.notna(v) else fmt.MISSING for v in
               [*part["value"].astype("float64"), float(part["value"].iloc[0])]]
        fig.add_trace(go.Scatterpolar(
            name=district, r=r, theta=theta, fill="toself", opacity=0.75,
            line={"color": colors.get(district, palette.PRIMARY), "width": 3},
            customdata=np.stack([text, per], axis=-1),
            hovertemplate=(f"{fmt.plot_text(district)}<br>%{{theta}}：%{{customdata[0]}}分"
                           "<br>每百名团员：%{customdata[1]}<extra></extra>")))
    _style(fig, name, large=large)
    base, _ = _sizes(large)
    fig.update_layout(polar={"radialaxis": {"range": [0, 100], "visible": True, "angle": 45,
                                            "tickangle": 45, "ticksuffix": "分",
                                            "tickfont": {"size": base - 4}},
                             "angularaxis": {"rotation": 90, "direction": "clockwise"}})
    return fig


# --- 评优表彰, 组织建设, 新媒体 -----------------------------------------------------------

def _count_bar_style(fig: go.Figure, name: str, y_title: str, large: bool) -> go.Figure:
    _style(fig, name, large=large, x_title="", y_title=y_title)
    _value_axis(fig, "")
    fig.update_xaxes(tickangle=0, automargin=True, type="category")
    return fig


def _count_targets(fig: go.Figure, targets: Mapping[str, float] | None, unit: str,
                   large: bool) -> None:
    """A target mark over each district's bar that has a target."""
    hit = [(d, float(t)) for d, t in (targets or {}).items() if t is not None]
    if hit:
        fig.add_trace(go.Scatter(
            name="目标", mode="markers", x=[d for d, _ in hit], y=[t for _, t in hit],
            marker={"symbol": "line-ew", "size": 40 if large else 28,
                    "line": {"color": palette.TARGET, "width": 4}},
            customdata=[fmt.fmt_count(t, unit) for _, t in hit],
            hovertemplate="%{x}<br>目标：%{customdata}<extra></extra>"))


@_escaped
def honours_district_bar(types_by_district: pd.DataFrame, *,
                         targets: Mapping[str, float] | None = None, large: bool = False,
                         title: str = "各区县获评荣誉（集体、个人）") -> go.Figure:
    """评优表彰 per district: 集体 and 个人 stacked, the total over each bar, a mark at
    each district's 获评荣誉 target.

    `types_by_district` is `report.honour_types_by_district` (district, 集体, 个人, total).
    """
    if _is_empty(types_by_district, "total") or not types_by_district["total"].gt(0).any():
        return empty_figure(title, large=large)
    data = types_by_district
    districts = data["district"].astype(str).tolist()
    types = [t.name for t in schema.choice_list("recipient_types")]
    words = {t.name: t.get("measure", "个") for t in schema.choice_list("recipient_types")}
    fig = go.Figure()
    for kind, color in zip(types, (palette.PRIMARY, palette.PREVIOUS)):
        values = data[kind].astype("float64")
        fig.add_trace(go.Bar(
            name=kind, x=districts, y=values, marker_color=color,
            customdata=[fmt.fmt_count(v, words[kind]) for v in values],
            hovertemplate=f"%{{x}}<br>{kind}：%{{customdata}}<extra></extra>"))
    fig.add_trace(go.Scatter(
        name=labels.HONOURS_TOTAL_LABEL, mode="text", x=districts,
        y=data["total"].astype("float64"), text=[fmt.fmt_count(v) for v in data["total"]],
        textposition="top center", showlegend=False, hoverinfo="skip", cliponaxis=False))
    _count_targets(fig, targets, schema.INDICATOR_BY_NAME[schema.HONOURS_TARGET].unit, large)
    fig.update_layout(barmode="stack", legend={"orientation": "h", "y": 1.12, "x": 1,
                                               "xanchor": "right", "traceorder": "normal"})
    return _count_bar_style(fig, title, "获评荣誉（个、名）", large)


@_escaped
def organisation_district_bar(by_district: pd.DataFrame, item: str, *, measure: str = "个",
                              targets: Mapping[str, float] | None = None,
                              colors: Mapping[str, str] | None = None, large: bool = False,
                              title: str | None = None) -> go.Figure:
    """One 组织建设 item per district (`report.organisation_by_district`), highest first,
    a mark at each district's target of the item."""
    name = title or f"各区县{item}"
    if _is_empty(by_district, item):
        return empty_figure(name, large=large)
    data = by_district.sort_values(item, ascending=False, kind="stable")
    districts = data["district"].astype(str).tolist()
    colors = colors or palette.district_colors(districts)
    values = data[item].astype("float64")
    shown = [fmt.fmt_count(v, measure) for v in values]
    fig = go.Figure(go.Bar(
        x=districts, y=values, marker_color=[colors.get(d, palette.PRIMARY) for d in districts],
        text=[fmt.fmt_count(v) for v in values], textposition="outside", cliponaxis=False,
        customdata=shown, hovertemplate=f"%{{x}}<br>{item}：%{{customdata}}<extra></extra>",
        showlegend=False))
    _count_targets(fig, targets, measure, large)
    return _count_bar_style(fig, name, f"{item}（{measure}）", large)


@_escaped
def media_bar(table: pd.DataFrame, by: str, measure: str = "articles", *, large: bool = False,
              title: str | None = None) -> go.Figure:
    """新媒体 per platform, 栏目/专题 or month (`summary_figures.media_by`): one measure
    (篇数, 阅读量, 转发, 参与人数); months in order, the others highest first."""
    what = labels.media_measure_label(measure)
    group = labels.MEDIA_GROUP_LABELS[by]
    name = title or f"{'月度' if by == 'month' else '各' + group}新媒体{what}"
    if _is_empty(table, measure) or not table[measure].gt(0).any():
        return empty_figure(name, large=large)
    data = table if by == "month" else table.sort_values(measure, ascending=False, kind="stable")
    x = [_month_label(m) for m in data["month"]] if by == "month" else data[by].astype(str).tolist()
    values = data[measure].astype("float64")
    fig = go.Figure(go.Bar(
        x=x, y=values, marker_color=palette.PRIMARY, text=[fmt.fmt_count(v) for v in values],
        textposition="outside", cliponaxis=False, customdata=[fmt.fmt_count(v) for v in values],
        hovertemplate=f"%{{x}}<br>{what}：%{{customdata}}<extra></extra>", showlegend=False))
    _count_bar_style(fig, name, f"{what}（{labels.MEDIA_MEASURE_UNITS[measure]}）", large)
    if by != "month":     # long 栏目 names in two lines, horizontal
        fig.update_xaxes(tickvals=x, ticktext=[_wrap(v, 8) for v in x])
    return fig
