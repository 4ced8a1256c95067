"""Row rules from schema.py: every failure collected, in the user's own column names."""
import datetime as dt

import pandas as pd
import pytest

from analytics.ingest.check import check_frame_rows

TODAY = dt.date(2026, 3, 20)
ACT_HEADER = ["日期", "区", "单位", "活动名称", "活动类别", "场次", "参与人次", "志愿者人数", "服务时长", "覆盖人数", "经费"]


def act(**over):
    row = dict(zip(ACT_HEADER, ["2026-03-05", "东城区", "一中团委", "团课", "思想引领", 1, 30, "", "", "", ""]))
    row.update(over)
    return list(row.values())


def check_act(*rows, **kw):
    return check_frame_rows("activities", ACT_HEADER, list(rows), today=TODAY, **kw)


def only_error(sheet):
    assert len(sheet.errors) == 1, sheet.errors
    e = sheet.errors[0]
    return e.row, e.column, e.value, e.message


@pytest.mark.parametrize("over, expected", [
    ({"参与人次": ""}, (2, "参与人次", "", "不能为空，请填写参与人次")),
    ({"参与人次": -1}, (2, "参与人次", "-1", "不能为负数")),
    ({"参与人次": 3.5}, (2, "参与人次", "3.5", "须为整数")),
    ({"场次": "两场"}, (2, "场次", "两场", "须为数字（可带单位，如 450、1,200、1.2万）")),
    ({"经费": "-5"}, (2, "经费", "-5", "不能为负数（单位：元）")),
    ({"日期": ""}, (2, "日期", "", "不能为空，请填写日期（如 2026-03-05、2026.3.5、2026年3月5日）")),
    ({"日期": "2026-04-01"}, (2, "日期", "2026-04-01", "晚于本月（2026年3月），请检查年份和月份是否填错")),
    ({"活动名称": None}, (2, "活动名称", "", "不能为空，请填写活动名称")),
    ({"区": ""}, (2, "区", "", "不能为空，请填写区（填写所属区县名称，如“东城区”），或在上传时指定")),
    ({"参与人次": "/"}, (2, "参与人次", "/", "不能为空，请填写参与人次")),
])
def test_activity_rules(over, expected):
    sheet = check_act(act(**over))
    assert only_error(sheet) == expected
    assert (sheet.rows_accepted, sheet.rows_rejected) == (0, 1)


def test_last_day_of_current_month_is_accepted():
    assert check_act(act(日期="2026-03-31")).rows_accepted == 1


def test_every_failure_of_a_row_is_collected_and_the_rest_kept():
    sheet = check_act(act(), act(参与人次="x", 场次=-2, 日期="2027-01-01"), act(单位="二中团委"))
    assert [(e.row, e.column) for e in sheet.errors] == [(3, "日期"), (3, "场次"), (3, "参与人次")]
    assert sheet.rows_accepted == 2
    assert sheet.rejected == [{"row": 3, "values": dict(zip(ACT_HEADER, [
        "2027-01-01", "东城区", "一中团委", "团课", "思想引领", "-2", "x", "", "", "", ""])),
        "errors": ["日期：晚于本月（2026年3月），请检查年份和月份是否填错", "场次：不能为负数",
                   "参与人次：须为数字（可带单位，如 450、1,200、1.2万）"]}]


def test_sessions_default_to_one_and_dtypes_are_canonical():
    frame = check_act(act(场次="", 志愿者人数=3, 服务时长="2.5小时")).frame
    assert frame["sessions"].tolist() == [1]
    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        "date": "datetime64[ns]", "district": "object", "unit": "object", "title": "object",
        "category": "object", "sessions": "int64", "participants": "int64", "volunteers": "Int64",
        "service_hours": "float64", "reached": "Int64", "funds": "float64",
        "project": "object", "beneficiaries": "Int64", "date_span": "object",
        "month": "object",
        "dimension": "object", "source_row": "int64"}
    assert frame.iloc[0][["month", "dimension", "volunteers", "service_hours"]].tolist() == ["2026-03", "引领力", 3, 2.5]


