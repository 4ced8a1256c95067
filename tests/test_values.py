"""Cell parsers: every messy way a number, date, month, rate or header is written."""
import datetime as dt

import pytest

from analytics.schema import FieldType
from analytics.ingest.values import (
    BadValue, normalize_header, parse_category, parse_column, parse_date, parse_indicator,
    parse_int, parse_month, parse_number, parse_rate, parse_text, parse_year,
)


@pytest.mark.parametrize("cell, expected", [
    ("1,200", 1200.0), ("３５", 35.0), (" 4 5 ", 45.0), ("450人次", 450.0), ("12小时", 12.0),
    ("55万", 550_000.0), ("1.2万人次", 12_000.0), ("97.46%", 0.9746), ("12.5", 12.5),
    (3, 3.0), (2.5, 2.5), ("", None), (None, None), ("  ", None), ("-3", -3.0),
    ("400余名", 400.0), ("１，２００元", 1200.0),
])
def test_parse_number(cell, expected):
    assert parse_number(cell) == pytest.approx(expected) if expected is not None else parse_number(cell) is None


@pytest.mark.parametrize("cell", ["abc", "很多", "1.5.3", "12-3", True, dt.date(2026, 3, 5)])
def test_parse_number_rejects(cell):
    with pytest.raises(BadValue, match="须为数字"):
        parse_number(cell)


@pytest.mark.parametrize("cell, expected", [
    (3.0, 3), ("1,200", 1200), ("1.2万", 12000), ("３５人", 35), ("", None)])
def test_parse_int(cell, expected):
    assert parse_int(cell) == expected


@pytest.mark.parametrize("cell", [3.5, "3.5", "0.5万人次" + "0.1"])
def test_parse_int_rejects_fractions(cell):
    with pytest.raises(BadValue):
        parse_int(cell)


def test_parse_int_message_says_integer():
    with pytest.raises(BadValue, match="^须为整数$"):
        parse_int(3.5)


@pytest.mark.parametrize("cell, expected", [
    ("2026.3.5", dt.date(2026, 3, 5)), ("2026/03/05", dt.date(2026, 3, 5)),
    ("2026年3月5日", dt.date(2026, 3, 5)), ("20260305", dt.date(2026, 3, 5)),
    ("2026-03-05", dt.date(2026, 3, 5)), (20260305, dt.date(2026, 3, 5)),
    (46086.0, dt.date(2026, 3, 5)), (46086, dt.date(2026, 3, 5)),
    (dt.datetime(2026, 3, 5, 14, 30), dt.date(2026, 3, 5)), (dt.date(2026, 3, 5), dt.date(2026, 3, 5)),
    ("2026-3-5 10:00", dt.date(2026, 3, 5)), (" 2026 年 3 月 5 日 ", dt.date(2026, 3, 5)),
    ("２０２６．３．５", dt.date(2026, 3, 5)), ("", None),
])
def test_parse_date(cell, expected):
    assert parse_date(cell) == expected


@pytest.mark.parametrize("cell, message", [
    ("2026.2.30", "不是有效日期"), ("下周三", "须为日期"), ("3月5日", "须为日期"), (True, "须为日期")])
def test_parse_date_rejects(cell, message):
    with pytest.raises(BadValue, match=message):
        parse_date(cell)


@pytest.mark.parametrize("cell, expected", [
    ("2026-03", "2026-03"), ("2026年3月", "2026-03"), ("2026.3", "2026-03"), ("2026/3", "2026-03"),
    ("202603", "2026-03"), ("2026-03-05", "2026-03"), (dt.date(2026, 3, 5), "2026-03"),
    (46086.0, "2026-03"), (2026.3, "2026-03"), ("2026年12月份", "2026-12"), ("", None)])
def test_parse_month(cell, expected):
    assert parse_month(cell) == expected


@pytest.mark.parametrize("cell", ["2026-13", "三月", "2026"])
def test_parse_month_rejects(cell):
    with pytest.raises(BadValue):
        parse_month(cell)


@pytest.mark.parametrize("cell, expected", [(2026, 2026), (2026.0, 2026), ("2026年", 2026), ("2026年度", 2026)])
def test_parse_year(cell, expected):
    assert parse_year(cell) == expected


