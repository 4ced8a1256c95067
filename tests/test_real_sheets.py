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
from tests.workbooks import Sheet, csv_bytes, write_xls, write_xlsx

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


# the layout of a public 2024.xls (各个活动受益人数及人次统计表, 37 columns), copied cell for cell:
# 受益人数 split 成人 (男性 | 女性 | 合计) / 儿童 (男童 | 女童 | 合计) / 总合计, volunteers by group
# (人数 | 小时), 受益人次 成人 | 儿童 | 总合计, a side list (项目领域 | 活动类型) at the right, a 总合计
# row under the header, 服务中心 for the unit, a blank 活动日期 beside 年份 / 月份
E = ""
PUBLIC_2024 = Sheet(
    rows=[
        ["各个活动受益人数及人次统计表"] + [E] * 36,
        ["序号", "年份", "月份", "服务中心", "项目领域", "活动类型", "活动日期", "活动名称", "受益对象", "统计人",
         "统计日期", "本次活动受益人数统计", E, E, E, E, E, E, "志愿者服务人数及时长统计"] + [E] * 11
        + ["活动受益人次统计", E, E, "备注", E, "项目领域", "活动类型"],
        [E] * 11 + ["成人受益人数统计", E, E, "儿童受益人数统计", E, E, "总合计", "儿童", E, "家长", E, "大学生", E,
                    "老师", E, "社会人士", E, "合计", E, "成人", "儿童", "总合计", E, E, "儿童保护",
                    "高校志愿者小额阅读活动"],
        [E] * 11 + ["男性", "女性", "合计", "男童", "女童", "合计", E] + ["人数", "小时"] * 6
        + ["合计", "合计", E, E, E, "儿童阅读", "班级阅读活动"],
        ["总合计"] + [E] * 10 + [2, 84, 86, 52, 22, 74, 160, 2, 4, 0, 0, 4, 8, 0, 0, 68, 142, 74, 154, 54, 30, 84,
                                E, E, "志愿者培育", "外展活动"],
        [1, 2024, 1, "阳光服务中心", "儿童阅读", "志愿者日常陪伴", "2024.1.6", "周末陪读", "社区儿童", "张老师",
         "2024.1.8", 0, 0, 0, 10, 8, 18, 18, 0, 0, 0, 0, 2, 4, 0, 0, 10, 20, 12, 24, 0, 18, 18, E, E, "其他",
         "亲子阅读活动"],
        [2, 2024, 1, "阳光服务中心", "儿童保护", "外展活动", "1.20", "防拐骗讲座", "家长", "张老师", "2024.1.22",
         2, 84, 86, 42, 14, 56, 142, 2, 4, 0, 0, 2, 4, 0, 0, 58, 122, 62, 130, 54, 12, 66, E, E, E, E],
        [3, 2024, 2, "阳光服务中心", E, "志愿者日常陪伴", E, "寒假陪伴", E, E, E,
         E, E, E, E, E, E, 0, E, E, E, E, E, E, E, E, 10, 20, 10, 20, 10, 0, 10, E, E, E, E],
    ],
    merges=["A1:AK1", "A2:A4", "B2:B4", "C2:C4", "D2:D4", "E2:E4", "F2:F4", "G2:G4", "H2:H4", "I2:I4", "J2:J4",
            "K2:K4", "L2:R2", "S2:AD2", "AE2:AG2", "AH2:AH4", "L3:N3", "O3:Q3", "R3:R4", "S3:T3", "U3:V3",
            "W3:X3", "Y3:Z3", "AA3:AB3", "AC3:AD3"],
)


def test_a_public_four_row_statistics_sheet_loads_with_its_totals(tmp_path):
    sheet = check(tmp_path, PUBLIC_2024, district="东城区")
    assert errors(sheet) == []
    assert sheet.header_row == 4
    assert sheet.frame["title"].tolist() == ["周末陪读", "防拐骗讲座", "寒假陪伴"]
    assert sheet.frame["unit"].tolist() == ["阳光服务中心"] * 3
    # 1.20 under 年份 2024; a blank 活动日期 counts in its 年份 / 月份
    assert sheet.frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-06", "2024-01-20", "2024-02-01"]
    assert sheet.frame["participants"].tolist() == [18, 66, 10]      # 受益人次 总合计, not 成人
    assert sheet.frame["reached"].tolist() == [18, 142, 0]           # 受益人数 总合计, not 男性
    assert [(s.row, s.value) for s in sheet.skipped] == [(5, "总合计")]
    # the sheet's own 总合计 line was filled before the third row: the check says so
    mismatch = [w for w in sheet.warnings if w.row == 5]
    assert [w.column for w in mismatch] == ["活动受益人次统计"]
    assert "合计行为 84，明细行之和为 94" in mismatch[0].message


