"""Blank Excel templates for the four sheet kinds, generated from `schema`.

Staff download a template, fill it in and upload it. Everything in it — the
header row, the 填表说明 rules, the drop-down lists, the cell formats — is
derived from `analytics.schema`, so a template always matches what the
loader accepts.

    >>> data = template_bytes("活动台账")      # or "activities"
    >>> data[:2]
    b'PK'
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from analytics import schema
from analytics.errors import NotFound
from analytics.schema import Field, FieldType, Kind

__all__ = [
    "INSTRUCTIONS_SHEET",
    "LISTS_SHEET",
    "TEMPLATE_ROWS",
    "SHEET_SHAPES",
    "field_rules",
    "shapes_frame",
    "resolve_kind",
    "rules_frame",
    "template_bytes",
    "template_filename",
    "write_instructions",
    "write_template",
]

INSTRUCTIONS_SHEET = "填表说明"
LISTS_SHEET = "下拉选项"
# rows (below the header) that carry drop-downs and validation
TEMPLATE_ROWS = 5000
# fixed document date: the same template twice is the same bytes
_CREATED = datetime(2026, 1, 1)

_DATE_FORMATS = "Excel 日期，或 2026-03-05、2026/03/05、2026.3.5、2026年3月5日、20260305"
_MONTH_FORMATS = "2026-03、2026年3月，或该月任一日期"

# how each type reads in the rules table; never a bare header word such as
# "日期" or "类别", so the 填表说明 sheet is never mistaken for a data table
_TYPE_TEXT: dict[FieldType, str] = {
    FieldType.TEXT: "文本",
    FieldType.INT: "整数",
    FieldType.NUMBER: "数值",
    FieldType.DATE: "年月日",
    FieldType.MONTH: "年月",
    FieldType.YEAR: "四位年份数字",
    FieldType.RATE: "百分比",
    FieldType.CATEGORY: "下拉选择",
    FieldType.INDICATOR: "下拉选择",
}

_NUM_FORMATS: dict[FieldType, str] = {
    FieldType.TEXT: "@",
    FieldType.INT: "0",
    FieldType.NUMBER: "0.0#",
    FieldType.DATE: "yyyy-mm-dd",
    FieldType.MONTH: "yyyy-mm",
    FieldType.YEAR: "0",
    FieldType.RATE: "0.00%",
    FieldType.CATEGORY: "@",
    FieldType.INDICATOR: "@",
}

_WIDE_FIELDS = {"title": 30, "unit": 26, "project": 24, "name": 12, "period": 16,
                "indicator": 16}


@dataclass(frozen=True)
class FieldRule:
    """One line of the 填表说明 table: how to fill one column."""

    column: str
    required: str
    type: str
    allowed: str
    other_headers: str
    hint: str

    def as_row(self) -> list[str]:
        return [self.column, self.required, self.type, self.allowed,
                self.other_headers, self.hint]


_RULE_HEADER = ["列名", "是否必填", "填写格式", "取值要求", "可用的其他表头", "填写提示"]


def resolve_kind(kind: str | Kind) -> Kind:
    """The sheet kind named by its canonical name or Chinese label.

    >>> resolve_kind("青年大学习").name
    'study'
    """
    if isinstance(kind, Kind):
        return kind
    key = str(kind).strip()
    for k in schema.KINDS.values():
        if key in (k.name, k.label) or key.lower() == k.name:
            return k
    names = "、".join(f"{k.name}（{k.label}）" for k in schema.KINDS.values())
    raise NotFound(f"没有名为“{key}”的报表类型。可用的类型：{names}。")


def template_filename(kind: str | Kind) -> str:
    """File name offered for download, e.g. 活动台账模板.xlsx."""
    return f"{resolve_kind(kind).label}模板.xlsx"


def _required_text(kind: Kind, f: Field) -> str:
    if f.name in kind.upload_fields and f.required:
        return "必填（上传时已指定的可不填）"
    if f.required:
        return "必填"
    if kind.name == "volunteer" and f.name == "name":
        return "无编号时必填"
    return "选填"


def _number(x: float) -> str:
    return f"{x:g}"


def _allowed_text(f: Field) -> str:
    parts: list[str] = []
    if f.type is FieldType.DATE:
        parts.append(f"可写作 {_DATE_FORMATS}；不能晚于当月月底")
    elif f.type is FieldType.MONTH:
        parts.append(f"可写作 {_MONTH_FORMATS}")
    elif f.type is FieldType.YEAR:
        parts.append("如 2026 或 2026年")
    elif f.type is FieldType.RATE:
        parts.append("可写作 97.46%、97.46 或 0.9746")
    elif f.type is FieldType.CATEGORY:
        names = "、".join(c.name for c in schema.categories())
        parts.append(f"可选：{names}；其他写法按别名归类，无法识别的计入“其他”")
    elif f.type is FieldType.INDICATOR:
        names = "、".join(i.label for i in schema.TARGET_INDICATORS)
        parts.append(f"可选：{names}")
    if f.min is not None or f.max is not None:
        bounds = []
        if f.min is not None:
            bounds.append(f"{'大于' if f.min_exclusive else '不小于'} {_number(f.min)}")
        if f.max is not None:
            bounds.append(f"不大于 {_number(f.max)}")
        parts.append("，".join(bounds))
    if f.unit == "小时":
        parts.append("可写作 2、2.5、2小时30分、90分钟、1.5h")
    elif f.type in (FieldType.INT, FieldType.NUMBER):
        parts.append("可带千分位、单位或“万”（如 1,200、1.2万）")
    if f.default is not None:
        parts.append(f"空白按 {f.default} 计")
    return "；".join(parts)


def field_rules(kind: str | Kind) -> list[FieldRule]:
    """The fill-in rules of every column of a kind, in column order."""
    k = resolve_kind(kind)
    return [
        FieldRule(
            column=f.label,
            required=_required_text(k, f),
            type=_TYPE_TEXT[f.type],
            allowed=_allowed_text(f),
            other_headers="、".join(f.headers[1:]),
            hint=f.hint,
        )
        for f in k.fields
    ]


# layouts the loader reads as they are, for the upload page's help (one row each; each has a
# generated workbook in tests/test_real_sheets.py)
SHEET_SHAPES: tuple[tuple[str, str], ...] = (
    ("纵向合并的单元格（单位、活动类别、区 合并在多行上）", "合并单元格的值计入它覆盖的每一行"),
    ("三行及以上表头（标题行、开展情况/志愿服务 分组、参与情况 子分组）",
     "按最下一层表头识别；“男/女/合计”“成人/儿童/合计”取“合计”列，不取第一部分"),
    ("表头下方紧跟 总合计 / 合计 行，或 全区合计 行", "合计行不计入，检查结果中列出被跳过的行号"),
    ("单位名称中含“合计”（如 合计村团支部）", "是数据行，照常计入；只有“合计”“全区合计”这类合计行才跳过"),
    ("年份、月份（、日）分列", "合成日期"),
    ("只有月份、没有日期的活动表", "请在上传时指定月份，各行按该月计入"),
    ("日期写成 6.30、6.3 并有 年份 列", "按该年计入；6.1 这类可能是 6.10 的日期逐行提醒"),
    ("日期为时间段：2026.7.5-7.7、2026年7月10日至12日、2026/7/15—2026/7/16、2026-07-20~07-21",
     "按首日计入，原时间段保存在该行的“起止时间”中，并逐行提醒"),
    ("志愿服务系统导出表（志愿者编号、姓名、所属组织、项目名称、开始时间、结束时间）",
     "时长可写 2小时30分、90分钟、1.5h；没有时长列时按开始、结束时间计算；性别等多余列不影响"),
    ("青年大学习汇总宽表（每个团支部一行，每期一组 参学人数 | 参学率）",
     "每个团支部每期一行；月份取自期次表头的年月（如“2026年8月第33期”）或期次日历，否则请在上传时指定"),
    ("常见表头写法：团支部、所属组织、应学人数、已学人数、开始时间、项目名称、受益人数；表头内换行或空格",
     "均可识别"),
    ("公式单元格（.xlsx、.xls、.ods、CSV）", "使用 Excel 保存的计算结果；没有计算结果的请在 Excel 中打开并保存后再上传"),
)


def shapes_frame() -> pd.DataFrame:
    """`SHEET_SHAPES` as a table, for the upload page's help."""
    return pd.DataFrame(list(SHEET_SHAPES), columns=["表格样式", "如何读取"])


