"""Sheets in the layouts committees really send: each loads with the right rows and totals,
or fails with a Chinese message that says what to change.

Shapes follow public sheets (a 各个活动受益人数及人次统计表 with a three-row header,
year/month columns and a 总合计 row under the header; 6.30-style dates; volunteer
system exports; wide 青年大学习 summaries), written as real workbooks with openpyxl.
"""
import datetime as dt
import json
import subprocess
import sys

import openpyxl
import pytest

from analytics.ingest.check import check_file
from analytics.ingest.parse import FORMULA_WITHOUT_VALUE, parse_raw
from tests.workbooks import Sheet, write_xls, write_xlsx

TODAY = dt.date(2026, 12, 2)


def check(tmp_path, sheet, *, fmt="xlsx", **kw):
    path = tmp_path / f"表.{fmt}"
    (write_xls if fmt == "xls" else write_xlsx)(path, {"Sheet1": sheet})
    return check_file(path, today=TODAY, **kw).tables[0]


def errors(sheet):
    return [(e.row, e.column, e.message) for e in sheet.errors]


# --- vertically merged cells ----------------------------------------------------

MERGED_UNITS = Sheet(
    rows=[
        ["区", "单位", "活动类别", "日期", "活动名称", "参与人次"],
        ["东城区", "东城一中团委", "志愿服务", "2026-07-01", "文明劝导", 30],
        ["", "", "", "2026-07-02", "社区清扫", 20],
        ["", "", "理论学习", "2026-07-03", "主题团课", 50],
        ["", "和平里街道团工委", "志愿服务", "2026-07-04", "助老", 10],
        ["", "", "", "2026-07-05", "助残", 5],
    ],
    merges=["A2:A6", "B2:B4", "C2:C3", "B5:B6", "C5:C6"],
)


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_a_merged_cell_belongs_to_every_row_it_spans(tmp_path, fmt):
    sheet = check(tmp_path, MERGED_UNITS, fmt=fmt)
    assert errors(sheet) == []
    assert sheet.frame["unit"].tolist() == ["东城一中团委"] * 3 + ["和平里街道团工委"] * 2
    assert sheet.frame["district"].tolist() == ["东城区"] * 5
    assert sheet.frame["category"].tolist() == ["志愿服务", "志愿服务", "思想引领", "志愿服务", "志愿服务"]
    assert sheet.totals["participants"] == 115
    assert sheet.frame["source_row"].tolist() == [2, 3, 4, 5, 6]


# --- three-row headers, 合计 leaves, a 总合计 row under the header ---------------

# as a public 各个活动受益人数及人次统计表: title, group, sub-group, leaves; 年份 / 月份 columns
DEEP_HEADER = Sheet(
    rows=[
        ["各个活动受益人数及人次统计表", "", "", "", "", "", "", "", "", "", "", ""],
        ["序号", "年份", "月份", "单位", "活动类型", "活动名称", "开展情况", "", "", "", "受益人数", ""],
        ["", "", "", "", "", "", "场次", "参与情况", "", "", "", ""],
        ["", "", "", "", "", "", "", "男", "女", "合计", "成人", "合计"],
        ["总合计", "", "", "", "", "", 3, 30, 45, 75, 50, 90],
        [1, 2026, 7, "东城一中团委", "志愿服务", "文明劝导", 1, 10, 15, 25, 20, 30],
        [2, 2026, 7, "东城二中团委", "理论学习", "主题团课", 2, 20, 30, 50, 30, 60],
    ],
    merges=["A1:L1", "A2:A4", "B2:B4", "C2:C4", "D2:D4", "E2:E4", "F2:F4", "G2:J2", "G3:G4",
            "H3:J3", "K2:L3"],
)