def test_unknown_category_becomes_other_with_a_warning_naming_it():
    sheet = check_act(act(活动类别="读书会"), act(活动类别="防溺水"), act(活动类别="其他"))
    assert sheet.frame["category"].tolist() == ["其他", "安全教育", "其他"]
    assert [(w.row, w.column, w.value) for w in sheet.warnings] == [(2, "活动类别", "读书会")]
    assert "读书会" in sheet.warnings[0].message and sheet.frame["dimension"].tolist()[1] == "大局贡献度"


def test_upload_district_fills_missing_column_and_blank_cells():
    header = [h for h in ACT_HEADER if h != "区"]
    row = act()
    del row[1]
    sheet = check_frame_rows("activities", header, [row], district="西城区", today=TODAY)
    assert sheet.frame["district"].tolist() == ["西城区"]
    assert check_act(act(区=""), act(), district="西城区").frame["district"].tolist() == ["西城区", "东城区"]


def test_missing_column_without_upload_value_names_the_field_label():
    header = [h for h in ACT_HEADER if h != "区"]
    row = act()
    del row[1]
    sheet = check_frame_rows("activities", header, [row], today=TODAY)
    assert only_error(sheet) == (2, "区", "", "表中没有“区”列，请添加该列或在上传时指定")


STUDY_HEADER = ["月份", "区", "单位", "团员数", "参学人数", "参学率"]


@pytest.mark.parametrize("row, rate, warnings", [
    (["2026-03", "东城区", "一中", 200, 195, "97.5%"], 0.975, []),
    (["2026年3月", "东城区", "一中", 200, 195, 97.5], 0.975, []),
    (["2026.3", "东城区", "一中", 200, 195, 0.975], 0.975, []),
    (["2026-03", "东城区", "一中", 200, 195, ""], None, []),
    (["2026-03", "东城区", "一中", 200, 195, "96%"], 0.96, [(2, "参学率")]),
    (["2026-03", "东城区", "一中", 40, 42, "105%"], 1.05, [(2, "参学人数")]),
])
def test_study_rate_forms_and_warnings(row, rate, warnings):
    sheet = check_frame_rows("study", STUDY_HEADER, [row], today=TODAY)
    assert sheet.rows_accepted == 1
    got = sheet.frame["rate"].iloc[0]
    assert (None if pd.isna(got) else round(got, 6)) == rate
    assert [(w.row, w.column) for w in sheet.warnings] == warnings


def test_rate_mismatch_warning_message():
    sheet = check_frame_rows("study", STUDY_HEADER, [["2026-03", "东城区", "一中", 200, 195, "96%"]], today=TODAY)
    assert sheet.warnings[0].message == ("参学率 96.00% 与 参学人数÷团员数 = 97.50% 不一致（相差超过 0.5 个百分点），请核对")


@pytest.mark.parametrize("members, message", [(0, "须大于 0"), ("", "不能为空，请填写团员数")])
def test_members_must_be_positive(members, message):
    sheet = check_frame_rows("study", STUDY_HEADER, [["2026-03", "东城区", "一中", members, 0, ""]], today=TODAY)
    assert only_error(sheet)[1:] == ("团员数", str(members), message)


def test_study_month_from_upload_and_future_month_rejected():
    header = ["区", "单位", "团员数", "参学人数"]
    sheet = check_frame_rows("study", header, [["东城区", "一中", 10, 9]], month="2026年3月", today=TODAY)
    assert sheet.frame["month"].tolist() == ["2026-03"] and sheet.scopes == [("东城区", "2026-03")]
    late = check_frame_rows("study", ["月份", *header], [["2026-05", "东城区", "一中", 10, 9]], today=TODAY)
    assert only_error(late)[1] == "月份"


VOL_HEADER = ["志愿者编号", "姓名", "区", "单位", "服务项目", "服务日期", "服务时长"]


@pytest.mark.parametrize("hours, message", [
    (0, "须大于 0（单次服务小时数，大于0且不超过24）"), (24.5, "不能超过 24（单次服务小时数，大于0且不超过24）"),
    ("", "不能为空，请填写服务时长（单次服务小时数，大于0且不超过24）")])