def rules_frame(kind: str | Kind) -> pd.DataFrame:
    """`field_rules` as a table, for the upload page's help."""
    return pd.DataFrame([r.as_row() for r in field_rules(kind)], columns=_RULE_HEADER)


def write_instructions(workbook: Workbook, kinds: list[str | Kind],
                       sheet_name: str = INSTRUCTIONS_SHEET) -> Worksheet:
    """Add a 填表说明 sheet with the rules of each kind (used by templates and sample files)."""
    ws = workbook.add_worksheet(sheet_name)
    title = workbook.add_format({"bold": True, "font_size": 14})
    section = workbook.add_format({"bold": True, "font_size": 12, "font_color": "#1f4e79"})
    head = workbook.add_format({"bold": True, "bg_color": "#d9e1f2", "border": 1,
                                "text_wrap": True, "valign": "top"})
    cell = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    required = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top",
                                    "bold": True, "font_color": "#c00000"})
    for col, width in enumerate((14, 16, 12, 46, 30, 32)):
        ws.set_column(col, col, width)

    ws.write(0, 0, "填表说明", title)
    general = [
        "1. 表头请保持在一行内，不要修改列名；红色表头为必填列，灰色为选填列。",
        "2. 每行填写一条记录；合计、小计行和空行不计入统计，可保留。",
        "3. 数字可直接填写，也可带千分位或单位；日期可用 Excel 日期或常见写法。",
        "4. 同一区同一月份的数据重新上传时，须勾选“确认替换”，原数据会被替换而不会重复计数。",
    ]
    row = 1
    for line in general:
        ws.write(row, 0, line)
        row += 1
    for kind in kinds:
        k = resolve_kind(kind)
        row += 1
        ws.write(row, 0, f"{k.label}：{k.description}", section)
        row += 1
        ws.write_row(row, 0, _RULE_HEADER, head)
        row += 1
        for rule in field_rules(k):
            values = rule.as_row()
            ws.write_string(row, 0, values[0], required if rule.required.startswith("必填")
                            else cell)
            for col, value in enumerate(values[1:], start=1):
                ws.write_string(row, col, value, cell)
            row += 1
    return ws


