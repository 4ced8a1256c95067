"""Blank templates: built from the schema, fillable, and accepted by the loader."""
from __future__ import annotations

import hashlib
import io
from datetime import date, datetime

import openpyxl
import pytest

from analytics import schema
from analytics.cli.main import main
from analytics.errors import NotFound
from analytics.present.templates import (
    INSTRUCTIONS_SHEET, LISTS_SHEET, resolve_kind, rules_frame, template_bytes,
    template_filename, write_template,
)

KINDS = ["activities", "study", "volunteer", "targets"]
TODAY = date(2026, 11, 24)

# two filled-in rows per kind, in template column order
ROWS = {
    "activities": [
        [datetime(2026, 3, 5), "青山区", "青山区第一中学团委", "心理健康进社区", "心理健康",
         1, 120, 10, 30, 500, 2000],
        [datetime(2026, 3, 12), "青山区", "桃源街道团工委", "青少年防溺水宣传进社区", "安全教育",
         2, 80, None, None, None, None],
    ],
    "study": [
        ["2026年第3期", datetime(2026, 3, 1), "青山区", "青山区第一中学团委", 1000, 950, 0.95],
        ["2026年第3期", datetime(2026, 3, 1), "青山区", "桃源街道团工委", 400, 380, None],
    ],
    "volunteer": [
        ["QS-000001", "王芳", "青山区", "桃源街道团工委", "文明劝导", datetime(2026, 3, 5), 3.5],
        [None, "李强", "青山区", "桃源街道团工委", None, datetime(2026, 3, 6), 2],
    ],
    "targets": [
        [2026, "青山区", "参学率", 0.95],
        [2026, "全部", "志愿服务时长", 21000],
    ],
}
TOTALS = {
    "activities": {"sessions": 3, "participants": 200, "volunteers": 10, "service_hours": 30,
                   "reached": 500, "funds": 2000},
    "study": {"members": 1400, "learners": 1330},
    "volunteer": {"hours": 5.5},
    "targets": {},
}


def _load(kind: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(template_bytes(kind)))


@pytest.mark.parametrize("kind", KINDS)
def test_header_row_is_the_schema_labels(kind):
    wb = _load(kind)
    ws = wb[schema.KINDS[kind].label]
    assert wb.sheetnames[0] == schema.KINDS[kind].label
    assert [c.value for c in ws[1]] == [f.label for f in schema.KINDS[kind].fields]
    assert ws.freeze_panes == "A2"


@pytest.mark.parametrize("kind", KINDS)
def test_required_headers_are_marked_and_commented(kind):
    ws = _load(kind)[schema.KINDS[kind].label]
    for cell, f in zip(ws[1], schema.KINDS[kind].fields):
        assert cell.font.b
        required_fill = cell.fill.fgColor.rgb == "FFC00000"
        assert required_fill == f.required, f.label
        assert cell.comment is not None and cell.comment.text.startswith(f.label)
        if f.hint:
            assert f.hint in cell.comment.text
        for synonym in f.headers[1:]:
            assert synonym in cell.comment.text


def test_header_comment_text():
    ws = _load("volunteer")["志愿服务记录"]
    assert ws["G1"].comment.text == ("服务时长（必填）\n单次服务小时数，大于0且不超过24\n"
                                     "也可写作：时长、志愿服务时长、服务时数、记录时长")


@pytest.mark.parametrize("kind", KINDS)
def test_instructions_sheet_lists_every_column(kind):
    wb = _load(kind)
    ws = wb[INSTRUCTIONS_SHEET]
    column_a = [c.value for c in ws["A"]]
    assert ws["A1"].value == "填表说明"
    for f in schema.KINDS[kind].fields:
        assert f.label in column_a
    assert wb[LISTS_SHEET].sheet_state == "hidden"


def test_category_drop_down_reads_the_hidden_list():
    wb = _load("activities")
    ws = wb["活动台账"]
    lists = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    dv = lists["E2:E5001"]                                   # 活动类别
    assert dv.type == "list"
    assert dv.formula1 == "'下拉选项'!$A$1:$A$14"
    hidden = wb[LISTS_SHEET]
    assert [hidden.cell(row=r, column=1).value for r in range(1, 15)] == [
        "思想引领", "评优表彰", "新媒体宣传", "组织建设", "心理健康", "返家乡社会实践", "助学帮困",
        "就业创业", "技能培训", "志愿服务", "疫情防控", "安全教育", "乡村振兴", "其他"]
    assert [c.name for c in schema.categories()] == [
        hidden.cell(row=r, column=1).value for r in range(1, 15)]
    # numbers and dates are checked too (warnings only: the loader has the last word)
    assert (lists["G2:G5001"].type, lists["G2:G5001"].operator,
            lists["G2:G5001"].formula1) == ("whole", "greaterThanOrEqual", "0")
    assert lists["A2:A5001"].type == "date"
    assert {dv.errorStyle for dv in lists.values()} == {"warning"}


