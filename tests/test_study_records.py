"""青年大学习 as the platform exports it: learner records + 团员名单 → 参学率 and 未学名单.

Real files throughout: the platform's .xlsx export (title line above the
header, 共计N条记录 under it), a GBK CSV roster, stored in a real SQLite
database and read back through the CLI the way a script would.

The hand-checkable data: 东城区 一中, 2026年3月, 2026年第5期.
- roster (as of 2026-01): 高一(1)班 张三 S001, 李四 (no id), 赵六 S003, 钱七 S004 (离团);
  高一(2)班 王五 S010, 孙八 S011  → members 3 + 2 = 5
- records: 张三 twice, 李四 by name, 王五, and 周九 (not on the roster) in 高一(2)班
  → learners 2 + 2 = 4; 参学率 4/5 = 80%; absent 赵六, 孙八; not on the roster 周九.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from analytics import access
from analytics.cli.main import main
from analytics.errors import ScopeConflict
from analytics.ingest.check import check_file
from analytics.metrics import indicators
from analytics.present.absent_list import NOT_ON_ROSTER_SHEET, absent_xlsx
from analytics.store import accounts, batches
from analytics.store.engine import get_engine
from analytics.store.frames import load_frames

B1, B2 = "高一(1)班团支部", "高一(2)班团支部"
P5 = "2026年第5期"
RECORDS = [
    (P5, "2026-03-05 20:31:12", "东城区", "一中", B1, "张三", "S001"),
    (P5, "2026-03-06 09:01:00", "东城区", "一中", B1, "张三", "S001"),   # watched twice
    (P5, "2026/03/06 10:00", "东城区", "一中", B1, "李四", None),
    (P5, "2026-03-07 10:00:00", "东城区", "一中", B2, "王五", "S010"),
    (P5, "2026-03-08 21:00:00", "东城区", "一中", B2, "周九", None),       # not on the roster
]
ROSTER = [
    (B1, "张三", "S001", "一中", ""), (B1, "李四", "", "一中", ""),
    (B1, "赵六", "S003", "一中", ""), (B1, "钱七", "S004", "一中", "离团"),
    (B2, "王五", "S010", "一中", ""), (B2, "孙八", "S011", "一中", ""),
]
RECORD_HEADER = ["序号", "课程", "学习时间", "所属区县", "学校", "团支部", "姓名", "学号"]


def records_xlsx(path: Path, rows=RECORDS) -> Path:
    """The platform's export: a title line, the header, the records, a 共计 footer."""
    wb = Workbook()
    ws = wb.active
    ws.title = "学习记录"
    ws.append([f"青年大学习{P5}学习记录导出"])
    ws.append(RECORD_HEADER)
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row])
    ws.append([f"共计{len(rows)}条记录"])
    wb.save(path)
    return path


def roster_csv(path: Path, rows=ROSTER, encoding: str = "gbk") -> Path:
    lines = ["团员名单（东城区）", "团支部,姓名,学号,单位,状态", *(",".join(r) for r in rows)]
    path.write_bytes("\r\n".join(lines).encode(encoding))
    return path


def study_xlsx(path: Path, rows: list[tuple[str, str, str, int, int]]) -> Path:
    """A per-unit 青年大学习 sheet: (month, district, unit, members, learners)."""
    wb = Workbook()
    ws = wb.active
    ws.append(["月份", "区", "单位", "团员数", "参学人数"])
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path}/league.db"


@pytest.fixture
def loaded(tmp_path, url, capsys):
    """The roster (as of January) and the March records imported through the CLI."""
    assert cli(capsys, "import", str(roster_csv(tmp_path / "名单.csv")), "--district", "东城区",
               "--month", "2026-01", "--db", url)[0] == 0
    assert cli(capsys, "import", str(records_xlsx(tmp_path / "记录.xlsx")), "--db", url)[0] == 0
    return url


def _study_numbers(url: str, year: int = 2026) -> dict:
    report = indicators.indicator_report(load_frames(get_engine(url), years=[year]), year=year)
    return {k: report["total"][k] for k in ("study_rate", "study_learners", "study_members")}


# --- reading -----------------------------------------------------------------------------

def test_platform_export_with_title_line_and_footer_is_read_as_records(tmp_path, capsys):
    code, out, _ = cli(capsys, "check", str(records_xlsx(tmp_path / "记录.xlsx")), "--json")
    sheet = json.loads(out)["sheets"][0]
    assert code == 0
    assert (sheet["kind"], sheet["header_row"], sheet["rows_accepted"]) == ("study_records", 2, 5)
    assert sheet["rows_rejected"] == 0 and sheet["errors"] == []
    assert sheet["totals"] == {"learners": 4}         # 张三 watching twice counts once