def test_three_row_header_takes_the_合计_leaf_and_skips_the_总合计_row(tmp_path):
    sheet = check(tmp_path, DEEP_HEADER, district="东城区")
    assert errors(sheet) == []
    assert sheet.header_row == 4
    assert sheet.frame["participants"].tolist() == [25, 50]     # 参与情况/合计, not 男
    assert sheet.frame["reached"].tolist() == [30, 60]          # 受益人数/合计, not 成人
    assert sheet.frame["sessions"].tolist() == [1, 2]
    assert sheet.frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-07-01", "2026-07-01"]
    assert sheet.totals["participants"] == 75
    assert [(s.row, s.value) for s in sheet.skipped] == [(5, "总合计")]


def test_header_cells_with_line_breaks_and_spaces(tmp_path):
    sheet = check(tmp_path, [
        ["日 期", "单位\n名称", "活动\n名称", "活动 类别", "参与\n人次"],
        ["2026-07-01", "东城一中团委", "团课", "理论学习", 12],
    ], district="东城区")
    assert (errors(sheet), sheet.totals["participants"]) == ([], 12)


# --- dates in separate columns, short dates, spans ---------------------------------

def test_year_month_day_columns_build_the_date(tmp_path):
    sheet = check(tmp_path, [
        ["年份", "月份", "日", "单位", "活动名称", "活动类别", "参与人次"],
        [2026, 7, 5, "东城一中团委", "团课", "理论学习", 10],
        ["2026年", "8月", "12日", "东城一中团委", "团课", "理论学习", 10],
        [2026, 13, 1, "东城一中团委", "团课", "理论学习", 10],
    ], district="东城区")
    assert sheet.frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-07-05", "2026-08-12"]
    assert [(r, c) for r, c, _m in errors(sheet)] == [(4, "年份/月份/日")]


def test_a_month_only_activity_sheet_takes_the_month_given_at_upload(tmp_path):
    rows = [["单位", "活动名称", "活动类别", "参与人次"], ["东城一中团委", "团课", "理论学习", 10]]
    sheet = check(tmp_path, rows, district="东城区", month="2026-06")
    assert (errors(sheet), sheet.frame["month"].tolist()) == ([], ["2026-06"])
    without = check(tmp_path, rows, district="东城区")
    assert errors(without) == [(2, "日期", "表中没有“日期”列，请添加该列")]


def test_short_dates_under_a_year_column_and_the_ambiguous_ones_warn(tmp_path):
    sheet = check(tmp_path, [
        ["年份", "日期", "单位", "活动名称", "活动类别", "参与人次"],
        [2026, "6.30", "东城一中团委", "团课", "理论学习", 10],
        [2026, 6.3, "东城一中团委", "团课", "理论学习", 10],
        [2026, 6.12, "东城一中团委", "团课", "理论学习", 10],
        [2026, "6月5日", "东城一中团委", "团课", "理论学习", 10],
    ], district="东城区")
    assert errors(sheet) == []
    assert sheet.frame["date"].dt.strftime("%m-%d").tolist() == ["06-30", "06-03", "06-12", "06-05"]
    assert [w.row for w in sheet.warnings] == [3]
    assert "6月3日" in sheet.warnings[0].message and "6月30日" in sheet.warnings[0].message


@pytest.mark.parametrize("span, first", [
    ("2026.7.5-7.7", "2026-07-05"),
    ("2026年7月10日至12日", "2026-07-10"),
    ("2026/7/15—2026/7/16", "2026-07-15"),
    ("2026-07-20~07-21", "2026-07-20"),
])
def test_a_span_counts_on_its_first_day_and_is_kept_in_the_row(tmp_path, span, first):
    sheet = check(tmp_path, [
        ["日期", "单位", "活动名称", "活动类别", "参与人次"],
        [span, "东城一中团委", "夏令营", "志愿服务", 40],
    ], district="东城区")
    assert errors(sheet) == []
    assert sheet.frame["date"].dt.strftime("%Y-%m-%d").tolist() == [first]
    assert [(w.row, w.value) for w in sheet.warnings] == [(2, span)]
    assert f"按首日 {first} 计入" in sheet.warnings[0].message


# --- volunteer system exports ------------------------------------------------------

