"""Finding the table: header rows, merged two-row headers, kind, skipped rows — in every format."""
import datetime as dt

import pytest

from analytics.ingest.check import check_file
from analytics.ingest.parse import RawSheet
from analytics.ingest.table import detect_kind, find_table
from tests.workbooks import (INSTRUCTIONS_SHEET, MESSY_ACTIVITIES, MESSY_ACTIVITIES_EXPECTED, STUDY_SHEET,
                             TARGETS_SHEET, VOLUNTEER_SHEET, write_file, write_xlsx)

TODAY = dt.date(2026, 4, 10)
FORMATS = ["xlsx", "xls", "csv-utf8", "csv-bom", "csv-gbk"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_messy_activity_sheet_loads_the_same_in_every_format(tmp_path, fmt):
    path = write_file(tmp_path / f"活动.{fmt.split('-')[0]}", fmt, MESSY_ACTIVITIES)
    sheet = check_file(path, district="东城区", today=TODAY).tables[0]
    exp = MESSY_ACTIVITIES_EXPECTED
    got = sheet.to_json()
    assert (got["kind"], got["header_row"], got["rows_accepted"], got["rows_rejected"]) == \
        (exp["kind"], exp["header_row"], exp["rows_accepted"], exp["rows_rejected"])
    assert got["errors"] == exp["errors"]
    assert [w["row"] for w in got["warnings"]] == exp["warning_rows"]
    assert got["totals"] == exp["totals"]
    assert sheet.frame["source_row"].tolist() == [5, 6, 7, 9]
    assert sheet.frame["date"].dt.strftime("%m-%d").tolist() == ["03-05", "03-08", "03-12", "03-15"]


def test_total_blank_and_note_rows_are_never_counted(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", {"活动": MESSY_ACTIVITIES})
    sheet = check_file(path, district="东城区", today=TODAY).tables[0]
    rows = {i.row for i in sheet.errors + sheet.warnings} | set(sheet.frame["source_row"])
    assert rows.isdisjoint({8, 11, 12})   # blank, 合计, 注：
    assert sheet.totals["participants"] == 1765   # not doubled by the 合计 row


def test_two_row_header_reports_the_lower_cell_and_last_header_row():
    sheet = RawSheet.from_rows("s", [r for r in MESSY_ACTIVITIES.rows], 1)
    layout = find_table(sheet)
    assert layout.header_row == 4
    assert layout.columns["participants"].header == "参与人次"
    assert layout.columns["sessions"].index == 5
    assert layout.columns["date"].header == "日期"        # vertically merged: the upper cell
    assert "序号" not in [c.header for c in layout.columns.values()]


@pytest.mark.parametrize("sheet, kind, header_row", [
    (MESSY_ACTIVITIES, "activities", 4), (STUDY_SHEET, "study", 2),
    (VOLUNTEER_SHEET, "volunteer", 1), (TARGETS_SHEET, "targets", 1), (INSTRUCTIONS_SHEET, None, None)])
def test_kind_and_header_row_are_detected(sheet, kind, header_row):
    layout = find_table(RawSheet.from_rows("s", sheet.rows, 1))
    assert (layout.kind if layout else None, layout.header_row if layout else None) == (kind, header_row)


def test_header_below_title_rows_and_offset_sheet_start():
    rows = [["标题"], ["填报单位：和平里街道"], [], ["序号", "姓名", "单位", "服务日期", "服务时长（小时）"]]
    layout = find_table(RawSheet.from_rows("s", rows, first_row=3))
    assert (layout.kind, layout.header_row) == ("volunteer", 6)


@pytest.mark.parametrize("headers, kind", [
    (["日期", "单位", "活动名称", "活动类别", "参与人次", "服务时长"], "activities"),
    (["姓名", "单位", "活动名称", "日期", "服务时长"], "volunteer"),
    (["统计月份", "区县", "基层团组织", "应学人数", "完成人数", "参学比例"], "study"),
    (["年份", "区", "指标名称", "目标"], "targets"),
    (["序号", "备注"], None),
])
def test_detect_kind_by_synonyms(headers, kind):
    found = detect_kind(headers)
    assert (found[0] if found else None) == kind


def test_several_kinds_in_one_workbook_beside_an_instructions_sheet(tmp_path):
    path = write_xlsx(tmp_path / "all.xlsx", {"填表说明": INSTRUCTIONS_SHEET, "活动": MESSY_ACTIVITIES,
                                              "学习": STUDY_SHEET, "志愿": VOLUNTEER_SHEET, "目标": TARGETS_SHEET})
    result = check_file(path, district="东城区", month="2026-03", today=TODAY)
    assert [(s.sheet, s.kind) for s in result.sheets] == [
        ("填表说明", None), ("活动", "activities"), ("学习", "study"), ("志愿", "volunteer"), ("目标", "targets")]


def test_prefilled_serial_numbers_without_data_are_blank_rows():
    rows = [["序号", "日期", "单位", "活动名称", "活动类别", "参与人次"],
            [1, "2026-03-05", "一中团委", "团课", "思想引领", 30], [2, "", "", "", "", ""],
            [3, None, None, None, None, None], [4, " ", "", "　", "", ""],
            [5, "/", "—", "/", "无", "-"]]      # marks meaning "nothing here" are blank too
    from analytics.ingest.check import check_sheet
    sheet = check_sheet(RawSheet.from_rows("s", rows, 1), upload={"district": "东城区"}, today=TODAY)
    assert (sheet.rows_accepted, sheet.rows_rejected) == (1, 0)


def test_study_period_labels_kept_in_both_styles(tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", {"学习": STUDY_SHEET})
    frame = check_file(path, month="2026-03", today=TODAY).tables[0].frame
    assert frame["period"].tolist() == ["2024年第2期", "第十二季第九期", "2024年第2期", "2024年第2期"]


def test_note_line_in_a_data_column_is_skipped_but_a_real_row_is_kept():
    from analytics.ingest.check import check_sheet
    rows = [["日期", "单位", "活动名称", "活动类别", "参与人次"],
            ["2026-03-05", "一中团委", "团课", "思想引领", 30],
            ["注：数据截至3月31日", "", "", "", ""],
            ["填报人：张三", "", "", "", "审核人：李四"],
            ["2026-03-06", "注：二中团委", "团课", "思想引领", 20]]
    sheet = check_sheet(RawSheet.from_rows("s", rows, 1), upload={"district": "东城区"}, today=TODAY)
    assert sheet.frame["source_row"].tolist() == [2, 5]
    assert sheet.rows_rejected == 0


@pytest.mark.parametrize("label, day", [
    *[(label, "") for label in ["合计", "小 计", "总计：", " 合　计", "全区合计"]],
    # a unit's own subtotal, even with a date filled in
    *[(label, "2026-03-05") for label in ["一中小计", "东城区合计", "一中 小计：", "合计（10个单位）",
                                          "本月总计"]],
])
def test_total_rows_in_any_label_column_are_skipped(label, day):
    from analytics.ingest.check import check_sheet
    rows = [["序号", "日期", "单位", "活动名称", "活动类别", "参与人次"],
            [1, "2026-03-05", "一中团委", "团课", "思想引领", 30],
            ["", day, label, "", "", 30]]
    sheet = check_sheet(RawSheet.from_rows("s", rows, 1), upload={"district": "东城区"}, today=TODAY)
    assert (sheet.rows_accepted, sheet.rows_rejected, sheet.totals["participants"]) == (1, 0, 30)


def test_a_title_that_merely_contains_a_total_word_is_data():
    from analytics.ingest.check import check_sheet
    rows = [["日期", "单位", "活动名称", "活动类别", "参与人次"],
            ["2026-03-05", "一中团委", "会计专业技能培训", "技能培训", 30],
            ["2026-03-06", "一中团委", "小计算机兴趣课", "技能培训", 20]]
    sheet = check_sheet(RawSheet.from_rows("s", rows, 1), upload={"district": "东城区"}, today=TODAY)
    assert sheet.frame["source_row"].tolist() == [2, 3]


def test_lines_continuing_a_note_are_skipped_but_a_sparse_row_before_it_is_not():
    from analytics.ingest.check import check_sheet
    rows = [["日期", "单位", "活动名称", "活动类别", "参与人次"],
            ["2026-03-05", "一中团委", "团课", "思想引领", 30],
            ["2026-03-06", "", "", "", ""],                       # a real (bad) row: reported
            ["注：", "", "", "", ""],
            ["1. 日期填写为 2026-03-05", "", "", "", ""],
            ["", "2. 活动类别从下拉列表选择", "", "", ""]]
    sheet = check_sheet(RawSheet.from_rows("s", rows, 1), upload={"district": "东城区"}, today=TODAY)
    assert sheet.rows_accepted == 1
    assert sorted({e.row for e in sheet.errors}) == [3]
