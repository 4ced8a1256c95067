"""The `import`, `indicators`, `sample` and `batches` commands, per the DESIGN.md contract."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from analytics.access import SYSTEM
from analytics.store.accounts import create_user
from analytics.cli.main import build_parser, main
from analytics.store.engine import get_engine
from analytics.store.sample import load_sample
from analytics.store.batches import clear_sample, has_sample, list_batches
from analytics.store.frames import load_frames

ROOT = Path(__file__).resolve().parent.parent
ACT_HEADER = ["日期", "区", "单位", "活动名称", "活动类别", "场次", "参与人次"]
STUDY_HEADER = ["月份", "区", "单位", "团员数", "参学人数"]


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def activities_file(path: Path, district: str = "青山区", participants=(30, 45)) -> Path:
    rows = [ACT_HEADER] + [["2026-03-0%d" % (i + 1), district, "一中团委", f"活动{i}", "志愿服务", 1, p]
                           for i, p in enumerate(participants)]
    return workbook(path, {"活动台账": rows})


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_duplicate_conflict_replace_and_rollback(db_url, tmp_path, capsys):
    a = activities_file(tmp_path / "a.xlsx")
    b = activities_file(tmp_path / "b.xlsx", participants=(5,))
    code, out, err = run(capsys, "import", str(a), "--db", db_url)
    assert (code, out, err) == (0, "a.xlsx [活动台账]：已导入活动台账 2 行（批次 #1）\n", "")
    code, out, _ = run(capsys, "import", str(a), "--db", db_url)
    assert (code, out) == (0, "a.xlsx [活动台账]：文件已导入过（批次 #1），未重复导入\n")
    code, out, err = run(capsys, "import", str(b), "--db", db_url)
    assert (code, out) == (1, "")
    assert err == ("b.xlsx：青山区 2026-03 一中团委 的活动台账已导入（批次 #1）；"
                   "如需替换原数据，请勾选“确认替换”（命令行加 --replace），只替换这些单位\n")
    code, out, _ = run(capsys, "import", str(b), "--replace", "--db", db_url)
    assert (code, out) == (0, "b.xlsx [活动台账]：已替换活动台账 1 行（批次 #2）\n")
    code, out, _ = run(capsys, "batches", "rollback", "2", "--db", db_url)
    assert (code, out) == (0, "已撤销批次 #2，已恢复被它替换的批次 #1\n")
    engine = get_engine(db_url)
    assert load_frames(engine)["activities"]["participants"].tolist() == [30, 45]
    engine.dispose()


def test_same_file_for_another_district_is_another_import(db_url, tmp_path, capsys):
    # a CSV without 区/月份 columns: the district and month are given at upload
    csv = tmp_path / "act.csv"
    csv.write_text("日期,单位,活动名称,活动类别,场次,参与人次\n"
                   "2026-03-01,一中团委,宣讲,志愿服务,1,30\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", str(csv), "--district", "青山区", "--db", db_url)
    assert (code, out) == (0, "act.csv [act]：已导入活动台账 1 行（批次 #1）\n")
    code, out, _ = run(capsys, "import", str(csv), "--district", "临江区", "--db", db_url)
    assert (code, out) == (0, "act.csv [act]：已导入活动台账 1 行（批次 #2）\n")
    code, out, _ = run(capsys, "import", str(csv), "--district", "临江区", "--db", db_url)
    assert (code, out) == (0, "act.csv [act]：文件已导入过（批次 #2），未重复导入\n")
    engine = get_engine(db_url)
    stored = load_frames(engine)["activities"]
    assert sorted(stored["district"]) == ["临江区", "青山区"]
    engine.dispose()


def test_rejected_rows_and_skip_bad_rows(sqlite_url, tmp_path, capsys):
    bad = workbook(tmp_path / "bad.xlsx", {"活动台账": [
        ACT_HEADER, ["2026-03-01", "青山区", "一中团委", "活动", "志愿服务", 1, 30],
        ["2026-03-02", "青山区", "一中团委", "活动", "志愿服务", 1, "很多"]]})
    code, out, err = run(capsys, "import", str(bad), "--db", sqlite_url)
    assert (code, out) == (1, "")
    assert "文件中有 1 行未通过检查" in err and "--skip-bad-rows" in err
    # which row and why, with the Excel row number, so the user can fix it
    assert err.endswith("\n  [活动台账] 第 3 行：参与人次：须为数字（可带单位，如 450、1,200、1.2万）\n")
    code, out, _ = run(capsys, "import", str(bad), "--skip-bad-rows", "--db", sqlite_url)
    assert code == 1
    assert out == ("bad.xlsx [活动台账]：已导入活动台账 1 行（批次 #1）\n"
                   "  跳过错误行 1 行（保存在批次记录中）\n"
                   "  [活动台账] 第 3 行：参与人次：须为数字（可带单位，如 450、1,200、1.2万）\n")


def test_rejected_rows_listed_up_to_a_limit():
    from analytics.cli.storage import rejected_lines

    rows = [("表", {"row": n, "errors": ["团员数：须大于 0", "单位：不能为空"]}) for n in range(2, 6)]
    assert rejected_lines(rows, limit=2) == [
        "  [表] 第 2 行：团员数：须大于 0；单位：不能为空",
        "  [表] 第 3 行：团员数：须大于 0；单位：不能为空",
        "  …… 另有 2 行（可用 check 命令查看全部）"]


def test_a_district_without_data_reads_as_zeros_of_the_right_type(sqlite_url, tmp_path, capsys):
    run(capsys, "import", str(activities_file(tmp_path / "a.xlsx")), "--db", sqlite_url)
    code, out, _ = run(capsys, "indicators", "--year", "2026", "--as-of", "2026-03-31",
                       "--district", "临江区", "--json", "--db", sqlite_url)
    [row] = json.loads(out)["districts"]
    assert code == 0
    assert {k: v for k, v in row.items() if k != "targets"} == {
        "district": "临江区", "as_of": "2026-03-31", "study_rate": None, "study_learners": 0, "study_members": 0,
        "activity_sessions": 0, "activity_participants": 0, "volunteer_count": 0,
        "volunteer_hours": 0.0}
    assert '"volunteer_hours": 0.0' in out        # a float like every other district's hours


def test_unreadable_file_exit_2_and_the_others_still_go_in(sqlite_url, tmp_path, capsys):
    png = tmp_path / "photo.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    good = activities_file(tmp_path / "good.xlsx")
    code, out, err = run(capsys, "import", str(png), str(good), "--db", sqlite_url)
    assert code == 2
    assert err.startswith("photo.xlsx：") and "Traceback" not in err
    assert out == "good.xlsx [活动台账]：已导入活动台账 2 行（批次 #1）\n"


def test_user_option_applies_the_accounts_permissions(sqlite_url, tmp_path, capsys):
    engine = get_engine(sqlite_url)
    create_user(engine, SYSTEM, "zhang", "Zhang-2026-pw", "filler", ["青山区"])
    engine.dispose()
    other = activities_file(tmp_path / "lj.xlsx", district="临江区")
    code, _, err = run(capsys, "import", str(other), "--user", "zhang", "--db", sqlite_url)
    assert code == 1 and "无权导入 临江区 的数据" in err
    code, _, err = run(capsys, "import", str(other), "--user", "nobody", "--db", sqlite_url)
    assert code == 1 and "nobody" in err
    code, out, _ = run(capsys, "import", str(other), "--db", sqlite_url)
    assert code == 0
    code, _, err = run(capsys, "batches", "rollback", "1", "--user", "zhang", "--db", sqlite_url)
    assert code == 1 and "临江区" in err
    code, out, _ = run(capsys, "batches", "list", "--user", "zhang", "--db", sqlite_url)
    assert (code, out) == (0, "还没有导入任何批次。\n")     # zhang sees only 青山区 batches


def test_indicators_json_and_table(sqlite_url, tmp_path, capsys):
    workbook(tmp_path / "m.xlsx", {
        "活动台账": [ACT_HEADER, ["2026-03-01", "青山区", "一中团委", "活动", "志愿服务", 2, 30]],
        "青年大学习": [STUDY_HEADER, ["2026-03", "青山区", "一中团委", 10, 10],
                   ["2026-03", "青山区", "二中团委", 100, 90]]})
    assert run(capsys, "import", str(tmp_path / "m.xlsx"), "--db", sqlite_url)[0] == 0
    code, out, _ = run(capsys, "indicators", "--year", "2026", "--as-of", "2026-06-30",
                       "--json", "--db", sqlite_url)
    report = json.loads(out)
    assert code == 0 and (report["year"], report["as_of"]) == (2026, "2026-06-30")
    [qs] = report["districts"]
    assert {k: qs[k] for k in ("district", "study_learners", "study_members",
                               "activity_sessions", "activity_participants")} == {
        "district": "青山区", "study_learners": 100, "study_members": 110,
        "activity_sessions": 2, "activity_participants": 30}
    assert qs["study_rate"] == pytest.approx(100 / 110, abs=1e-6)
    code, out, _ = run(capsys, "indicators", "--year", "2026", "--district", "青山区",
                       "--db", sqlite_url)
    assert code == 0 and "参学率" in out and "90.91%" in out and "合计" in out


def test_indicators_bad_as_of_is_a_clean_error(sqlite_url, capsys):
    code, _, err = run(capsys, "indicators", "--year", "2026", "--as-of", "6月30日",
                       "--db", sqlite_url)
    assert code == 1 and "YYYY-MM-DD" in err


def test_batches_list_json(sqlite_url, tmp_path, capsys):
    run(capsys, "import", str(activities_file(tmp_path / "a.xlsx")), "--db", sqlite_url)
    code, out, _ = run(capsys, "batches", "list", "--json", "--db", sqlite_url)
    [batch] = json.loads(out)
    assert code == 0
    assert {k: batch[k] for k in ("id", "kind", "districts", "periods", "file_name",
                                  "username", "rows_accepted", "status")} == {
        "id": 1, "kind": "activities", "districts": "青山区", "periods": "2026-03",
        "file_name": "a.xlsx", "username": "system", "rows_accepted": 2, "status": "active"}
    code, out, _ = run(capsys, "batches", "list", "--db", sqlite_url)
    assert "活动台账" in out and "有效" in out and "a.xlsx" in out


def test_load_sample_from_a_folder_and_clear_it(sqlite_url, tmp_path):
    folder = tmp_path / "sample"
    (folder / "2026-03").mkdir(parents=True)
    activities_file(folder / "2026-03" / "青山区_2026-03.xlsx")
    activities_file(folder / "2026-03" / "临江区_2026-03.xlsx", district="临江区")
    engine = get_engine(sqlite_url)
    results = load_sample(engine, folder=folder)
    assert [(r.status, r.rows_stored) for r in results] == [("stored", 2), ("stored", 2)]
    assert has_sample(engine)
    assert [r.status for r in load_sample(engine, folder=folder)] == ["duplicate", "duplicate"]
    assert list_batches(engine)["file_name"].tolist() == ["2026-03/青山区_2026-03.xlsx",
                                                          "2026-03/临江区_2026-03.xlsx"]
    assert clear_sample(engine, SYSTEM) == 2 and not has_sample(engine)
    assert load_frames(engine)["activities"].empty
    engine.dispose()


@pytest.mark.subprocess
def test_python_m_analytics_import_runs(sqlite_url, tmp_path):
    a = activities_file(tmp_path / "a.xlsx")
    done = subprocess.run([sys.executable, "-m", "analytics", "import", str(a), "--db", sqlite_url],
                          cwd=ROOT, capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (
        0, "a.xlsx [活动台账]：已导入活动台账 2 行（批次 #1）\n", "")


@pytest.mark.parametrize("command", ["import", "indicators", "sample", "batches"])
def test_every_command_has_help_with_an_example(command):
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert sub.choices[command].epilog.startswith("示例：")
    assert any(c.dest == command and c.help for c in sub._choices_actions)