@pytest.mark.parametrize("cell", [26, "明年", 1850])
def test_parse_year_rejects(cell):
    with pytest.raises(BadValue, match="四位年份"):
        parse_year(cell)


@pytest.mark.parametrize("cell, expected", [
    ("97.46%", 0.9746), (97.46, 0.9746), (0.9746, 0.9746), ("97.46", 0.9746), ("９７.４６％", 0.9746),
    (1, 1.0), ("", None)])
def test_parse_rate(cell, expected):
    assert parse_rate(cell) == expected


@pytest.mark.parametrize("cell, expected", [
    ("志愿服务", "志愿服务"), ("防溺水", "安全教育"), ("防溺水安全教育宣讲", "安全教育"),
    ("团课", "思想引领"), ("心理 健康", "心理健康"), ("读书会", "其他"), ("其他", "其他")])
def test_parse_category(cell, expected):
    assert parse_category(cell) == expected


@pytest.mark.parametrize("cell, expected", [
    ("study_rate", "study_rate"), ("参学率", "study_rate"), ("参学比例", "study_rate"),
    ("志愿服务时长", "volunteer_hours"), (" 活动场次 ", "activity_sessions")])
def test_parse_indicator(cell, expected):
    assert parse_indicator(cell) == expected


def test_parse_indicator_rejects_unknown_naming_the_choices():
    with pytest.raises(BadValue, match="不是已知指标.*参学率"):
        parse_indicator("幸福指数")


@pytest.mark.parametrize("cell, expected", [
    (10001.0, "10001"), ("  东城区 ", "东城区"), ("2024年第2期", "2024年第2期"),
    ("第十二季第九期", "第十二季第九期"), ("", None)])
def test_parse_text_keeps_labels(cell, expected):
    assert parse_text(cell) == expected


@pytest.mark.parametrize("header, expected", [
    (" 服务时长（小时）", "服务时长"), ("参学率(%)", "参学率"), ("经费[元]", "经费"),
    ("参 与 人 次", "参与人次"), ("志愿者ID", "志愿者id"), ("*日期", "日期"), ("团员数（人）", "团员数"),
    ("（小时）", "(小时)")])
def test_normalize_header(header, expected):
    assert normalize_header(header) == expected


def test_parse_column_reports_each_bad_cell_once_per_row():
    values, messages = parse_column(["3", 3.0, "3.5", "", "x", "3.5", None], FieldType.INT)
    assert [None if v != v else v for v in values.tolist()] == [3, 3, None, None, None, None, None]
    assert messages.tolist() == [None, None, "须为整数", None, "须为数字（可带单位，如 450、1,200、1.2万）",
                                 "须为整数", None]


def test_parse_column_types_dates_and_text():
    values, messages = parse_column([dt.date(2026, 3, 5), "2026.3.6", "", "x"], FieldType.DATE)
    assert values.astype(str).tolist() == ["2026-03-05", "2026-03-06", "NaT", "NaT"]
    assert messages.tolist()[:3] == [None, None, None] and messages[3].startswith("须为日期")
    values, _ = parse_column(["  一中 ", "", 10001.0, None], FieldType.TEXT)
    assert values.tolist() == ["一中", None, "10001", None]


def test_parse_column_does_not_confuse_true_with_one():
    values, messages = parse_column([True, 1.0, 1], FieldType.NUMBER)
    assert values.tolist()[1:] == [1.0, 1.0]
    assert messages.tolist() == ["须为数字", None, None]


@pytest.mark.parametrize("header", ["日期*", "*日期", " 日 期 * ", "日期*："])
def test_normalize_header_drops_a_required_marker_on_either_side(header):
    assert normalize_header(header) == "日期"


@pytest.mark.parametrize("cell, year", [("0026-03-05", 26), (3, 1900), ("1989-12-31", 1989),
                                        (dt.date(2206, 3, 5), 2206), (0.5, 1899)])
def test_parse_date_rejects_implausible_years(cell, year):
    with pytest.raises(BadValue, match=f"^年份 {year} 不合理，请检查日期"):
        parse_date(cell)
