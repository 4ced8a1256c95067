"""`python -m analytics report`: from a real database to xlsx / html / md."""
from __future__ import annotations

import io
import subprocess
import sys
from datetime import date

import openpyxl
import pandas as pd
import pytest

from analytics import schema
from analytics.cli.main import main
from analytics.cli.report import BadReportOption, parse_months
from analytics.present.export_html import report_markdown
from analytics.metrics.report import build_report
from tests.report_helpers import sample_frames


def _upload_workbook(frames: dict[str, pd.DataFrame], path) -> None:
    """The canonical frames as the sheets a district would upload (Chinese headers)."""
    with pd.ExcelWriter(path, engine="xlsxwriter",
                        engine_kwargs={"options": {"strings_to_formulas": False}}) as writer:
        for kind, df in frames.items():
            fields = schema.KINDS[kind].fields
            sheet = df[[f.name for f in fields]].rename(columns={f.name: f.label for f in fields})
            if kind == "targets":
                sheet["指标"] = [schema.INDICATOR_BY_NAME[i].label for i in sheet["指标"]]
            sheet.to_excel(writer, sheet_name=schema.KINDS[kind].label, index=False)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("cli_report")
    url = f"sqlite:///{root / 'league.db'}"
    frames = sample_frames()
    frames["activities"] = frames["activities"].assign(
        title=[f"活动{i}" for i in range(len(frames["activities"]))])
    path = root / "报表.xlsx"
    _upload_workbook(frames, path)
    assert main(["import", str(path), "--db", url]) == 0
    return url


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["report", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_markdown_to_stdout_matches_the_library(db, capsys):
    code, out, err = _run(capsys, "--year", "2026", "--months", "1-3", "--as-of", "2026-03-31",
                          "--format", "md", "--db", db)
    assert (code, err) == (0, "")
    frames = sample_frames()
    frames["activities"] = frames["activities"].assign(
        title=[f"活动{i}" for i in range(len(frames["activities"]))])
    expected = report_markdown(build_report(frames, year=2026, months=(1, 3),
                                            as_of=date(2026, 3, 31)))
    assert out == expected
    assert "2026年1—3月，各区县团员青年参学“青年大学习”2300余人次，参学比例94.00%" in out


def test_xlsx_file_with_district_filter(db, capsys, tmp_path):
    target = tmp_path / "东城区.xlsx"
    code, out, err = _run(capsys, "--year", "2026", "--district", "东城区", "--months", "1-3",
                          "--as-of", "2026-03-31", "--format", "xlsx", "-o", str(target),
                          "--db", db)
    assert (code, err) == (0, "")
    assert out.strip() == f"已导出 2026年1—3月（东城区）报告，数据截至 2026年3月31日（指定的统计截止日）：{target}"
    book = openpyxl.load_workbook(io.BytesIO(target.read_bytes()))
    assert book.sheetnames[0] == "区县对比"
    rows = [[c.value for c in row] for row in book["区县对比"].iter_rows(min_row=5, max_row=6)]
    assert rows[0][:4] == ["东城区", 0.95, 1, 1900]
    assert rows[1][:4] == ["合计", 0.95, None, 1900]
    assert book["工作总结"]["A4"].value.startswith("2026年1—3月，全区团员青年参学")


def test_default_as_of_stops_at_the_latest_month_with_data(db, capsys):
    # the sample ends in March 2026 (西城区 in February): a 1-12 report must not read
    # as of today, or April..December count as zeros in 同比 (last year has them) and
    # 序时进度; the whole area reads at the common cut-off, each district at its own
    code, out, err = _run(capsys, "--year", "2026", "--format", "md", "--db", db)
    assert (code, err) == (0, "")
    assert "数据截至 2026年2月28日（已上报数据的最后一个月）；东城区已报至3月，其余区县至2月" in out
    frames = sample_frames()
    frames["activities"] = frames["activities"].assign(
        title=[f"活动{i}" for i in range(len(frames["activities"]))])
    assert out == report_markdown(build_report(frames, year=2026))


def test_html_format_from_the_file_extension(db, capsys, tmp_path):
    target = tmp_path / "报告.html"
    code, _, err = _run(capsys, "--year", "2026", "--months", "3", "-o", str(target),
                        "--as-of", "2026-03-31", "--db", db)
    assert (code, err) == (0, "")
    page = target.read_text(encoding="utf-8")
    assert "<h1>团务数据报告 — 2026年3月（全部区县）</h1>" in page


@pytest.mark.parametrize(("argv", "message"), [
    (["--months", "13"], "月份范围“13”无效"),
    (["--months", "5-3"], "月份范围“5-3”无效"),
    (["--months", "一月"], "月份范围“一月”无法识别"),
    (["--as-of", "2026/3/31", "--format", "md"], "截止日“2026/3/31”格式不对"),
    (["--format", "xlsx"], "xlsx 格式需要用 -o 指定输出文件"),
    (["-o", "报告.pdf"], "请用 --format 指定 xlsx、html 或 md"),
])
def test_bad_options_give_one_chinese_line_and_exit_1(db, capsys, argv, message):
    code, out, err = _run(capsys, "--year", "2026", "--db", db, *argv)
    assert code == 1
    assert err.startswith("错误：") and message in err
    assert "Traceback" not in err and out == ""


def test_unwritable_output_is_a_clean_error(db, capsys, tmp_path):
    code, _, err = _run(capsys, "--year", "2026", "--db", db, "--format", "md",
                        "-o", str(tmp_path / "没有这个目录" / "报告.md"))
    assert code == 1 and "无法写入文件" in err


@pytest.mark.parametrize(("text", "months"), [
    ("1-10", (1, 10)), ("3", (3, 3)), ("1—12", (1, 12)), ("2~4", (2, 4)), ("1至6月", (1, 6)),
    (" 7 ", (7, 7)),
])
def test_parse_months(text, months):
    assert parse_months(text) == months


def test_parse_months_rejects_nonsense():
    with pytest.raises(BadReportOption):
        parse_months("0-3")


@pytest.mark.subprocess
def test_help_has_an_example():
    result = subprocess.run([sys.executable, "-m", "analytics", "report", "-h"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "示例" in result.stdout and "--months 1-10" in result.stdout
    assert "report" in subprocess.run([sys.executable, "-m", "analytics", "-h"],
                                      capture_output=True, text=True, check=False).stdout
