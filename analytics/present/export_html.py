"""The report as one offline HTML file, and as Markdown.

The HTML is a single self-contained page for meetings: plotly.js — the
*basic* partial bundle (bar and scatter, `vendor/`), 1.1 MB instead of 4.7 MB
— is inlined once in the head, every chart reuses it, the styles are inline
and nothing is fetched from the network, so it opens from a USB stick on a
machine without internet, in about a second, under 2 MB. The charts are the
ones a leader reads: each indicator across districts, the cumulative total
against the target pace, 完成率 against 序时进度, 同比 as the change itself,
categories and stars (三力一度 as its score table). Every text from uploaded
data is escaped.

Both formats show the same tables (`report_tables`): Chinese headers,
numbers formatted by `analytics.fmt`.
"""
from __future__ import annotations

import html
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from analytics.present import charts, fmt, labels, palette, summary_views, views
from analytics.metrics import dimensions, progress
from analytics import schema
from analytics.metrics.report import TOTAL, Report
from analytics.present.summary_text import draft_summary, extra_sections, shows_paragraph

INDICATOR_NAMES = tuple(i.name for i in schema.INDICATORS)
COUNT_NAMES = tuple(n for n in INDICATOR_NAMES if not progress.is_rate(n))

PLOTLY_JS = Path(__file__).with_name("vendor") / "plotly-basic.min.js"
# the trace types the basic bundle draws; any other would be a blank box in the file
BASIC_TRACES = frozenset({"bar", "scatter", "pie"})

# sections whose chart takes the page's full width: 14 category names side by side
# overlap in half of it
WIDE_SECTIONS = frozenset({"活动类别"})

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["sendDataToCloud", "lasso2d", "select2d"],
                 "toImageButtonOptions": {"format": "png", "scale": 2}}


# --- tables shared by HTML and Markdown ----------------------------------------------

def _value(indicator: str, value) -> str:
    return fmt.fmt_value(indicator, value)


def _comparison_table(report: Report) -> pd.DataFrame:
    rows = []
    for row in report.comparison.to_dict("records"):
        out = {"区县": row["district"]}
        for name in INDICATOR_NAMES:
            out[labels.indicator_label(name)] = _value(name, row[name])
            out[f"{labels.indicator_label(name)}排名"] = fmt.fmt_rank(row[f"rank_{name}"])
        rows.append(out)
    if rows:
        total = {"区县": TOTAL}
        for name in INDICATOR_NAMES:
            total[labels.indicator_label(name)] = _value(name, report.total[name])
            total[f"{labels.indicator_label(name)}排名"] = ""
        rows.append(total)
    return pd.DataFrame(rows)


def _as_of_of(report: Report, district: str) -> str:
    """The day a targets row reads at: a district its own last reported month, 合计 the
    common cut-off (`Selection.as_of_of`)."""
    sel = report.selection
    return (sel.as_of if district == TOTAL else sel.as_of_of(district)).isoformat()


def _targets_table(report: Report) -> pd.DataFrame:
    return pd.DataFrame([{
        "区县": row["district"],
        "指标": labels.indicator_label(row["indicator"]),
        "实际完成": _value(row["indicator"], row["actual"]),
        "年度目标": _value(row["indicator"], row["target"]),
        "完成率": fmt.fmt_rate(row["completion"]),
        "序时进度": fmt.fmt_rate(row["expected"]),
        "统计截至": _as_of_of(report, row["district"]),
        "状态": row["status"],
    } for row in report.targets.to_dict("records")])


def _yoy_table(report: Report) -> pd.DataFrame:
    rows = report.yoy[report.yoy["previous"].notna()]
    return pd.DataFrame([{
        "区县": row["district"],
        "指标": labels.indicator_label(row["indicator"]),
        "本期": _value(row["indicator"], row["current"]),
        "去年同期": _value(row["indicator"], row["previous"]),
        "同比": fmt.fmt_change(row["change"], row["change_rel"],
                             rate=progress.is_rate(row["indicator"])),
    } for row in rows.to_dict("records")])