def test_indicator_drop_down_on_targets():
    wb = _load("targets")
    dvs = {str(dv.sqref): dv for dv in wb["年度目标"].data_validations.dataValidation}
    assert dvs["C2:C5001"].formula1 == "'下拉选项'!$B$1:$B$14"
    hidden = wb[LISTS_SHEET]
    # the indicators, then 获评荣誉 and the 组织建设 items that take a target
    assert [hidden.cell(row=r, column=2).value for r in range(1, 15)] == [
        "参学率", "参学人次", "应学团员数", "活动场次", "参与人次", "志愿者人数", "志愿服务时长",
        "获评荣誉", "换届", "推优入党", "发展团员", "青年之家", "青年突击队", "改革举措"]


def test_column_formats():
    ws = _load("study")["青年大学习"]
    acts = _load("activities")["活动台账"]
    assert acts.column_dimensions["A"].number_format == "yyyy-mm-dd"
    assert ws.column_dimensions["B"].number_format == "yyyy-mm"
    assert ws.column_dimensions["G"].number_format == "0.00%"


@pytest.mark.parametrize("kind", KINDS)
def test_filled_template_passes_check(kind, tmp_path):
    from analytics.ingest.check import check_file

    wb = _load(kind)
    ws = wb[schema.KINDS[kind].label]
    for r, row in enumerate(ROWS[kind], start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    path = tmp_path / f"{kind}.xlsx"
    wb.save(path)

    result = check_file(path, today=TODAY)
    assert result.exit_code == 0, result.to_json()
    tables = [s for s in result.sheets if s.kind is not None]
    assert [(s.sheet, s.kind, s.header_row, s.rows_accepted, s.rows_rejected)
            for s in tables] == [(schema.KINDS[kind].label, kind, 1, 2, 0)]
    assert tables[0].warnings == []
    for name, value in TOTALS[kind].items():
        assert tables[0].totals[name] == pytest.approx(value), name


def test_empty_template_holds_no_rows(tmp_path):
    from analytics.ingest.check import check_file

    path = tmp_path / "blank.xlsx"
    write_template("activities", path)
    tables = [s for s in check_file(path, today=TODAY).sheets if s.kind is not None]
    assert [(s.kind, s.rows_accepted, s.rows_rejected) for s in tables] == [("activities", 0, 0)]


@pytest.mark.parametrize("name, expected", [
    ("activities", "activities"), ("活动台账", "activities"), ("青年大学习", "study"),
    ("志愿服务记录", "volunteer"), ("年度目标", "targets"), (" Targets ", "targets"),
])
def test_resolve_kind(name, expected):
    assert resolve_kind(name).name == expected


def test_unknown_kind_is_a_chinese_error():
    with pytest.raises(NotFound, match="没有名为“活动表”的报表类型"):
        resolve_kind("活动表")


def test_template_bytes_are_reproducible_and_match_the_file(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template("青年大学习", path)
    data = template_bytes("study")
    assert data == template_bytes("study")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()
    assert template_filename("study") == "青年大学习模板.xlsx"


def test_rules_frame_is_generated_from_the_schema():
    rules = rules_frame("volunteer")
    assert list(rules.columns) == ["列名", "是否必填", "填写格式", "取值要求", "可用的其他表头", "填写提示"]
    assert rules["列名"].tolist() == ["志愿者编号", "姓名", "区", "单位", "服务项目", "服务日期", "服务时长"]
    assert rules["是否必填"].tolist() == ["选填", "无编号时必填", "必填（上传时已指定的可不填）", "必填",
                                      "选填", "必填", "必填"]
    hours = rules.iloc[-1]
    assert hours["取值要求"] == "大于 0，不大于 24；可写作 2、2.5、2小时30分、90分钟、1.5h"
    assert hours["可用的其他表头"] == "时长、志愿服务时长、服务时数、记录时长"
    assert rules_frame("activities").iloc[5]["取值要求"].endswith("空白按 1 计")


def test_cli_writes_one_template(tmp_path, capsys):
    out = tmp_path / "sub" / "a.xlsx"
    assert main(["template", "活动台账", "-o", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames == ["活动台账", "填表说明", "下拉选项"]
    assert "已生成 活动台账模板" in capsys.readouterr().out


def test_cli_writes_all_templates(tmp_path):
    assert main(["template", "all", "-o", str(tmp_path / "tpl")]) == 0
    assert sorted(p.name for p in (tmp_path / "tpl").iterdir()) == sorted(
        ["活动台账模板.xlsx", "青年大学习模板.xlsx", "志愿服务记录模板.xlsx", "年度目标模板.xlsx",
         "学习记录模板.xlsx", "团员名单模板.xlsx",
         "评优表彰模板.xlsx", "组织建设模板.xlsx", "新媒体模板.xlsx"])


def test_cli_unknown_kind(tmp_path, capsys):
    assert main(["template", "foo", "-o", str(tmp_path / "x.xlsx")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：没有名为“foo”的报表类型")
    assert "Traceback" not in err
    assert not (tmp_path / "x.xlsx").exists()


def test_cli_help_has_an_example(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["template", "-h"])
    assert exit_info.value.code == 0
    assert "python -m analytics template all -o 模板/" in capsys.readouterr().out