def test_gbk_csv_records_and_roster_load(tmp_path):
    lines = [",".join(RECORD_HEADER), *(",".join([str(i), *(c or "" for c in r)])
                                         for i, r in enumerate(RECORDS, 1)), "共计5条记录"]
    path = tmp_path / "记录.csv"
    path.write_bytes(("青年大学习学习记录\r\n" + "\r\n".join(lines)).encode("gbk"))
    records = check_file(path).sheets[0]
    assert (records.kind, records.header_row, len(records.frame)) == ("study_records", 2, 5)
    assert sorted(records.frame["month"].unique()) == ["2026-03"]
    roster = check_file(roster_csv(tmp_path / "名单.csv"), district="东城区", month="2026-01")
    sheet = roster.sheets[0]
    assert (sheet.kind, sheet.header_row, sheet.totals) == ("roster", 2, {"members": 6})
    assert set(sheet.frame["district"]) == {"东城区"}


def test_a_volunteer_sheet_is_not_taken_for_records_nor_records_for_it(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["志愿者编号", "姓名", "区", "单位", "服务项目", "服务日期", "服务时长"])
    ws.append(["V1", "张三", "东城区", "一中", "助老", "2026-03-05", 2])
    wb.save(tmp_path / "志愿.xlsx")
    assert check_file(tmp_path / "志愿.xlsx").sheets[0].kind == "volunteer"
    assert check_file(records_xlsx(tmp_path / "记录.xlsx")).sheets[0].kind == "study_records"


def test_month_comes_from_the_study_time_unless_given(tmp_path):
    path = records_xlsx(tmp_path / "记录.xlsx")
    assert check_file(path).sheets[0].scopes == [("东城区", "2026-03")]
    assert check_file(path, month="2026-04").sheets[0].scopes == [("东城区", "2026-04")]
    blank_time = [(P5, None, "东城区", "一中", B1, "张三", "S001")]
    sheet = check_file(records_xlsx(tmp_path / "无时间.xlsx", blank_time)).sheets[0]
    assert sheet.rows_rejected == 1
    assert sheet.errors[0].row == 3 and "学习时间为空" in sheet.errors[0].message
    assert check_file(tmp_path / "无时间.xlsx", month="2026-03").sheets[0].rows_accepted == 1


def test_a_record_without_name_or_id_is_rejected_in_chinese(tmp_path):
    rows = [(P5, "2026-03-05", "东城区", "一中", B1, None, None)]
    sheet = check_file(records_xlsx(tmp_path / "r.xlsx", rows)).sheets[0]
    assert [(e.row, e.column) for e in sheet.errors] == [(3, "姓名")]
    assert "无学号/编号时须填写姓名" in sheet.errors[0].message


# --- indicators ----------------------------------------------------------------------------

def test_records_and_roster_give_the_study_indicators_a_study_sheet_would(loaded, tmp_path,
                                                                          capsys):
    assert _study_numbers(loaded) == {"study_rate": 0.8, "study_learners": 4, "study_members": 5}
    other = f"sqlite:///{tmp_path}/sheet.db"
    sheet = study_xlsx(tmp_path / "青年大学习.xlsx", [("2026-03", "东城区", "一中", 5, 4)])
    assert cli(capsys, "import", str(sheet), "--db", other)[0] == 0
    assert _study_numbers(other) == _study_numbers(loaded)
    code, out, _ = cli(capsys, "indicators", "--year", "2026", "--json", "--db", loaded)
    district = json.loads(out)["districts"][0]
    assert (district["district"], district["study_rate"], district["study_members"]) == \
        ("东城区", 0.8, 5)


def test_without_a_roster_members_come_from_a_study_sheet_else_the_rate_is_unknown(tmp_path,
                                                                                  capsys):
    url = f"sqlite:///{tmp_path}/league.db"
    feb = study_xlsx(tmp_path / "二月.xlsx", [("2026-02", "东城区", "一中", 10, 9)])
    assert cli(capsys, "import", str(feb), "--db", url)[0] == 0
    assert cli(capsys, "import", str(records_xlsx(tmp_path / "记录.xlsx")), "--db", url)[0] == 0
    study = load_frames(get_engine(url), years=[2026])["study"]
    march = study[study["month"] == "2026-03"]
    assert (int(march["learners"].sum()), int(march["members"].sum())) == (4, 10)
    assert indicators.study_rate(march) == pytest.approx(0.4)
    # another district with records and neither roster nor sheet: learners count, rate unknown
    west = [(P5, "2026-03-05", "西城区", "三中", "初二团支部", "吴十", "W1")]
    assert cli(capsys, "import", str(records_xlsx(tmp_path / "西城.xlsx", west)), "--db", url)[0] == 0
    code, out, _ = cli(capsys, "indicators", "--year", "2026", "--district", "西城区",
                       "--json", "--db", url)
    row = json.loads(out)["districts"][0]
    assert (row["study_learners"], row["study_members"], row["study_rate"]) == (1, 0, None)
    whole = _study_numbers(url)
    assert whole["study_learners"] == 9 + 4 + 1
    assert whole["study_rate"] == pytest.approx((9 + 4) / 20)   # 西城区's learner is left out
    trend = indicators.monthly(load_frames(get_engine(url), years=[2026]), 2026,
                               by_district=False)
    march = trend[trend["month"] == "2026-03"].iloc[0]
    assert (march["study_rate"], march["cum_study_rate"]) == (pytest.approx(4 / 10),
                                                              pytest.approx(13 / 20))