EXPORT_HEADER = ["志愿者编号", "姓名", "性别", "所属组织", "项目名称", "开始时间", "结束时间",
                 "服务时长(小时)", "记录方式"]


def test_volunteer_system_export(tmp_path):
    sheet = check(tmp_path, [
        EXPORT_HEADER,
        ["330100001", "张三", "男", "东城一中团支部", "文明劝导", "2026-07-05 09:00:00",
         "2026-07-05 11:30:00", "2小时30分", "补录"],
        ["330100002", "李四", "女", "东城一中团支部", "助老", "2026-07-06 14:00:00",
         "2026-07-06 15:30:00", "90分钟", "扫码"],
        ["330100003", "王五", "男", "东城二中团支部", "助老", dt.datetime(2026, 7, 7, 8, 0),
         dt.datetime(2026, 7, 7, 9, 30), "1.5h", "扫码"],
    ], district="东城区")
    assert errors(sheet) == []
    assert sheet.frame["hours"].tolist() == [2.5, 1.5, 1.5]
    assert sheet.frame["unit"].tolist() == ["东城一中团支部", "东城一中团支部", "东城二中团支部"]
    assert sheet.frame["project"].tolist() == ["文明劝导", "助老", "助老"]
    assert sheet.frame["date"].dt.strftime("%m-%d").tolist() == ["07-05", "07-06", "07-07"]


def test_hours_come_from_start_and_end_when_no_duration_column(tmp_path):
    header = [h for h in EXPORT_HEADER if h != "服务时长(小时)"]
    sheet = check(tmp_path, [
        header,
        ["330100001", "张三", "男", "东城一中团支部", "文明劝导", "2026-07-05 09:00:00",
         "2026-07-05 11:30:00", "补录"],
        ["330100002", "李四", "女", "东城一中团支部", "助老", "2026-07-06 14:00:00", "", "扫码"],
    ], district="东城区")
    assert sheet.frame["hours"].tolist() == [2.5]
    assert [(r, m[:4]) for r, _c, m in errors(sheet)] == [(3, "不能为空")]


# --- 青年大学习 in wide form -------------------------------------------------------

WIDE_STUDY = Sheet(
    rows=[
        ["团支部", "团员数", "2026年第33期", "", "2026年第34期", ""],
        ["", "", "参学人数", "参学率", "参学人数", "参学率"],
        ["一班团支部", 40, 38, "95%", 36, "90%"],
        ["二班团支部", 50, 45, "90%", 50, "100%"],
        ["合计", 90, 83, "", 86, ""],
    ],
    merges=["A1:A2", "B1:B2", "C1:D1", "E1:F1"],
)


def test_wide_study_summary_gives_one_row_per_unit_per_期(tmp_path):
    sheet = check(tmp_path, WIDE_STUDY, district="东城区", month="2026-07")
    assert errors(sheet) == []
    got = sheet.frame[["unit", "period", "members", "learners", "source_row"]].values.tolist()
    assert got == [["一班团支部", "2026年第33期", 40, 38, 3], ["一班团支部", "2026年第34期", 40, 36, 3],
                   ["二班团支部", "2026年第33期", 50, 45, 4], ["二班团支部", "2026年第34期", 50, 50, 4]]
    assert sheet.totals == {"members": 180, "learners": 169}
    assert [s.row for s in sheet.skipped] == [5]


def test_study_synonyms_已学_应学(tmp_path):
    sheet = check(tmp_path, [["所属团支部", "应学人数", "已学人数"], ["一班团支部", 40, 38]],
                  district="东城区", month="2026-07")
    assert (errors(sheet), sheet.totals) == ([], {"members": 40, "learners": 38})


# --- total rows: never dropped silently ----------------------------------------------

def test_全区合计_is_a_skipped_total_and_a_unit_named_with_合计_is_data(tmp_path):
    sheet = check(tmp_path, [
        ["单位", "团员数", "参学人数"],
        ["合计村团支部", 10, 9],
        ["一班团支部", 40, 38],
        ["全区合计", 50, 47],
    ], district="东城区", month="2026-07")
    assert sheet.frame["unit"].tolist() == ["合计村团支部", "一班团支部"]
    assert [(s.row, s.value) for s in sheet.skipped] == [(4, "全区合计")]