def _list_values() -> dict[FieldType, list[str]]:
    return {FieldType.CATEGORY: [c.name for c in schema.categories()],
            FieldType.INDICATOR: [i.label for i in schema.TARGET_INDICATORS]}


def _list_refs() -> dict[FieldType, str]:
    """Range reference of each drop-down list on the hidden lists sheet."""
    refs = {}
    for col, (ftype, values) in enumerate(_list_values().items()):
        letter = "AB"[col]
        refs[ftype] = f"='{LISTS_SHEET}'!${letter}$1:${letter}${len(values)}"
    return refs


def _write_lists(workbook: Workbook) -> None:
    """Hidden sheet holding the drop-down lists (referenced by `_list_refs`)."""
    ws = workbook.add_worksheet(LISTS_SHEET)
    for col, values in enumerate(_list_values().values()):
        ws.write_column(0, col, values)
    ws.hide()


def _validation(f: Field, lists: dict[FieldType, str]) -> dict | None:
    """Excel data validation for a column (warnings only: the loader has the last word)."""
    base = {"error_type": "warning", "error_title": "请核对",
            "ignore_blank": True}
    if f.type in lists:
        return {**base, "validate": "list", "source": lists[f.type],
                "error_message": "不在下拉列表中；无法识别的类别将计入“其他”。"}
    if f.type in (FieldType.INT, FieldType.NUMBER) and f.min is not None:
        validate = "integer" if f.type is FieldType.INT else "decimal"
        if f.max is not None:
            return {**base, "validate": validate, "criteria": "between",
                    "minimum": f.min, "maximum": f.max,
                    "error_message": f"请填写 {_number(f.min)} 到 {_number(f.max)} 之间的数。"}
        op = ">" if f.min_exclusive else ">="
        word = "大于" if f.min_exclusive else "不小于"
        return {**base, "validate": validate, "criteria": op, "value": f.min,
                "error_message": f"请填写{word} {_number(f.min)} 的"
                                 f"{'整数' if validate == 'integer' else '数'}。"}
    if f.type is FieldType.DATE:
        return {**base, "validate": "date", "criteria": "between",
                "minimum": datetime(2000, 1, 1), "maximum": datetime(2100, 12, 31),
                "error_message": "请填写日期，如 2026-03-05。"}
    if f.type is FieldType.YEAR:
        return {**base, "validate": "integer", "criteria": "between",
                "minimum": 2000, "maximum": 2100, "error_message": "请填写四位年份，如 2026。"}
    return None


