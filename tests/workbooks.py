"""Builders for messy test workbooks (xlsx via openpyxl, xls via xlwt, csv bytes).

Other helpers may import these: `write_xlsx`, `write_xls`, `csv_bytes`,
and the ready-made sheets below (`MESSY_ACTIVITIES`, `STUDY_SHEET`,
`VOLUNTEER_SHEET`, `TARGETS_SHEET`, `INSTRUCTIONS_SHEET`) with the figures a
check of them must give. A sheet is a `Sheet(rows, merges)`: `rows` as the
user sees them from row 1, `merges` in Excel notation ("A1:H1").
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Sheet:
    rows: list[list]
    merges: list[str] = field(default_factory=list)


def write_xlsx(path: Path, sheets: dict[str, Sheet | list[list]]) -> Path:
    """An .xlsx with one worksheet per entry; `None`/"" cells left empty."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, sheet in sheets.items():
        sheet = sheet if isinstance(sheet, Sheet) else Sheet(sheet)
        ws = book.create_sheet(name)
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None and value != "":
                    ws.cell(row=r, column=c, value=value)
        for ref in sheet.merges:
            ws.merge_cells(ref)
    book.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, Sheet | list[list]]) -> Path:
    """A legacy .xls (BIFF8, as older Excel and WPS save); dates get a date format."""
    import xlwt
    from openpyxl.utils.cell import range_boundaries

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, sheet in sheets.items():
        sheet = sheet if isinstance(sheet, Sheet) else Sheet(sheet)
        ws = book.add_sheet(name)
        merged_cells = set()
        for ref in sheet.merges:
            c1, r1, c2, r2 = range_boundaries(ref)
            value = _cell(sheet.rows, r1 - 1, c1 - 1)
            ws.write_merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1, value)
            merged_cells |= {(r, c) for r in range(r1 - 1, r2) for c in range(c1 - 1, c2)}
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                if (r, c) in merged_cells or value is None or value == "":
                    continue
                if isinstance(value, dt.date):
                    ws.write(r, c, value, date_style)
                else:
                    ws.write(r, c, value)
    book.save(str(path))
    return Path(path)


def _cell(rows: list[list], r: int, c: int) -> object:
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else ""


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    """CSV text of the rows, encoded as a Chinese Excel would save it (utf-8-sig, gbk, ...)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, dt.date) else v)
                         for v in row])
    return out.getvalue().encode(encoding)


def write_file(path: Path, fmt: str, sheet: Sheet, name: str = "Sheet1") -> Path:
    """One sheet in `fmt`: "xlsx", "xls", "csv-utf8", "csv-bom", "csv-gbk"."""
    path = Path(path)
    if fmt == "xlsx":
        return write_xlsx(path, {name: sheet})
    if fmt == "xls":
        return write_xls(path, {name: sheet})
    encoding = {"csv-utf8": "utf-8", "csv-bom": "utf-8-sig", "csv-gbk": "gbk"}[fmt]
    path.write_bytes(csv_bytes(sheet.rows, encoding))
    return path


def macro_xlsx(path: Path) -> Path:
    """A workbook carrying a VBA project, as an .xlsm has."""
    plain = io.BytesIO()
    write_xlsx(plain, {"Sheet1": [["日期", "活动名称"]]})
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/vbaProject.bin", b"\x00" * 64)
    return Path(path)


def patched_xlsx(path: Path, sheet_xml_edit) -> Path:
    """A small xlsx whose first sheet's XML is rewritten by `sheet_xml_edit(bytes) -> bytes`."""
    plain = io.BytesIO()
    write_xlsx(plain, {"Sheet1": VOLUNTEER_SHEET.rows})
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = sheet_xml_edit(body)
            dst.writestr(item, body)
    return Path(path)


# --- ready-made sheets ---------------------------------------------------------