def _forces_table(report: Report) -> pd.DataFrame:
    scores = report.three_forces
    if not len(scores):
        return pd.DataFrame()
    table = dimensions.score_table(scores)
    out = table.map(lambda v: fmt.MISSING if pd.isna(v) else f"{v:.1f}")
    return out.rename_axis("区县").reset_index()


def _categories_table(report: Report) -> pd.DataFrame:
    return pd.DataFrame([{
        "活动类别": row["category"],
        "三力一度": row["dimension"] or fmt.MISSING,
        "活动场次": fmt.fmt_count(row["activity_sessions"], "场"),
        "参与人次": fmt.fmt_count(row["activity_participants"], "人次"),
        "覆盖人数": fmt.fmt_count(row["reached"], "人"),
        "服务时长": fmt.fmt_hours(row["service_hours"]),
    } for row in report.categories.to_dict("records")])


def _stars_table(report: Report) -> pd.DataFrame:
    return pd.DataFrame([{"星级": row["label"], "人数": fmt.fmt_count(row["count"], "人")}
                         for row in report.stars.to_dict("records")])


def _units_table(report: Report) -> pd.DataFrame:
    return pd.DataFrame([{
        "区县": row["district"], "单位": row["unit"],
        "参学人次": fmt.fmt_count(row["study_learners"]),
        "应学团员数": fmt.fmt_count(row["study_members"]),
        "参学率": fmt.fmt_rate(row["study_rate"]), "等级": row["band"] or fmt.MISSING,
    } for row in report.lagging_units.to_dict("records")])


def _monthly_table(report: Report) -> pd.DataFrame:
    rows = []
    for row in report.monthly_total.to_dict("records"):
        out = {"月份": row["month"]}
        for name in INDICATOR_NAMES:
            out[labels.indicator_label(name)] = _value(name, row[name])
        rows.append(out)
    return pd.DataFrame(rows)


def report_tables(report: Report, sections: tuple[str, ...] | None = None
                  ) -> list[tuple[str, pd.DataFrame, str]]:
    """(heading, table of display strings, note when empty) in report order; the
    工作总结 kinds' tables only for the chosen `sections`."""
    return [
        ("区县对比", _comparison_table(report), "所选范围内暂无数据"),
        ("月度合计", _monthly_table(report), "所选范围内暂无数据"),
        ("目标完成", _targets_table(report), "暂无年度目标数据"),
        ("同比", _yoy_table(report), "去年同期暂无数据，无法计算同比"),
        ("三力一度得分", _forces_table(report), "所选范围内暂无数据"),
        ("活动类别", _categories_table(report), "所选范围内暂无活动数据"),
        ("星级志愿者", _stars_table(report), "暂无志愿者数据"),
        ("参学率最低的单位", _units_table(report), "暂无青年大学习数据"),
        *((heading, table, "") for heading, table
          in summary_views.summary_kind_tables(report, sections)),
    ]


def _heading(report: Report) -> tuple[str, str]:
    """The title, and the note the pages show under their title: the as-of day, and when
    districts reported to different months who reached which ("青山区已报至11月，其余区县至10月")."""
    sel = report.selection
    title = f"团务数据报告 — {sel.period_label}（{sel.area_label}）"
    as_of = sel.cut_offs.text if sel.cut_offs else sel.as_of_text
    pace = "各区县的序时进度和状态按本区截止月计算。" if sel.reported_text else ""
    note = (f"{as_of}。{pace}区县：{'、'.join(sel.districts) or '无'}。"
            "数字来自各区上传的报表。")
    return title, note


# --- Markdown -------------------------------------------------------------------------

