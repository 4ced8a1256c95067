"""The report as an Excel workbook staff can edit: Chinese sheets, native charts.

Numbers stay numbers (formats such as `#,##0` and `0.00%` do the showing),
ranks are numbers shown as "第1名", and the charts are Excel's own
(`workbook.add_chart`), so they can be restyled in Excel or WPS.

Safety: every text cell is written with `write_string` (a string cell, never
evaluated) and the workbook has `strings_to_formulas` off; a district, unit
or title from an upload that starts with `= + - @`, tab or CR also gets the
quote prefix, so it stays text even after the cell is edited (`write_text`).
"""
from __future__ import annotations

import io
import math
from collections.abc import Iterable

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from analytics.present import fmt, labels, palette, summary_views
from analytics.metrics import dimensions, progress
from analytics import schema
from analytics.metrics.report import TOTAL, Report
from analytics.present.summary_text import draft_facts, draft_summary, extra_sections, fact_label

INDICATOR_NAMES = tuple(i.name for i in schema.INDICATORS)
COUNT_NAMES = tuple(n for n in INDICATOR_NAMES if not progress.is_rate(n))
DIMENSION_NAMES = tuple(schema.DIMENSIONS)

SHEET_COMPARE = "区县对比"
SHEET_MONTHLY = "月度趋势"
SHEET_TARGETS = "目标完成"
SHEET_YOY = "同比"
SHEET_FORCES = "三力一度"
SHEET_CATEGORIES = "活动类别"
SHEET_STARS = "星级志愿者"
SHEET_UNITS = "参学落后单位"
SHEET_SUMMARY = "工作总结"
SHEET_SUMMARY_KINDS = "评优表彰、组织建设、新媒体"

CHART_W, CHART_H = 520, 300
HEADER_ROW = 3  # 0-based row of the table header on each sheet (after title + note)


class _Formats:
    """The workbook's cell formats, made once; each has a quote-prefixed twin."""

    def __init__(self, wb: Workbook) -> None:
        self._wb = wb
        add = self._add
        border = {"border": 1, "border_color": "#BFBFBF", "valign": "vcenter"}
        self.title = add({"bold": True, "font_size": 14})
        self.note = add({"font_color": "#595959", "italic": True})
        self.header = add({**border, "bold": True, "bg_color": "#F2F2F2",
                           "align": "center", "text_wrap": True})
        self.block = add({"bold": True, "font_size": 12, "font_color": "#C62828"})
        self.text = add(border)
        self.total_text = add({**border, "bold": True, "bg_color": "#FFF8E1"})
        self.count = add({**border, "num_format": "#,##0"})
        self.hours = add({**border, "num_format": "#,##0.0"})
        self.rate = add({**border, "num_format": "0.00%"})
        self.score = add({**border, "num_format": "0.0"})
        self.pp = add({**border, "num_format": '+0.00"个百分点";-0.00"个百分点";0.00"个百分点"'})
        self.rank = add({**border, "num_format": '"第"0"名"', "align": "center"})
        self.paragraph = add({"text_wrap": True, "valign": "top", "font_size": 12})
        self.status = {s: add({**border, "bold": True, "align": "center",
                               "font_color": palette.status_color(s)})
                       for s in progress.STATUSES}

    def _add(self, props: dict):
        """A format, with `quoted` pointing at the same format plus Excel's quote
        prefix (the ' that keeps a cell text even when it is edited and re-entered)."""
        cell_format = self._wb.add_format(props)
        cell_format.quoted = self._wb.add_format({**props, "quote_prefix": True})
        return cell_format

    def of(self, indicator: str):
        """Number format of an indicator's values."""
        if progress.is_rate(indicator):
            return self.rate
        return self.hours if indicator == "volunteer_hours" else self.count


def _missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def write_text(ws: Worksheet, row: int, col: int, value, cell_format=None) -> None:
    """Text as text: never a formula, URL or number, whatever it starts with.

    Every text is a string cell (`t="s"`), which Excel and WPS never evaluate.
    One that starts like a formula (`= + - @`, tab, CR) also gets the quote
    prefix, so it stays text when someone edits the cell and presses Enter.
    """
    if _missing(value):
        ws.write_blank(row, col, None, cell_format)
        return
    text = str(value)
    if text.startswith(fmt.FORMULA_STARTS):
        cell_format = getattr(cell_format, "quoted", cell_format)
    ws.write_string(row, col, text, cell_format)