# Title rows, a 填报单位 line, a two-row header with merged group cells, a 序号
# column, numbers as text with units / separators / full-width digits / 万,
# dates in five styles, a blank row, a 合计 row and a 注： line. No district
# column: the district is given at upload.
MESSY_ACTIVITIES = Sheet(
    rows=[
        ["东城区团委2026年3月活动台账", "", "", "", "", "", "", "", ""],
        ["填报单位：东城区团委", "", "", "", "", "", "填报日期：2026年3月31日", "", ""],
        ["序号", "日期", "单位", "活动名称", "活动类别", "开展情况", "", "服务时长（小时）", "经费(元)"],
        ["", "", "", "", "", "场次", "参与人次", "", ""],
        [1, "2026.3.5", "东城一中团委", "学雷锋志愿服务", "志愿服务", 2, "1,200", "12小时", 500],
        [2, dt.date(2026, 3, 8), "和平里街道团工委", "防溺水宣讲", "防溺水", 1, "３５", 3, ""],
        [3, "2026年3月12日", "东城二中团委", "心理健康讲座", "心理", " 1 ", "450人次", "", "1.2万"],
        ["", "", "", "", "", "", "", "", ""],
        [4, "20260315", "北新桥街道团工委", "青年读书会", "读书会", 1, 80, "", ""],
        [5, "2026/03/20", "东城三中团委", "植树活动", "志愿服务", 1.5, "很多", "", ""],
        ["合计", "", "", "", "", 6, 1765, 15, 12500],
        ["注：本表由各基层团组织填报，经费单位为元。", "", "", "", "", "", "", "", ""],
    ],
    merges=["A1:I1", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:G3", "H3:H4", "I3:I4"],
)
MESSY_ACTIVITIES_EXPECTED = {
    "kind": "activities", "header_row": 4, "rows_accepted": 4, "rows_rejected": 1,
    "errors": [{"row": 10, "column": "场次", "message": "须为整数"},
               {"row": 10, "column": "参与人次", "message": "须为数字（可带单位，如 450、1,200、1.2万）"}],
    "warning_rows": [9],
    "totals": {"sessions": 5, "participants": 1765, "volunteers": 0, "service_hours": 15.0,
               "reached": 0, "funds": 12500.0, "beneficiaries": 0},
}

STUDY_SHEET = Sheet(rows=[
    ["青年大学习参学情况统计表"],
    ["期次", "区", "单位", "团员数", "参学人数", "参学率"],
    ["2024年第2期", "东城区", "东城一中团委", 200, 195, "97.5%"],
    ["第十二季第九期", "东城区", "东城二中团委", "1,000", 950, 95],
    ["2024年第2期", "东城区", "和平里街道团工委", 40, 42, 1.05],
    ["2024年第2期", "东城区", "北新桥街道团工委", 100, 90, 0.8],
    ["小计", "", "", 1340, 1277, ""],
])

VOLUNTEER_SHEET = Sheet(rows=[
    ["志愿者编号", "姓名", "区", "单位", "服务项目", "服务日期", "服务时长"],
    ["V001", "张三", "东城区", "东城一中团委", "文明劝导", dt.date(2026, 3, 1), 2],
    ["", "李四", "东城区", "东城一中团委", "文明劝导", "2026.3.2", "3.5小时"],
    ["V001", "张三", "东城区", "东城一中团委", "助老", "2026-03-09", 4],
    ["", "", "东城区", "东城二中团委", "助老", "2026-03-09", 2],
    ["V002", "王五", "东城区", "东城二中团委", "助老", "2026-03-10", 30],
])

TARGETS_SHEET = Sheet(rows=[
    ["年度", "区", "指标", "目标值"],
    [2026, "全部", "参学率", "95%"],
    ["2026年", "东城区", "study_rate", 96],
    [2026, "东城区", "志愿服务时长", "1.2万"],
    [2026, "东城区", "幸福指数", 1],
])

INSTRUCTIONS_SHEET = Sheet(rows=[
    ["填表说明"],
    ["1. 每月5日前上传上月数据。"],
    ["2. 日期请写成 2026-03-05。"],
])