def test_a_blank_date_beside_年份_月份_counts_in_that_month_and_without_a_month_is_blank(tmp_path):
    sheet = check(tmp_path, [
        ["年份", "月份", "活动日期", "单位", "活动名称", "活动类别", "参与人次"],
        [2026, 7, "", "东城一中团委", "团课", "理论学习", 10],
        [2026, "", "", "东城一中团委", "团课", "理论学习", 10],
    ], district="东城区")
    assert errors(sheet) == [(3, "活动日期", "不能为空，请填写日期（如 2026-03-05、2026.3.5、2026年3月5日）")]


def test_a_row_of_the_public_sheet_without_name_or_unit_is_rejected_with_both_reasons(tmp_path):
    rows = [list(r) for r in PUBLIC_2024.rows]
    rows[7][3] = rows[7][7] = E
    sheet = check(tmp_path, Sheet(rows, PUBLIC_2024.merges), district="东城区")
    assert errors(sheet) == [(8, "服务中心", "不能为空，请填写单位（填写基层团组织全称）"),
                             (8, "活动名称", "不能为空，请填写活动名称")]


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


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_short_date_typed_as_text_warns_when_it_may_have_lost_its_0(tmp_path, fmt):
    """6.1 as text (a CSV of Excel's 6.10, or typed) is as ambiguous as the number; 6.15,
    6月1日 and 2.3 (2.30 is no day) are not."""
    rows = [
        ["年份", "日期", "单位", "活动名称", "活动类别", "参与人次"],
        [2026, "6.1", "东城一中团委", "团课", "理论学习", 10],
        [2026, "6.15", "东城一中团委", "团课", "理论学习", 10],
        [2026, "6月1日", "东城一中团委", "团课", "理论学习", 10],
        [2026, "2.3", "东城一中团委", "团课", "理论学习", 10],
    ]
    if fmt == "csv":
        path = tmp_path / "短日期.csv"
        path.write_bytes(csv_bytes(rows))
        sheet = check_file(path, today=TODAY, district="东城区").tables[0]
    else:
        sheet = check(tmp_path, rows, district="东城区")
    assert errors(sheet) == []
    assert sheet.frame["date"].dt.strftime("%m-%d").tolist() == ["06-01", "06-15", "06-01", "02-03"]
    assert [(w.row, w.column, w.value) for w in sheet.warnings] == [(2, "日期", "6.1")]
    assert "6月1日" in sheet.warnings[0].message and "6月10日" in sheet.warnings[0].message


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
    assert sheet.frame["date_span"].tolist() == [span]
    assert sheet.frame["month"].tolist() == [first[:7]]
    assert [(w.row, w.value) for w in sheet.warnings] == [(2, span)]
    assert f"按首日 {first} 计入，时间段保存在“起止时间”中" in sheet.warnings[0].message


def test_a_span_is_stored_with_its_row_and_listed_in_the_activity_table(tmp_path):
    """What a user sees later: the row's 日期 is the first day, 起止时间 the span as written;
    a one-day row leaves 起止时间 empty and a sheet's own 起止时间 column is kept as written."""
    from analytics import access
    from analytics.present.views import activity_list
    from analytics.store.batches import store_checked
    from analytics.store.engine import get_engine
    from analytics.store.frames import load_frames

    rows = [
        ["日期", "起止时间", "单位", "活动名称", "活动类别", "参与人次"],
        ["2026.7.5-7.7", "", "东城一中团委", "夏令营", "志愿服务", 40],
        ["2026-07-09", "", "东城一中团委", "团课", "理论学习", 20],
        ["2026-07-10~07-12", "7月10日上午至12日中午", "东城一中团委", "研学", "实践教育", 15],
    ]
    path = write_xlsx(tmp_path / "跨日活动.xlsx", {"Sheet1": rows})
    result = check_file(path, district="东城区", today=TODAY)
    engine = get_engine(f"sqlite:///{tmp_path / 'league.db'}")
    store_checked(engine, result, actor=access.SYSTEM)
    stored = load_frames(engine)["activities"].sort_values("source_row")
    assert stored["date"].dt.strftime("%m-%d").tolist() == ["07-05", "07-09", "07-10"]
    assert stored["date_span"].tolist() == ["2026.7.5-7.7", None, "7月10日上午至12日中午"]
    shown = activity_list(stored)
    assert shown.loc[shown["活动名称"] == "夏令营", "起止时间"].tolist() == ["2026.7.5-7.7"]


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