# --- storing -------------------------------------------------------------------------------

def test_records_for_a_scope_with_study_rows_conflict_and_replace_only_when_asked(tmp_path,
                                                                                 db_url):
    url = db_url                 # SQLite, then a real PostgreSQL (COPY for the records)
    engine = get_engine(url)
    sheet = study_xlsx(tmp_path / "三月.xlsx", [("2026-03", "东城区", "一中", 6, 6)])
    first = batches.store_file(engine, sheet, actor=access.SYSTEM)[0].batch_id
    records = records_xlsx(tmp_path / "记录.xlsx")
    with pytest.raises(ScopeConflict, match="东城区 2026-03 一中 的青年大学习已导入"):
        batches.store_file(engine, records, actor=access.SYSTEM)
    assert _study_numbers(url)["study_members"] == 6
    result = batches.store_file(engine, records, actor=access.SYSTEM, replace=True)[0]
    assert (result.status, result.replaced) == ("replaced", [first])
    # no roster: members come from a per-unit study sheet — the replaced one is gone
    assert _study_numbers(url) == {"study_rate": None, "study_learners": 4, "study_members": 0}
    batches.rollback_batch(engine, result.batch_id, actor=access.SYSTEM)
    assert _study_numbers(url) == {"study_rate": 1.0, "study_learners": 6, "study_members": 6}
    # and a study sheet over stored records is refused the same way
    batches.store_file(engine, records, actor=access.SYSTEM, replace=True)
    with pytest.raises(ScopeConflict, match="学习记录已导入"):
        batches.store_file(engine, study_xlsx(tmp_path / "again.xlsx",
                                              [("2026-03", "东城区", "一中", 7, 7)]),
                           actor=access.SYSTEM)


def test_a_later_roster_replaces_the_district_roster_from_its_month_on(loaded, tmp_path, capsys):
    april = [(B1, "张三", "S001", "一中", ""), (B1, "李四", "", "一中", ""),
             (B2, "王五", "S010", "一中", ""), (B2, "孙八", "S011", "一中", ""),
             (B2, "郑十", "S012", "一中", "")]
    new = roster_csv(tmp_path / "四月名单.csv", april)
    assert cli(capsys, "import", str(new), "--district", "东城区", "--month", "2026-04",
               "--db", loaded)[0] == 0
    april_records = [(("2026年第6期", "2026-04-02", *r[2:])) for r in RECORDS]
    assert cli(capsys, "import", str(records_xlsx(tmp_path / "四月.xlsx", april_records)),
               "--db", loaded)[0] == 0

    def absent(month):
        code, out, _ = cli(capsys, "absent", "--month", month, "--json", "--db", loaded)
        assert code == 0
        return [p["name"] for p in json.loads(out)["absent"]]

    assert absent("2026-03") == ["赵六", "孙八"]           # the January roster still holds
    assert absent("2026-04") == ["孙八", "郑十"]           # 赵六 is gone from April's roster
    # the same month's roster again is a conflict like any other
    code, _, err = cli(capsys, "import", str(roster_csv(tmp_path / "再次.csv", april[:2])),
                       "--district", "东城区", "--month", "2026-04", "--db", loaded)
    assert code == 1 and "团员名单已导入" in err


def test_a_unit_roster_replaces_only_that_unit(tmp_path, url, capsys):
    assert cli(capsys, "import", str(roster_csv(tmp_path / "名单.csv")), "--district", "东城区",
               "--month", "2026-01", "--db", url)[0] == 0
    rows = [("初三团支部", "冯一", "E1", "二中", ""), ("初三团支部", "陈二", "E2", "二中", "")]
    assert cli(capsys, "import", str(roster_csv(tmp_path / "二中名单.csv", rows)), "--district",
               "东城区", "--month", "2026-02", "--db", url)[0] == 0
    both = [*RECORDS, (P5, "2026-03-09", "东城区", "二中", "初三团支部", "冯一", "E1")]
    assert cli(capsys, "import", str(records_xlsx(tmp_path / "记录.xlsx", both)), "--db", url)[0] == 0
    code, out, _ = cli(capsys, "absent", "--month", "2026-03", "--json", "--db", url)
    names = [(p["unit"], p["name"]) for p in json.loads(out)["absent"]]
    # 二中's February roster leaves 一中's January roster in force
    assert names == [("一中", "赵六"), ("一中", "孙八"), ("二中", "陈二")]
    assert _study_numbers(url) == {"study_rate": round(5 / 7, 6), "study_learners": 5, "study_members": 7}