def _md_cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(table: pd.DataFrame) -> str:
    """A GitHub-style pipe table of display strings."""
    head = "| " + " | ".join(_md_cell(c) for c in table.columns) + " |"
    rule = "|" + "|".join(" --- " for _ in table.columns) + "|"
    body = ["| " + " | ".join(_md_cell(v) for v in row) + " |"
            for row in table.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def report_markdown(report: Report, sections: tuple[str, ...] | None = None) -> str:
    """The report as Markdown: title, the drafted paragraph and 工作总结 sections
    (`sections` chooses them, None = all), then every table."""
    title, note = _heading(report)
    parts = [f"# {title}", "", note, ""]
    if shows_paragraph(sections):
        parts += ["## 工作总结数据段落（草稿）", "", draft_summary(report), ""]
    for name, text in extra_sections(report, sections):
        parts += [f"## 工作总结·{name}（草稿）", "", text, ""]
    for heading, table, empty in report_tables(report, sections):
        parts += [f"## {heading}", "", markdown_table(table) if len(table) else empty, ""]
    return "\n".join(parts)


# --- HTML -----------------------------------------------------------------------------

CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
       "PingFang SC", sans-serif; margin: 24px auto; max-width: 1280px; color: #212121;
       padding: 0 16px; }
h1 { color: #c62828; font-size: 28px; margin-bottom: 4px; }
h2 { border-left: 6px solid #c62828; padding-left: 10px; margin-top: 36px; font-size: 22px; }
.note { color: #616161; }
.summary { background: #fff8e1; border: 1px solid #ffe082; padding: 14px 18px;
           line-height: 1.9; font-size: 17px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 15px; }
th, td { border: 1px solid #cfd8dc; padding: 6px 10px; text-align: right; white-space: nowrap; }
th { background: #eceff1; text-align: center; }
td:first-child, td:nth-child(2) { text-align: left; }
tr:last-child td { font-weight: normal; }
.wrap { overflow-x: auto; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 12px; }
.grid > div { min-width: 0; }
.grid.wide { grid-template-columns: 1fr; }
.status-超前 { color: #2e7d32; font-weight: bold; }
.status-正常 { color: #1565c0; font-weight: bold; }
.status-滞后 { color: #c62828; font-weight: bold; }
"""


def _figures(report: Report) -> list[tuple[str, list[go.Figure]]]:
    """(section heading, figures) in page order — bar and scatter traces only."""
    sel = report.selection
    colors = palette.district_colors(sel.districts)
    targets = report.targets
    compare = []
    for name in INDICATOR_NAMES:
        own = targets[(targets["indicator"] == name) & (targets["district"] != TOTAL)]
        compare.append(charts.comparison_bar(
            report.comparison, name, colors=colors,
            targets=dict(zip(own["district"], own["target"])) or None))
    trends = []
    for name in INDICATOR_NAMES:
        pace = report.target_pace[report.target_pace["indicator"] == name]
        if len(pace):
            trends.append(charts.trend_chart(
                report.monthly_total.assign(district=TOTAL), name, cumulative=True,
                target_pace=pace, colors={TOTAL: palette.PRIMARY},
                title=f"{labels.indicator_label(name)}累计完成与目标序时进度"))
        elif progress.is_rate(name):
            total_target = report.target_of(name)
            trends.append(charts.trend_chart(
                report.monthly_total.assign(district=TOTAL), name, colors={TOTAL: palette.PRIMARY},
                target=total_target["target"] if total_target else None))
    whole = targets[targets["district"] == TOTAL]
    completion = [charts.completion_bar(
        whole.assign(name=whole["indicator"].map(labels.indicator_label)),
        title=f"{sel.area_label}目标完成率与序时进度")] if len(whole) else []
    if len(sel.districts) > 1:
        # each district against its own 序时进度: one reporting further reads further
        for name in COUNT_NAMES:
            rows = views.district_completion(report, name)
            if len(rows):
                completion.append(charts.completion_bar(
                    rows, title=f"各区县{labels.indicator_label(name)}完成率与本区序时进度"))
    sections = [("区县对比图", compare), ("月度趋势", trends), ("目标完成", completion),
                ("活动类别", [charts.category_bar(report.categories)]),
                ("星级志愿者", [charts.star_distribution_bar(
                    report.stars[report.stars["level"] > 0], title="星级志愿者人数")])]
    if report.has_last_year:
        # districts only: a 合计 bar would dwarf them
        yoy = report.yoy[report.yoy["district"] != TOTAL]
        has = yoy[yoy["previous"].notna()]
        sections.append(("同比", [charts.change_bar(yoy, name) for name in INDICATOR_NAMES
                                  if (has["indicator"] == name).any()]))
    return sections


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The vendored plotly.js basic bundle (read once)."""
    return PLOTLY_JS.read_text(encoding="utf-8")


class _FigureWriter:
    """Figures as HTML divs; plotly.js is inlined once, in the page head."""

    def grid(self, figures: Iterable[go.Figure], *, wide: bool = False) -> str:
        """The figures side by side, two to a row on a wide screen; `wide`: one a row."""
        parts = []
        for fig in figures:
            odd = {t.type for t in fig.data} - BASIC_TRACES
            if odd:   # a programming error, not user input: the bundle cannot draw it
                raise ValueError(f"trace types {sorted(odd)} need the full plotly.js bundle")
            parts.append(fig.to_html(full_html=False, include_plotlyjs=False,
                                     config=PLOTLY_CONFIG, default_height=420))
        grid = "grid wide" if wide else "grid"
        return f'<div class="{grid}">' + "\n".join(f"<div>{p}</div>" for p in parts) + "</div>"


def _table_html(table: pd.DataFrame, empty: str) -> str:
    if not len(table):
        return f'<p class="note">{html.escape(empty)}</p>'
    text = table.to_html(index=False, escape=True, border=0, na_rep=fmt.MISSING)
    for status in progress.STATUSES:           # colour our own status words
        text = text.replace(f"<td>{status}</td>", f'<td class="status-{status}">{status}</td>')
    return '<div class="wrap">' + text + "</div>"


def report_html(report: Report, sections: tuple[str, ...] | None = None) -> str:
    """The report as one self-contained HTML page (plotly.js inlined, no network)."""
    title, note = _heading(report)
    writer = _FigureWriter()
    body = [f"<h1>{html.escape(title)}</h1>", f'<p class="note">{html.escape(note)}</p>']
    if shows_paragraph(sections):
        body += ["<h2>工作总结数据段落（草稿）</h2>",
                 *(f'<p class="summary">{html.escape(part)}</p>'
                   for part in draft_summary(report).split("\n\n"))]
    for name, text in extra_sections(report, sections):
        body += [f"<h2>工作总结·{html.escape(name)}（草稿）</h2>",
                 f'<p class="summary">{html.escape(text)}</p>']
    tables = {heading: (table, empty) for heading, table, empty in report_tables(report, sections)}
    figures = dict(_figures(report))
    order = [("区县对比", "区县对比图"), ("月度合计", "月度趋势"), ("目标完成", "目标完成"),
             ("同比", "同比"), ("三力一度得分", "三力一度"), ("活动类别", "活动类别"),
             ("星级志愿者", "星级志愿者"), ("参学率最低的单位", None)]
    order += [(heading, None) for heading, _ in summary_views.summary_kind_tables(report, sections)]
    for heading, figure_key in order:
        table, empty = tables[heading]
        body.append(f"<h2>{html.escape(heading)}</h2>")
        if figure_key and figures.get(figure_key):
            body.append(writer.grid(figures[figure_key], wide=figure_key in WIDE_SECTIONS))
        body.append(_table_html(table, empty))
    # charts drawn while the page was still parsing get their final width here
    body.append("<script>window.addEventListener('load', function () "
                "{ window.dispatchEvent(new Event('resize')); });</script>")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<style>{CSS}</style>\n<script>{plotly_js()}</script>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")
