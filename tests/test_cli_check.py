"""`python -m analytics check`: the JSON contract, exit codes, the readable summary."""
import argparse
import datetime as dt
import json
import subprocess
import sys

import pytest

from analytics.cli import check
from tests.workbooks import (INSTRUCTIONS_SHEET, MESSY_ACTIVITIES, STUDY_SHEET, VOLUNTEER_SHEET, csv_bytes,
                             write_xlsx)


def run(argv, capsys):
    """The check command alone (other commands may be mid-work)."""
    parser = argparse.ArgumentParser(prog="python -m analytics")
    sub = parser.add_subparsers()
    check.register(sub)
    args = parser.parse_args(argv)
    code = args.func(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def clean_csv(tmp_path):
    path = tmp_path / "志愿.csv"
    path.write_bytes(csv_bytes(VOLUNTEER_SHEET.rows[:4], "gbk"))
    return path


def test_json_contract_exactly(tmp_path, capsys):
    path = write_xlsx(tmp_path / "报表.xlsx", {"填表说明": INSTRUCTIONS_SHEET, "学习": STUDY_SHEET})
    code, out, _ = run(["check", str(path), "--district", "东城区", "--month", "2026-03", "--json"], capsys)
    assert code == 0
    assert json.loads(out) == {"file": str(path), "sheets": [
        {"sheet": "填表说明", "kind": None, "header_row": None, "rows_accepted": 0, "rows_rejected": 0,
         "errors": [], "warnings": [], "totals": {}, "skipped": []},
        {"sheet": "学习", "kind": "study", "header_row": 2, "rows_accepted": 4, "rows_rejected": 0,
         "errors": [],
         "warnings": [
             {"row": 5, "column": "参学人数", "message": "参学人数（42）多于团员数（40），请核对；非团员青年参学时可保留"},
             {"row": 5, "column": "参学率",
              "message": "参学率 1.05% 与 参学人数÷团员数 = 105.00% 不一致（相差超过 0.5 个百分点），请核对"},
             {"row": 6, "column": "参学率",
              "message": "参学率 80.00% 与 参学人数÷团员数 = 90.00% 不一致（相差超过 0.5 个百分点），请核对"}],
         "totals": {"members": 1340, "learners": 1277},
         "skipped": [{"row": 7, "column": "", "message": "合计行“小计”，已跳过（不计入）"}]}]}


def test_rejected_rows_exit_1_with_errors_in_json(tmp_path, capsys):
    path = write_xlsx(tmp_path / "a.xlsx", {"活动": MESSY_ACTIVITIES})
    code, out, _ = run(["check", str(path), "--district", "东城区", "--json"], capsys)
    sheet = json.loads(out)["sheets"][0]
    assert (code, sheet["rows_accepted"], sheet["rows_rejected"], sheet["header_row"]) == (1, 4, 1, 4)
    assert [(e["row"], e["column"]) for e in sheet["errors"]] == [(10, "场次"), (10, "参与人次")]


def test_readable_summary_lists_row_errors(tmp_path, capsys):
    path = write_xlsx(tmp_path / "a.xlsx", {"活动": MESSY_ACTIVITIES})
    code, out, _ = run(["check", str(path), "--district", "东城区"], capsys)
    assert code == 1
    assert "工作表“活动”：活动台账，表头在第 4 行；通过 4 行，拒绝 1 行" in out
    assert "第 10 行 “参与人次”（很多）：须为数字" in out
    assert "合计（通过的行）：场次 5，参与人次 1,765" in out


def test_month_option_fills_the_study_month(tmp_path, capsys):
    path = write_xlsx(tmp_path / "s.xlsx", {"学习": STUDY_SHEET})
    code, out, _ = run(["check", str(path), "--json"], capsys)
    assert (code, json.loads(out)["sheets"][0]["errors"][0]["column"]) == (1, "月份")
    code, out, _ = run(["check", str(path), "--month", "2026-03", "--json"], capsys)
    assert (code, json.loads(out)["sheets"][0]["rows_accepted"]) == (0, 4)


def test_bad_month_option_is_a_clear_error(clean_csv):
    from analytics.errors import BadOption
    from analytics.ingest.check import check_file
    with pytest.raises(BadOption, match="月份“2026-13”无法识别"):
        check_file(clean_csv, month="2026-13")


@pytest.mark.parametrize("argv, code, stdout_has, stderr_has", [
    (["{csv}", "--json"], 0, '"kind": "volunteer"', ""),
    (["{csv}"], 0, "全部通过。", ""),
    (["{dir}/missing.xlsx"], 2, "", "错误：找不到文件"),
    (["{dir}/no_table.csv"], 2, "", "错误：文件中没有找到可识别的表格"),
])
@pytest.mark.subprocess
def test_module_entry_point_exit_codes(tmp_path, clean_csv, argv, code, stdout_has, stderr_has):
    (tmp_path / "no_table.csv").write_bytes(csv_bytes([["姓名", "电话"], ["张三", "1"]]))
    argv = [a.format(csv=clean_csv, dir=tmp_path) for a in argv]
    done = subprocess.run([sys.executable, "-m", "analytics", "check", *argv], capture_output=True, text=True)
    assert done.returncode == code, done.stderr
    assert stdout_has in done.stdout and stderr_has in done.stderr
    assert "Traceback" not in done.stderr


def test_help_has_an_example(capsys):
    with pytest.raises(SystemExit):
        run(["check", "--help"], capsys)
    out = capsys.readouterr().out
    assert "python -m analytics check 3月活动台账.xlsx --district 东城区" in out
    assert "退出码" in out


def test_today_bounds_dates(tmp_path):
    from analytics.ingest.check import check_file
    rows = VOLUNTEER_SHEET.rows[:2]
    path = tmp_path / "v.csv"
    path.write_bytes(csv_bytes(rows))
    assert check_file(path, today=dt.date(2026, 2, 27)).exit_code == 1
    assert check_file(path, today=dt.date(2026, 3, 1)).exit_code == 0