# --- 未学名单 -------------------------------------------------------------------------------

def test_absent_cli_lists_members_who_did_not_study_and_learners_apart(loaded, capsys):
    code, out, _ = cli(capsys, "absent", "--month", "2026-03", "--json", "--db", loaded)
    report = json.loads(out)
    assert code == 0 and report["month"] == "2026-03"
    assert report["absent"] == [
        {"district": "东城区", "unit": "一中", "branch": B1, "period": P5, "name": "赵六",
         "member_id": "S003"},
        {"district": "东城区", "unit": "一中", "branch": B2, "period": P5, "name": "孙八",
         "member_id": "S011"},
    ]
    assert [p["name"] for p in report["not_on_roster"]] == ["周九"]
    for argv, expected in ((["--period", P5], 2), (["--period", "2026年第9期"], 0),
                           (["--unit", "一中"], 2), (["--unit", "二中"], 0),
                           (["--district", "东城区"], 2)):
        code, out, _ = cli(capsys, "absent", "--month", "2026-03", "--json", "--db", loaded, *argv)
        assert (code, len(json.loads(out)["absent"])) == (0, expected), argv
    code, out, _ = cli(capsys, "absent", "--month", "2026-03", "--db", loaded)
    assert "未学名单：2 人" in out and "赵六" in out and "周九" in out


def test_absent_names_follow_roles_and_districts(loaded, capsys):
    engine = get_engine(loaded)
    accounts.create_user(engine, access.SYSTEM, "zhang", "Pass-word-123", "filler", ["东城区"])
    accounts.create_user(engine, access.SYSTEM, "li", "Pass-word-123", "filler", ["西城区"])
    accounts.create_user(engine, access.SYSTEM, "boss", "Pass-word-123", "viewer")
    code, out, _ = cli(capsys, "absent", "--month", "2026-03", "--json", "--user", "zhang",
                       "--db", loaded)
    assert code == 0 and len(json.loads(out)["absent"]) == 2
    code, out, _ = cli(capsys, "absent", "--month", "2026-03", "--json", "--user", "li",
                       "--db", loaded)
    assert code == 0 and json.loads(out)["absent"] == []          # only their own districts
    code, out, err = cli(capsys, "absent", "--month", "2026-03", "--district", "东城区",
                         "--user", "li", "--db", loaded)
    assert code == 1 and out == "" and "无权查看 东城区 的名单" in err
    code, out, err = cli(capsys, "absent", "--month", "2026-03", "--user", "boss", "--db", loaded)
    assert code == 1 and out == "" and "无权查看名单" in err and "Traceback" not in err


def test_absent_workbook_has_one_sheet_per_branch_and_the_others_apart(loaded):
    from analytics.metrics.records import absent_report

    report = absent_report(load_frames(get_engine(loaded), years=[2026]), month="2026-03")
    wb = load_workbook(io.BytesIO(absent_xlsx(report)))
    assert wb.sheetnames == [B1, B2, NOT_ON_ROSTER_SHEET]
    rows = list(wb[B1].iter_rows(values_only=True))
    assert "东城区 一中 高一(1)班团支部（1 人）" in rows[0][0]
    assert rows[1][:3] == ("序号", "姓名", "学号/编号")
    assert rows[2][:4] == (1, "赵六", "S003", P5)
    assert [r[1] for r in wb[NOT_ON_ROSTER_SHEET].iter_rows(min_row=3, values_only=True)] == ["周九"]


def test_leaders_report_exports_carry_no_names(loaded, tmp_path, capsys):
    for fmt in ("xlsx", "html"):
        out = tmp_path / f"report.{fmt}"
        code, _, err = cli(capsys, "report", "--year", "2026", "--format", fmt, "-o", str(out),
                           "--db", loaded)
        assert code == 0, err
        data = out.read_bytes()
        if fmt == "xlsx":
            wb = load_workbook(io.BytesIO(data))
            text = " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True)
                            for c in row if c is not None)
        else:
            text = data.decode("utf-8")
        assert "80.00%" in text or "80.0%" in text
        for name in ("张三", "赵六", "周九"):
            assert name not in text