def _wide_study(first: str, second: str) -> Sheet:
    rows = [list(r) for r in WIDE_STUDY.rows]
    rows[0][2], rows[0][4] = first, second
    return Sheet(rows, WIDE_STUDY.merges)


def test_wide_study_takes_each_期_month_from_its_header(tmp_path):
    sheet = check(tmp_path, _wide_study("2026年7月第33期", "2026.8.3（第34期）"), district="东城区")
    assert errors(sheet) == []
    assert sheet.frame[["period", "month"]].drop_duplicates().values.tolist() == [
        ["2026年7月第33期", "2026-07"], ["2026.8.3（第34期）", "2026-08"]]
    assert sheet.scopes == [("东城区", "2026-07"), ("东城区", "2026-08")]


def test_wide_study_months_from_the_editable_期次_calendar(tmp_path, monkeypatch):
    """2026年第33期 alone says no month; a line in study_periods.csv does."""
    import shutil

    from analytics import schema

    data = tmp_path / "data"
    shutil.copytree(schema.DATA_DIR, data)
    (data / "study_periods.csv").write_text(
        "name,aliases,month\n2026年第33期,第33期,2026-08\n2026年第34期,,2026-08\n", encoding="utf-8")
    monkeypatch.setattr(schema, "DATA_DIR", data)
    schema.choice_list.cache_clear()
    try:
        sheet = check(tmp_path, WIDE_STUDY, district="东城区")
    finally:
        monkeypatch.undo()
        schema.choice_list.cache_clear()
    assert errors(sheet) == []
    assert set(sheet.frame["month"]) == {"2026-08"} and len(sheet.frame) == 4


def test_wide_study_without_a_dated_期_asks_for_the_month(tmp_path):
    sheet = check(tmp_path, WIDE_STUDY, district="东城区")
    assert sheet.frame.empty
    message = ("无法从期次“2026年第33期”确定月份：请在上传时指定月份（如 2026-08），"
               "或在期次表头中写明年月（如“2026年8月第33期”）")
    assert (3, "月份", "2026年第33期", message) in [(e.row, e.column, e.value, e.message)
                                                for e in sheet.errors]
    assert {e.row for e in sheet.errors} == {3, 4}
    # a header that dates one 期 and not the other: only the undated one needs the month
    mixed = check(tmp_path, _wide_study("2026年7月第33期", "2026年第34期"), district="东城区")
    assert mixed.frame["period"].tolist() == ["2026年7月第33期"] * 2
    assert {e.value for e in mixed.errors} == {"2026年第34期"}


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


FORMULA_ERROR = "是公式但文件中没有计算结果，请在 Excel 中打开并保存后再上传"


def test_a_formula_in_a_csv_is_a_row_error(tmp_path):
    """A CSV holds no results: =B2*C2 written by a script is a formula nobody calculated."""
    path = tmp_path / "公式.csv"
    path.write_bytes(csv_bytes([
        ["日期", "单位", "活动名称", "活动类别", "场次", "参与人次"],
        ["2026-07-01", "东城一中团委", "团课", "理论学习", 1, "=SUM(E2:E2)*10"],
        ["2026-07-02", "东城一中团委", "=团课", "理论学习", "=1+1", 15],
        ["2026-07-03", "东城一中团委", "答题=学习", "理论学习", 1, 5],
    ]))
    sheet = check_file(path, district="东城区", today=TODAY).tables[0]
    assert errors(sheet) == [(2, "参与人次", FORMULA_ERROR), (3, "场次", FORMULA_ERROR)]
    assert sheet.frame["title"].tolist() == ["答题=学习"]