@pytest.mark.slow
def test_skipped_total_rows_are_listed_in_the_check_output(tmp_path):
    path = write_xlsx(tmp_path / "学习.xlsx", {"Sheet1": WIDE_STUDY})
    out = subprocess.run([sys.executable, "-m", "analytics", "check", str(path), "--district", "东城区",
                          "--month", "2026-07"], capture_output=True, text=True)
    assert "已跳过的合计行：第 5 行（合计）" in out.stdout


# --- formulas ---------------------------------------------------------------------------

def test_formula_cells_use_cached_values_and_uncached_ones_are_row_errors(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["日期", "单位", "活动名称", "活动类别", "场次", "参与人次"])
    ws.append(["2026-07-01", "东城一中团委", "团课", "理论学习", 1, "=10+20"])   # no cached value
    ws.append(["2026-07-02", "东城一中团委", "团课", "理论学习", 1, 15])
    path = tmp_path / "公式.xlsx"
    book.save(path)
    raw = parse_raw(path.read_bytes(), "xlsx")[0]
    assert raw.rows[1][5] == FORMULA_WITHOUT_VALUE
    sheet = check_file(path, district="东城区", today=TODAY).tables[0]
    assert errors(sheet) == [(2, "参与人次", "是公式但文件中没有计算结果，请在 Excel 中打开并保存后再上传")]
    assert sheet.totals["participants"] == 15


def test_formula_with_a_cached_value_reads_the_value(tmp_path):
    """A file saved by Excel carries the result beside the formula: that value is read."""
    from tests.workbooks import patched_xlsx

    def add_formula(xml: bytes) -> bytes:   # G2 holds 2 already; make it a formula with its result
        return xml.replace(b'<c r="G2" t="n"><v>2</v></c>', b'<c r="G2"><f>1+1</f><v>2</v></c>')

    path = patched_xlsx(tmp_path / "cached.xlsx", add_formula)
    assert b"<f>" in __import__("zipfile").ZipFile(path).read("xl/worksheets/sheet1.xml")
    sheet = check_file(path, today=TODAY).tables[0]
    assert sheet.frame["hours"].iloc[0] == 2


# --- check --json for exit 2 ----------------------------------------------------------------

@pytest.mark.slow
def test_check_json_prints_an_object_for_exit_2(tmp_path):
    path = tmp_path / "说明.txt"
    path.write_text("没有表格", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "analytics", "check", str(path), "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 2
    body = json.loads(out.stdout)
    assert set(body) == {"file", "error"} and body["file"] == str(path)
    assert body["error"] in out.stderr


# --- the upload page's help ------------------------------------------------------------------

@pytest.mark.apptest
def test_every_shape_has_a_help_row_on_the_upload_page(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    from analytics.present.templates import SHEET_SHAPES, shapes_frame
    from tests.admin_pages_helpers import ROOT, add_user, app_env, login_as

    frame = shapes_frame()
    assert list(frame.columns) == ["表格样式", "如何读取"] and len(frame) == len(SHEET_SHAPES) == 10
    words = " ".join(frame["表格样式"])
    for shape in ("合并", "三行", "总合计", "年份", "6.30", "时间段", "志愿服务系统", "宽表", "团支部", "公式"):
        assert shape in words
    engine = app_env(monkeypatch, tmp_path)
    add_user(engine, "boss", "admin")
    at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=60)
    login_as(at, "boss")
    at.run()
    assert not at.exception
    # a static table: the long sentences wrap instead of being cut at the column's edge
    from analytics.present.fmt import md_text
    shown = [t.value for t in at.table if "表格样式" in t.value.columns]
    assert len(shown) == 1 and shown[0]["表格样式"].tolist() == [
        md_text(s) for s in frame["表格样式"]]