def _header_comment(kind: Kind, f: Field) -> str:
    lines = [f"{f.label}（{_required_text(kind, f)}）"]
    if f.hint:
        lines.append(f.hint)
    if len(f.headers) > 1:
        lines.append("也可写作：" + "、".join(f.headers[1:]))
    return "\n".join(lines)


def _write_data_sheet(workbook: Workbook, kind: Kind, lists: dict[FieldType, str]) -> None:
    ws = workbook.add_worksheet(kind.label)
    required = workbook.add_format({"bold": True, "font_color": "#ffffff", "bg_color": "#c00000",
                                    "border": 1, "align": "center", "valign": "vcenter"})
    optional = workbook.add_format({"bold": True, "bg_color": "#d9d9d9", "border": 1,
                                    "align": "center", "valign": "vcenter"})
    formats = {t: workbook.add_format({"num_format": fmt}) for t, fmt in _NUM_FORMATS.items()}
    for col, f in enumerate(kind.fields):
        width = _WIDE_FIELDS.get(f.name, max(12, 2 * len(f.label) + 4))
        ws.set_column(col, col, width, formats[f.type])
        ws.write_string(0, col, f.label, required if f.required else optional)
        ws.write_comment(0, col, _header_comment(kind, f), {"x_scale": 2, "y_scale": 1.6})
        rule = _validation(f, lists)
        if rule:
            ws.data_validation(1, col, TEMPLATE_ROWS, col, rule)
    ws.set_row(0, 22)
    ws.freeze_panes(1, 0)
    ws.activate()


def write_template(kind: str | Kind, path_or_buffer: str | Path | BinaryIO) -> None:
    """Write the blank template of `kind` (name or Chinese label) as .xlsx."""
    k = resolve_kind(kind)
    target = str(path_or_buffer) if isinstance(path_or_buffer, Path) else path_or_buffer
    workbook = xlsxwriter.Workbook(target, {"in_memory": True})
    workbook.set_properties({"title": f"{k.label}模板", "created": _CREATED,
                             "comments": "由 团务数据看板 生成"})
    lists = _list_refs()
    _write_data_sheet(workbook, k, lists)
    write_instructions(workbook, [k])
    _write_lists(workbook)
    workbook.close()


def template_bytes(kind: str | Kind) -> bytes:
    """The template as bytes, for a download button."""
    buffer = io.BytesIO()
    write_template(kind, buffer)
    return buffer.getvalue()