def test_a_formula_whose_cached_result_is_empty_text_is_a_blank_cell(tmp_path):
    """Excel saves =IF(…,"",…) with `t="str"` and an empty value: a blank optional cell,
    not a formula without a result (openpyxl's `<v />` is one)."""
    import zipfile

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["日期", "单位", "活动名称", "活动类别", "场次", "参与人次", "志愿者人数"])
    ws.append(["2026-07-01", "东城一中团委", "团课", "理论学习", 1, 10, '=IF(1,"",2)'])
    ws.append(["2026-07-02", "东城一中团委", "团课", "理论学习", 1, 15, "=1+1"])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    path = tmp_path / "空文本.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                excel_saved = b'<c r="G2" t="str"><f>IF(1,"",2)</f><v></v></c>'
                body = body.replace(b'<c r="G2"><f>IF(1,"",2)</f><v /></c>', excel_saved)
                assert excel_saved in body
            dst.writestr(item, body)
    sheet = check_file(path, district="东城区", today=TODAY).tables[0]
    assert errors(sheet) == [(3, "志愿者人数", FORMULA_ERROR)]
    assert sheet.frame["volunteers"].isna().tolist() == [True]


def _xls_with_formula(path, result: bytes | None = None):
    """An .xls as xlwt writes it (no formula calculated); `result` patches the 8 result bytes
    of its FORMULA record, as Excel stores a computed value."""
    import struct

    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Sheet1")
    rows = [["日期", "单位", "活动名称", "活动类别", "场次", "参与人次"],
            ["2026-07-01", "东城一中团委", "团课", "理论学习", 1, xlwt.Formula("10+20")],
            ["2026-07-02", "东城一中团委", "团课", "理论学习", 1, 15]]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    book.save(str(path))
    if result is not None:
        data = bytearray(path.read_bytes())
        at = data.find(b"\x06\x00")       # the FORMULA record of row 1, column 5
        while struct.unpack_from("<HH", data, at + 4) != (1, 5):
            at = data.find(b"\x06\x00", at + 1)
        data[at + 10:at + 18] = result
        path.write_bytes(bytes(data))
    return path


def test_an_xls_formula_nobody_calculated_is_a_row_error(tmp_path):
    path = _xls_with_formula(tmp_path / "公式.xls")
    sheet = check_file(path, district="东城区", today=TODAY).tables[0]
    assert errors(sheet) == [(2, "参与人次", FORMULA_ERROR)]
    assert sheet.totals["participants"] == 15


def test_an_xls_formula_with_its_result_reads_the_result(tmp_path):
    import struct

    path = _xls_with_formula(tmp_path / "已计算.xls", result=struct.pack("<d", 30.0))
    sheet = check_file(path, district="东城区", today=TODAY).tables[0]
    assert errors(sheet) == []
    assert sheet.totals["participants"] == 45


def _ods(path, rows: list[list]) -> object:
    """A minimal .ods: text cells, numbers, and "=…" as a formula cell without a result
    (as a script writing ODS leaves it)."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value):
        if isinstance(value, str) and value.startswith("="):
            return f'<table:table-cell table:formula="of:{escape(value)}"/>'
        if isinstance(value, (int, float)):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(map(cell, row)) + "</table:table-row>" for row in rows)
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="Sheet1">{body}</table:table>'
               "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return path


def test_an_ods_formula_without_a_result_is_a_row_error(tmp_path):
    path = _ods(tmp_path / "公式.ods", [
        ["日期", "单位", "活动名称", "活动类别", "场次", "参与人次"],
        ["2026-07-01", "东城一中团委", "团课", "理论学习", 1, "=10+20"],
        ["2026-07-02", "东城一中团委", "团课", "理论学习", 1, 15],
    ])
    sheet = check_file(path, district="东城区", today=TODAY).tables[0]
    assert errors(sheet) == [(2, "参与人次", FORMULA_ERROR)]
    assert sheet.totals["participants"] == 15


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
    assert list(frame.columns) == ["表格样式", "如何读取"] and len(frame) == len(SHEET_SHAPES) == 12
    words = " ".join(frame["表格样式"])
    for shape in ("合并", "三行", "总合计", "合计村团支部", "年份", "只有月份", "6.30", "时间段",
                  "2026-07-20~07-21", "志愿服务系统", "宽表", "团支部", "受益人数", "公式", ".ods"):
        assert shape in words
    how = " ".join(frame["如何读取"])
    for answer in ("起止时间", "上传时指定月份", "期次日历", "请在 Excel 中打开并保存后再上传"):
        assert answer in how
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