def test_volunteer_hours_bounds(hours, message):
    sheet = check_frame_rows("volunteer", VOL_HEADER, [["V1", "张三", "东城区", "一中", "助老", "2026-03-01", hours]],
                             today=TODAY)
    assert only_error(sheet)[1:] == ("服务时长", str(hours), message)


def test_volunteer_identity_is_id_else_name_and_unit():
    rows = [["V1", "张三", "东城区", "一中", "", "2026-03-01", 2], [10002.0, "", "东城区", "一中", "", "2026-03-01", 24],
            ["", "李四", "东城区", "二中", "", "2026-03-02", "1.5小时"], ["", "", "东城区", "二中", "", "2026-03-02", 1]]
    sheet = check_frame_rows("volunteer", VOL_HEADER, rows, today=TODAY)
    assert sheet.frame["person_key"].tolist() == ["id:V1", "id:10002", "name:李四|二中"]
    assert only_error(sheet)[:2] == (5, "姓名")
    assert sheet.totals == {"hours": 27.5}


TARGET_HEADER = ["年度", "区", "指标", "目标值"]


def test_targets_accept_labels_and_percent_rates():
    rows = [[2026, "全部", "参学率", "95%"], ["2026年", "东城区", "study_rate", 96], [2026, "东城区", "参学比例", 0.9],
            [2026, "东城区", "志愿服务时长", "1.2万"], [2026, "东城区", "幸福指数", 1]]
    sheet = check_frame_rows("targets", TARGET_HEADER, rows, today=TODAY)
    assert sheet.frame[["indicator", "value"]].values.tolist() == [
        ["study_rate", 0.95], ["study_rate", 0.96], ["study_rate", 0.9], ["volunteer_hours", 12000.0]]
    assert sheet.frame["year"].dtype == "int64"
    assert only_error(sheet)[:3] == (6, "指标", "幸福指数")
    assert sheet.scopes == [("东城区", "2026"), ("全部", "2026")]


def test_totals_sum_accepted_rows_only():
    sheet = check_act(act(参与人次=10, 经费="1.5万"), act(参与人次=5, 场次=2), act(参与人次="x"))
    assert sheet.totals == {"sessions": 3, "participants": 15, "volunteers": 0, "service_hours": 0.0,
                            "reached": 0, "funds": 15000.0, "beneficiaries": 0}


@pytest.mark.parametrize("rate, warned", [("97.5%", False), ("96.5%", False), ("97.6%", True), ("96.4%", True)])
def test_rate_gap_of_exactly_half_a_point_is_no_warning(rate, warned):
    sheet = check_frame_rows("study", STUDY_HEADER, [["2026-03", "东城区", "一中", 200, 194, rate]], today=TODAY)
    assert bool(sheet.warnings) is warned


def test_a_wan_unit_in_the_header_scales_the_column():
    header = ["日期", "区", "单位", "活动名称", "活动类别", "参与人次（万人次）", "经费（万元）"]
    rows = [["2026-03-05", "东城区", "一中", "团课", "思想引领", 1.2, "1.5"],
            ["2026-03-06", "东城区", "一中", "团课", "思想引领", 0.00015, ""]]
    sheet = check_frame_rows("activities", header, rows, today=TODAY)
    assert (sheet.totals["participants"], sheet.totals["funds"]) == (12000, 15000.0)
    assert [(e.row, e.column) for e in sheet.errors] == [(3, "参与人次（万人次）")]
    assert "按表头单位换算后不是整数" in sheet.errors[0].message


@pytest.mark.parametrize("mark", ["/", "／", "-", "—", "无"])
def test_a_no_value_mark_in_an_optional_number_is_a_blank(mark):
    sheet = check_act(act(志愿者人数=mark, 经费=mark))
    assert sheet.errors == []
    row = sheet.frame.iloc[0]
    assert pd.isna(row["volunteers"]) and pd.isna(row["funds"])