def write_number(ws: Worksheet, row: int, col: int, value, cell_format=None) -> None:
    """A number, or a blank cell for a missing one."""
    if _missing(value):
        ws.write_blank(row, col, None, cell_format)
    else:
        ws.write_number(row, col, float(value), cell_format)


def _header(ws: Worksheet, row: int, headings: Iterable[str], f: _Formats, col: int = 0) -> None:
    for i, label in enumerate(headings):
        write_text(ws, row, col + i, label or None, f.header)


def _title(ws: Worksheet, report: Report, title: str, f: _Formats, note: str = "") -> None:
    sel = report.selection
    write_text(ws, 0, 0, f"{title} — {sel.period_label}（{sel.area_label}）", f.title)
    write_text(ws, 1, 0, note or f"统计截至 {sel.as_of.isoformat()}", f.note)


def _unit_label(indicator: str) -> str:
    return labels.label_with_unit(indicator)


def _chart(wb: Workbook, kind: str, title: str, *, subtype: str | None = None,
           y_title: str = "", x_title: str = "", y_format: str | None = None):
    chart = wb.add_chart({"type": kind, **({"subtype": subtype} if subtype else {})})
    chart.set_title({"name": title, "name_font": {"size": 12}})
    if kind != "radar":
        chart.set_y_axis({"name": y_title, **({"num_format": y_format} if y_format else {}),
                          "major_gridlines": {"visible": True,
                                              "line": {"color": "#E0E0E0"}}})
        chart.set_x_axis({"name": x_title})
    chart.set_size({"width": CHART_W, "height": CHART_H})
    chart.set_legend({"position": "bottom"})
    return chart


def _axis_format(indicator: str) -> str:
    return "0%" if progress.is_rate(indicator) else "#,##0"


# --- sheets ---------------------------------------------------------------------

def _compare_sheet(wb: Workbook, report: Report, f: _Formats) -> None:
    ws = wb.add_worksheet(SHEET_COMPARE)
    _title(ws, report, "区县对比", f,
           f"统计截至 {report.selection.as_of.isoformat()}；排名按数值从高到低，并列取同一名次")
    headings = ["区县"]
    for name in INDICATOR_NAMES:
        headings += [_unit_label(name), "排名"]
    _header(ws, HEADER_ROW, headings, f)
    table = report.comparison
    first = HEADER_ROW + 1
    colors = palette.district_colors(report.selection.districts)
    for i, row in enumerate(table.to_dict("records")):
        r = first + i
        write_text(ws, r, 0, row["district"], f.text)
        for j, name in enumerate(INDICATOR_NAMES):
            write_number(ws, r, 1 + 2 * j, row[name], f.of(name))
            write_number(ws, r, 2 + 2 * j, row[f"rank_{name}"], f.rank)
    total_row = first + len(table)
    write_text(ws, total_row, 0, TOTAL, f.total_text)
    for j, name in enumerate(INDICATOR_NAMES):
        write_number(ws, total_row, 1 + 2 * j, report.total[name], f.of(name))
        ws.write_blank(total_row, 2 + 2 * j, None, f.text)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 2 * len(INDICATOR_NAMES), 12)
    ws.freeze_panes(first, 1)
    if not len(table):
        write_text(ws, total_row + 2, 0, "所选范围内暂无数据", f.note)
        return
    last = first + len(table) - 1
    target_rows = _district_targets(ws, report, total_row + 2, f)
    chart_row = total_row + 2 + (len(table) + 3 if target_rows else 0)
    for j, name in enumerate(INDICATOR_NAMES):
        chart = _chart(wb, "column", f"{labels.indicator_label(name)}区县对比",
                       y_title=_unit_label(name), y_format=_axis_format(name))
        chart.add_series({
            "name": labels.indicator_label(name),
            "categories": [SHEET_COMPARE, first, 0, last, 0],
            "values": [SHEET_COMPARE, first, 1 + 2 * j, last, 1 + 2 * j],
            "points": [{"fill": {"color": colors[d]}} for d in table["district"]],
            "data_labels": {"value": True, "num_format": _axis_format(name)},
        })
        chart.set_legend({"none": True})
        if name in target_rows:
            top = target_rows[name]
            marks = wb.add_chart({"type": "line"})
            marks.add_series({
                "name": "年度目标",
                "categories": [SHEET_COMPARE, first, 0, last, 0],
                "values": [SHEET_COMPARE, top, 1 + 2 * j, top + len(table) - 1, 1 + 2 * j],
                "line": {"none": True},
                "marker": {"type": "dash", "size": 14, "fill": {"color": palette.TARGET},
                           "border": {"color": palette.TARGET}},
            })
            chart.combine(marks)
            chart.set_legend({"position": "bottom", "delete_series": [0]})
        ws.insert_chart(chart_row + (j // 2) * 16, (j % 2) * 8, chart)


def _district_targets(ws: Worksheet, report: Report, row0: int, f: _Formats) -> dict[str, int]:
    """A 年度目标 block under the comparison (same columns); {indicator: first data row}."""
    own = report.targets[report.targets["district"] != TOTAL]
    if not len(own):
        return {}
    write_text(ws, row0, 0, "各区年度目标", f.block)
    _header(ws, row0 + 1, ["区县", *(label for name in INDICATOR_NAMES
                                   for label in (_unit_label(name), ""))], f)
    first = row0 + 2
    for i, district in enumerate(report.comparison["district"]):
        write_text(ws, first + i, 0, district, f.text)
        for j, name in enumerate(INDICATOR_NAMES):
            hit = own[(own["district"] == district) & (own["indicator"] == name)]
            write_number(ws, first + i, 1 + 2 * j, hit["target"].iloc[0] if len(hit) else None,
                         f.of(name))
    return {name: first for name in INDICATOR_NAMES if (own["indicator"] == name).any()}


def _monthly_sheet(wb: Workbook, report: Report, f: _Formats) -> None:
    ws = wb.add_worksheet(SHEET_MONTHLY)
    _title(ws, report, "月度趋势", f)
    monthly, total = report.monthly, report.monthly_total
    months = list(dict.fromkeys(total["month"])) if len(total) else []
    if not months:
        write_text(ws, HEADER_ROW, 0, "所选范围内暂无数据", f.note)
        return
    districts = list(report.selection.districts)
    colors = palette.district_colors(districts)
    stride = max(len(months) + 4, 17)
    ws.set_column(0, 0, 10)
    ws.set_column(1, len(districts) + 3, 12)
    row0 = HEADER_ROW
    for name in INDICATOR_NAMES:
        pace = report.target_pace[report.target_pace["indicator"] == name]
        write_text(ws, row0, 0, _unit_label(name), f.block)
        headings = ["月份", *districts, TOTAL]
        cumulative = name in COUNT_NAMES
        if cumulative:
            headings.append("合计累计")
        if len(pace):
            headings.append("目标进度（累计）")
        head = row0 + 1
        _header(ws, head, headings, f)
        for i, month in enumerate(months):
            r = head + 1 + i
            write_text(ws, r, 0, month, f.text)
            for j, d in enumerate(districts):
                hit = monthly[(monthly["month"] == month) & (monthly["district"] == d)]
                write_number(ws, r, 1 + j, hit[name].iloc[0] if len(hit) else None, f.of(name))
            trow = total[total["month"] == month].iloc[0]
            col = 1 + len(districts)
            write_number(ws, r, col, trow[name], f.of(name))
            if cumulative:
                col += 1
                write_number(ws, r, col, trow[f"cum_{name}"], f.of(name))
            if len(pace):
                col += 1
                hit = pace[pace["month"] == month]
                write_number(ws, r, col, hit["target"].iloc[0] if len(hit) else None, f.of(name))
        first, last = head + 1, head + len(months)
        line = _chart(wb, "line", f"{labels.indicator_label(name)}月度趋势", y_title=_unit_label(name),
                      y_format=_axis_format(name))
        for j, d in enumerate(districts):
            line.add_series({"name": [SHEET_MONTHLY, head, 1 + j],
                             "categories": [SHEET_MONTHLY, first, 0, last, 0],
                             "values": [SHEET_MONTHLY, first, 1 + j, last, 1 + j],
                             "line": {"color": colors[d], "width": 2.25},
                             "marker": {"type": "circle", "size": 5,
                                        "fill": {"color": colors[d]},
                                        "border": {"color": colors[d]}}})
        chart_col = len(headings) + 1
        ws.insert_chart(row0, chart_col, line)
        if cumulative and len(pace):
            cum_col, pace_col = 2 + len(districts), 3 + len(districts)
            progress_chart = _chart(wb, "line", f"{labels.indicator_label(name)}累计完成与目标进度",
                                    y_title=_unit_label(name), y_format=_axis_format(name))
            progress_chart.add_series({"name": [SHEET_MONTHLY, head, cum_col],
                                       "categories": [SHEET_MONTHLY, first, 0, last, 0],
                                       "values": [SHEET_MONTHLY, first, cum_col, last, cum_col],
                                       "line": {"color": palette.PRIMARY, "width": 2.5},
                                       "marker": {"type": "circle", "size": 5}})
            progress_chart.add_series({"name": [SHEET_MONTHLY, head, pace_col],
                                       "categories": [SHEET_MONTHLY, first, 0, last, 0],
                                       "values": [SHEET_MONTHLY, first, pace_col, last, pace_col],
                                       "line": {"color": palette.TARGET, "width": 2,
                                                "dash_type": "dash"}})
            ws.insert_chart(row0, chart_col + 9, progress_chart)
        row0 += stride


def _targets_sheet(wb: Workbook, report: Report, f: _Formats) -> None:
    ws = wb.add_worksheet(SHEET_TARGETS)
    sel = report.selection
    since = f"{sel.months[0]}月1日" if sel.months[0] > 1 else "年初"
    _title(ws, report, "目标完成", f,
           f"序时进度 = {since}至 {sel.as_of.isoformat()} 的天数 ÷ 全年天数；"
           "比率类指标（参学率）直接与目标比较")
    ws.set_column(0, 0, 14)
    ws.set_column(1, 5, 12)
    targets = report.targets
    if not len(targets):
        write_text(ws, HEADER_ROW, 0, "暂无年度目标数据：请在“目标管理”中上传年度目标", f.note)
        return
    row0 = HEADER_ROW
    for name in [n for n in INDICATOR_NAMES if n in set(targets["indicator"])]:
        rows = targets[targets["indicator"] == name]
        write_text(ws, row0, 0, _unit_label(name), f.block)
        head = row0 + 1
        _header(ws, head, ["区县", "实际完成", "年度目标", "完成率", "序时进度", "状态"], f)
        for i, row in enumerate(rows.to_dict("records")):
            r = head + 1 + i
            write_text(ws, r, 0, row["district"],
                       f.total_text if row["district"] == TOTAL else f.text)
            write_number(ws, r, 1, row["actual"], f.of(name))
            write_number(ws, r, 2, row["target"], f.of(name))
            write_number(ws, r, 3, row["completion"], f.rate)
            write_number(ws, r, 4, row["expected"], f.rate)
            write_text(ws, r, 5, row["status"], f.status.get(row["status"], f.text))
        first, last = head + 1, head + len(rows)
        if len(rows) > 1 and rows["district"].iloc[-1] == TOTAL:
            last -= 1      # districts only: the 合计 bar would dwarf them
        chart = _chart(wb, "column", f"{labels.indicator_label(name)}：实际与目标", y_title=_unit_label(name),
                       y_format=_axis_format(name))
        chart.add_series({"name": [SHEET_TARGETS, head, 1],
                          "categories": [SHEET_TARGETS, first, 0, last, 0],
                          "values": [SHEET_TARGETS, first, 1, last, 1],
                          "fill": {"color": palette.PRIMARY}})
        chart.add_series({"name": [SHEET_TARGETS, head, 2],
                          "categories": [SHEET_TARGETS, first, 0, last, 0],
                          "values": [SHEET_TARGETS, first, 2, last, 2],
                          "fill": {"color": palette.TARGET}})
        ws.insert_chart(row0, 7, chart)
        row0 += max(len(rows) + 4, 17)


def _yoy_sheet(wb: Workbook, report: Report, f: _Formats) -> None:
    ws = wb.add_worksheet(SHEET_YOY)
    _title(ws, report, "同比", f, "同比：与上一年相同月份（截至同一天）相比")
    ws.set_column(0, 1, 14)
    ws.set_column(2, 5, 14)
    rows = report.yoy[report.yoy["previous"].notna()]
    if not len(rows):
        write_text(ws, HEADER_ROW, 0, "去年同期暂无数据，无法计算同比", f.note)
        return
    _header(ws, HEADER_ROW, ["区县", "指标", "本期", "去年同期", "增减", "增减率"], f)
    for i, row in enumerate(rows.to_dict("records")):
        r = HEADER_ROW + 1 + i
        name = row["indicator"]
        write_text(ws, r, 0, row["district"], f.total_text if row["district"] == TOTAL else f.text)
        write_text(ws, r, 1, _unit_label(name), f.text)
        write_number(ws, r, 2, row["current"], f.of(name))
        write_number(ws, r, 3, row["previous"], f.of(name))
        if progress.is_rate(name):
            change = None if _missing(row["change"]) else round(row["change"] * 100, 6)
            write_number(ws, r, 4, change, f.pp)
        else:
            write_number(ws, r, 4, row["change"], f.of(name))
        write_number(ws, r, 5, row["change_rel"], f.rate)


def _forces_sheet(wb: Workbook, report: Report, f: _Formats) -> None:
    ws = wb.add_worksheet(SHEET_FORCES)
    _title(ws, report, "三力一度", f,
           "得分 = 每百名团员的活动参与人次（大局贡献度含志愿服务时长）÷ 各区最高值 × 100")
    ws.set_column(0, 0, 14)
    ws.set_column(1, len(DIMENSION_NAMES), 12)
    scores = report.three_forces
    if not len(scores):
        write_text(ws, HEADER_ROW, 0, "所选范围内暂无数据", f.note)
        return
    districts = list(dict.fromkeys(scores["district"]))
    score = dimensions.score_table(scores, "score")
    value = dimensions.score_table(scores, "value")
    write_text(ws, HEADER_ROW - 1, 0, "得分（0–100）", f.block)
    _header(ws, HEADER_ROW, ["区县", *DIMENSION_NAMES], f)
    first = HEADER_ROW + 1
    for i, d in enumerate(districts):
        write_text(ws, first + i, 0, d, f.text)
        for j, dim in enumerate(DIMENSION_NAMES):
            write_number(ws, first + i, 1 + j, score.at[d, dim], f.score)
    last = first + len(districts) - 1
    vhead = last + 3
    write_text(ws, vhead - 1, 0, "每百名团员数值", f.block)
    _header(ws, vhead, ["区县", *DIMENSION_NAMES], f)
    for i, d in enumerate(districts):
        write_text(ws, vhead + 1 + i, 0, d, f.text)
        for j, dim in enumerate(DIMENSION_NAMES):
            write_number(ws, vhead + 1 + i, 1 + j, value.at[d, dim], f.score)
    colors = palette.district_colors(districts)
    radar = wb.add_chart({"type": "radar", "subtype": "with_markers"})
    radar.set_title({"name": "三力一度", "name_font": {"size": 12}})
    radar.set_size({"width": CHART_W, "height": 380})
    radar.set_legend({"position": "bottom"})
    radar.set_y_axis({"min": 0, "max": 100, "major_unit": 20})
    for i, d in enumerate(districts):
        radar.add_series({"name": [SHEET_FORCES, first + i, 0],
                          "categories": [SHEET_FORCES, HEADER_ROW, 1, HEADER_ROW,
                                         len(DIMENSION_NAMES)],
                          "values": [SHEET_FORCES, first + i, 1, first + i, len(DIMENSION_NAMES)],
                          "line": {"color": colors[d], "width": 2},
                          "marker": {"type": "circle", "size": 5,
                                     "fill": {"color": colors[d]}, "border": {"color": colors[d]}}})
    ws.insert_chart(HEADER_ROW, len(DIMENSION_NAMES) + 2, radar)


_CATEGORY_COLUMNS = (("activity_sessions", "活动场次（场）", "count"),
                     ("activity_participants", "参与人次（人次）", "count"),
                     ("reached", "覆盖人数（人）", "count"),
                     ("volunteers", "志愿者人数（人）", "count"),
                     ("service_hours", "服务时长（小时）", "hours"),
                     ("funds", "经费（元）", "hours"))


def _categories_sheet(wb: Workbook, report: Report, f: _Formats) -> None:
    ws = wb.add_worksheet(SHEET_CATEGORIES)
    _title(ws, report, "活动类别", f)
    ws.set_column(0, 1, 14)
    ws.set_column(2, 1 + len(_CATEGORY_COLUMNS), 13)
    table = report.categories
    if not len(table):
        write_text(ws, HEADER_ROW, 0, "所选范围内暂无活动数据", f.note)
        return
    _header(ws, HEADER_ROW, ["活动类别", "三力一度", *(c[1] for c in _CATEGORY_COLUMNS)], f)
    first = HEADER_ROW + 1
    for i, row in enumerate(table.to_dict("records")):
        write_text(ws, first + i, 0, row["category"], f.text)
        write_text(ws, first + i, 1, row["dimension"] or fmt.MISSING, f.text)
        for j, (col, _, kind) in enumerate(_CATEGORY_COLUMNS):
            write_number(ws, first + i, 2 + j, row[col], getattr(f, kind))
    last = first + len(table) - 1
    chart = _chart(wb, "bar", "各类活动参与人次", x_title="", y_title="",
                   y_format=None)
    chart.set_x_axis({"name": "参与人次（人次）", "num_format": "#,##0"})
    chart.set_y_axis({"reverse": True})
    chart.add_series({"name": [SHEET_CATEGORIES, HEADER_ROW, 3],
                      "categories": [SHEET_CATEGORIES, first, 0, last, 0],
                      "values": [SHEET_CATEGORIES, first, 3, last, 3],
                      "points": [{"fill": {"color": palette.DIMENSION_COLORS.get(
                          d or schema.OTHER_CATEGORY, palette.PRIMARY)}}
                          for d in table["dimension"]],
                      "data_labels": {"value": True, "num_format": "#,##0"}})
    chart.set_legend({"none": True})
    ws.insert_chart(last + 2, 0, chart)


def _stars_sheet(wb: Workbook, report: Report, f: _Formats) -> None:
    ws = wb.add_worksheet(SHEET_STARS)
    _title(ws, report, "星级志愿者", f,
           f"按截至 {report.selection.as_of.isoformat()} 的累计服务时长评定（含往年）")
    ws.set_column(0, 1, 16)
    _header(ws, HEADER_ROW, ["星级", "人数（人）"], f)
    first = HEADER_ROW + 1
    for i, row in enumerate(report.stars.to_dict("records")):
        write_text(ws, first + i, 0, row["label"], f.text)
        write_number(ws, first + i, 1, row["count"], f.count)
    last = first + len(report.stars) - 1
    chart = _chart(wb, "column", "星级志愿者人数", y_title="人数（人）", y_format="#,##0")
    chart.add_series({"name": "人数", "categories": [SHEET_STARS, first, 0, last, 0],
                      "values": [SHEET_STARS, first, 1, last, 1],
                      "fill": {"color": palette.PRIMARY},
                      "data_labels": {"value": True}})
    chart.set_legend({"none": True})
    ws.insert_chart(HEADER_ROW, 3, chart)


def _units_sheet(wb: Workbook, report: Report, f: _Formats) -> None:
    ws = wb.add_worksheet(SHEET_UNITS)
    _title(ws, report, "参学率最低的单位", f, "团员数不足 30 人的单位不参与排序")
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 5, 12)
    units = report.lagging_units
    if not len(units):
        write_text(ws, HEADER_ROW, 0, "所选范围内暂无青年大学习数据", f.note)
        return
    _header(ws, HEADER_ROW, ["区县", "单位", "参学人次", "应学团员数", "参学率", "等级"], f)
    for i, row in enumerate(units.to_dict("records")):
        r = HEADER_ROW + 1 + i
        write_text(ws, r, 0, row["district"], f.text)
        write_text(ws, r, 1, row["unit"], f.text)
        write_number(ws, r, 2, row["study_learners"], f.count)
        write_number(ws, r, 3, row["study_members"], f.count)
        write_number(ws, r, 4, row["study_rate"], f.rate)
        write_text(ws, r, 5, row["band"], f.text)


def _summary_kinds_sheet(wb: Workbook, report: Report, f: _Formats,
                         sections: tuple[str, ...] | None = None) -> None:
    """The pages' 评优表彰, 组织建设 and 新媒体 tables of the chosen sections, one under
    the other (no sheet without any)."""
    tables = summary_views.summary_kind_tables(report, sections)
    if not tables:
        return
    ws = wb.add_worksheet(SHEET_SUMMARY_KINDS)
    _title(ws, report, "评优表彰、组织建设、新媒体", f, "与总览、区县对比、活动开展页所示一致")
    ws.set_column(0, 0, 14)
    ws.set_column(1, 12, 14)
    r = HEADER_ROW
    for heading, table in tables:
        write_text(ws, r, 0, heading, f.text)
        _header(ws, r + 1, [str(c) for c in table.columns], f)
        for i, row in enumerate(table.itertuples(index=False)):
            for c, value in enumerate(row):
                write_text(ws, r + 2 + i, c, value, f.text)
        r += len(table) + 4


def _summary_sheet(wb: Workbook, report: Report, f: _Formats,
                   sections: tuple[str, ...] | None = None) -> None:
    ws = wb.add_worksheet(SHEET_SUMMARY)
    _title(ws, report, "工作总结数据段落（草稿）", f, "以下文字由系统根据所选数据生成，数字按“余、超、近”规则取整，请核对后使用")
    ws.set_column(0, 0, 28)
    ws.set_column(1, 3, 16)
    text = draft_summary(report)
    ws.merge_range(HEADER_ROW, 0, HEADER_ROW, 7, "", f.paragraph)
    write_text(ws, HEADER_ROW, 0, text, f.paragraph)
    ws.set_row(HEADER_ROW, max(60, 16 * (len(text) // 50 + 2)))
    head = HEADER_ROW + 2
    _header(ws, head, ["数据来源", "区县", "数值", "文中写法"], f)
    for i, fact in enumerate(draft_facts(report)):
        r = head + 1 + i
        write_text(ws, r, 0, fact_label(fact), f.text)
        write_text(ws, r, 1, fact.district, f.text)
        fmt_ = f.rate if fact.style in ("rate", "change") else f.hours
        if fact.style == "pp":
            write_number(ws, r, 2, round(fact.value * 100, 6), f.pp)
        else:
            write_number(ws, r, 2, fact.value, fmt_)
        write_text(ws, r, 3, fact.text, f.text)
    r = head + 2 + len(draft_facts(report))
    for name, section in extra_sections(report, sections):
        write_text(ws, r, 0, f"工作总结·{name}（草稿）", f.text)
        ws.merge_range(r + 1, 0, r + 1, 7, "", f.paragraph)
        write_text(ws, r + 1, 0, section, f.paragraph)
        ws.set_row(r + 1, max(40, 16 * (len(section) // 50 + 2)))
        r += 3


def report_xlsx(report: Report, sections: tuple[str, ...] | None = None) -> bytes:
    """The report as an .xlsx workbook (bytes), with native Excel charts.

    Sheets: 区县对比, 月度趋势, 目标完成, 同比, 三力一度, 活动类别, 星级志愿者,
    参学落后单位, 评优表彰、组织建设、新媒体 (when there are such rows), 工作总结.
    """
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_numbers": False, "strings_to_urls": False,
                                      "nan_inf_to_errors": True})
    wb.set_properties({"title": f"团务数据报告 {report.selection.period_label}",
                       "author": "团务数据看板"})
    f = _Formats(wb)
    for build in (_compare_sheet, _monthly_sheet, _targets_sheet, _yoy_sheet, _forces_sheet,
                  _categories_sheet, _stars_sheet, _units_sheet):
        build(wb, report, f)
    _summary_kinds_sheet(wb, report, f, sections)
    _summary_sheet(wb, report, f, sections)
    wb.close()
    return buffer.getvalue()
