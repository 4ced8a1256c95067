"""Each 基层团组织 reports its own rows: unit-level replace scopes, late reports (补报),
unit accounts, 报送情况 — real Excel files, real SQLite and PostgreSQL, the real CLI."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from analytics import access
from analytics.access import SYSTEM, User
from analytics.cli.main import main
from analytics.errors import PermissionDenied, RowsRejected, ScopeConflict
from analytics.metrics import reporting
from analytics.metrics.indicators import indicator_report
from analytics.present.admin_tables import refused_names, upload_plan_table
from analytics.present.reporting_tables import progress_table, reporting_table
from analytics.store import accounts, tables
from analytics.store.batches import (
    list_batches, preview_file, reporting_scopes, rollback_batch, rollback_refusals,
    store_checked, store_file,
)
from analytics.store.engine import get_engine
from analytics.store.frames import load_frames
from tests.workbooks import write_xlsx

ROOT = Path(__file__).resolve().parent.parent
ACT_HEADER = ["日期", "区", "单位", "活动名称", "活动类别", "场次", "参与人次"]
STUDY_HEADER = ["月份", "区", "单位", "团员数", "参学人数"]
EAST, WEST, SOUTH = "东关街道团工委", "西关街道团工委", "南关街道团工委"
DONGGUAN = User("dg", "filler", units=frozenset({("青山区", EAST)}))


def activities_xlsx(path: Path, rows: list[tuple[str, str, int]], district: str = "青山区") -> Path:
    """A real 活动台账 workbook: rows of (unit, date, participants), a title row above."""
    body = [["青山区活动台账"], ACT_HEADER]
    body += [[day, district, unit, f"{unit}活动{i}", "志愿服务", 1, p]
             for i, (unit, day, p) in enumerate(rows)]
    return write_xlsx(path, {"活动台账": body})


def study_xlsx(path: Path, month: str, rows: list[tuple[str, int, int]]) -> Path:
    return write_xlsx(path, {"青年大学习": [STUDY_HEADER] + [[month, "青山区", u, m, x]
                                                        for u, m, x in rows]})


def store(engine, path: Path, actor=SYSTEM, **kwargs):
    return store_file(engine, path, filename=path.name, actor=actor, isolate=False,
                      today=date(2026, 12, 1), **kwargs)


def participants(engine) -> dict[tuple[str, str], int]:
    acts = load_frames(engine)["activities"]
    return {k: int(v) for k, v in acts.groupby(["month", "unit"])["participants"].sum().items()}


def statuses(engine) -> list[list]:
    return list_batches(engine)[["id", "status"]].values.tolist()


# --- two units of one district and month -----------------------------------------------

def test_two_units_uploaded_separately_both_count_nothing_doubled(engine, tmp_path):
    east = activities_xlsx(tmp_path / "东关.xlsx", [(EAST, "2026-03-02", 30), (EAST, "2026-03-09", 20)])
    west = activities_xlsx(tmp_path / "西关.xlsx", [(WEST, "2026-03-05", 45)])
    [a] = store(engine, east)
    [b] = store(engine, west)          # no "已导入" refusal: 西关 adds its own unit
    assert (a.status, b.status, b.replaced) == ("stored", "stored", [])
    assert participants(engine) == {("2026-03", EAST): 50, ("2026-03", WEST): 45}
    # the same files again: no-ops, nothing doubled
    assert [r.status for r in store(engine, east) + store(engine, west)] == ["duplicate"] * 2
    report = indicator_report(load_frames(engine), year=2026, as_of=date(2026, 3, 31))
    assert report["total"]["activity_participants"] == 95
    assert report["total"]["activity_sessions"] == 3

    study_east = study_xlsx(tmp_path / "东关学习.xlsx", "2026-03", [(EAST, 100, 90)])
    study_west = study_xlsx(tmp_path / "西关学习.xlsx", "2026-03", [(WEST, 300, 210)])
    store(engine, study_east)
    store(engine, study_west)
    report = indicator_report(load_frames(engine), year=2026, as_of=date(2026, 3, 31))
    assert report["total"]["study_rate"] == pytest.approx(300 / 400)   # weighted, both units
    assert statuses(engine) == [[4, "active"], [3, "active"], [2, "active"], [1, "active"]]


def test_a_unit_already_stored_is_a_conflict_naming_only_that_unit(engine, tmp_path):
    store(engine, activities_xlsx(tmp_path / "东关.xlsx", [(EAST, "2026-03-02", 30)]))
    both = activities_xlsx(tmp_path / "东关南关.xlsx", [(EAST, "2026-03-03", 31),
                                                     (SOUTH, "2026-03-04", 7)])
    with pytest.raises(ScopeConflict) as err:
        store(engine, both)
    assert str(err.value) == (f"青山区 2026-03 {EAST} 的活动台账已导入（批次 #1）；"
                              "如需替换原数据，请勾选“确认替换”（命令行加 --replace），只替换这些单位")
    # all or nothing: 南关 was not added either
    assert participants(engine) == {("2026-03", EAST): 30}
    [result] = store(engine, both, replace=True)
    assert (result.status, result.replaced) == ("replaced", [1])
    assert participants(engine) == {("2026-03", EAST): 31, ("2026-03", SOUTH): 7}


def test_late_unit_is_added_without_re_uploading_the_district(engine, tmp_path):
    feb = activities_xlsx(tmp_path / "2月.xlsx", [(EAST, "2026-02-02", 1), (WEST, "2026-02-03", 2)])
    store(engine, feb)
    store(engine, activities_xlsx(tmp_path / "东关3月.xlsx", [(EAST, "2026-03-02", 30)]))
    status = reporting.reporting_status(reporting_scopes(engine), reporting.unit_list(),
                                        month="2026-03")
    assert status[["unit", "reported"]].values.tolist() == [[EAST, True], [WEST, False]]
    # 西关's 补报 a week later: added, not a replace, nothing of 东关 touched
    [late] = store(engine, activities_xlsx(tmp_path / "西关3月补报.xlsx", [(WEST, "2026-03-28", 12)]))
    assert (late.status, late.replaced) == ("stored", [])
    assert participants(engine) == {("2026-02", EAST): 1, ("2026-02", WEST): 2,
                                    ("2026-03", EAST): 30, ("2026-03", WEST): 12}
    status = reporting.reporting_status(reporting_scopes(engine), reporting.unit_list(),
                                        month="2026-03")
    assert status[["unit", "reported", "batch_id", "username"]].values.tolist() == [
        [EAST, True, 2, "system"], [WEST, True, late.batch_id, "system"]]


# --- replace of one unit, rollback of each ---------------------------------------------------

def test_replace_one_unit_leaves_the_others_and_rollback_of_each(engine, tmp_path):
    district = activities_xlsx(tmp_path / "全区3月.xlsx", [(EAST, "2026-03-02", 30),
                                                        (WEST, "2026-03-03", 45),
                                                        (SOUTH, "2026-03-04", 7)])
    [whole] = store(engine, district)                                       # batch 1: three units
    fixed = activities_xlsx(tmp_path / "西关更正.xlsx", [(WEST, "2026-03-03", 50)])
    [fix] = store(engine, fixed, replace=True)                              # batch 2: 西关 only
    assert (fix.status, fix.replaced) == ("replaced", [whole.batch_id])
    assert participants(engine) == {("2026-03", EAST): 30, ("2026-03", WEST): 50,
                                    ("2026-03", SOUTH): 7}
    assert statuses(engine) == [[2, "active"], [1, "active"]]   # batch 1 still holds two units
    [late] = store(engine, activities_xlsx(tmp_path / "北关.xlsx", [("北关街道团工委", "2026-03-05", 3)]))

    # rolling back the correction restores exactly 西关's old rows
    assert rollback_batch(engine, fix.batch_id, actor=SYSTEM) == [whole.batch_id]
    assert participants(engine) == {("2026-03", EAST): 30, ("2026-03", WEST): 45,
                                    ("2026-03", SOUTH): 7, ("2026-03", "北关街道团工委"): 3}
    # rolling back the late unit removes only it
    assert rollback_batch(engine, late.batch_id, actor=SYSTEM) == []
    assert participants(engine) == {("2026-03", EAST): 30, ("2026-03", WEST): 45,
                                    ("2026-03", SOUTH): 7}
    # and the district batch: nothing left, the month is free for every unit again
    assert rollback_batch(engine, whole.batch_id, actor=SYSTEM) == []
    assert participants(engine) == {}
    assert store(engine, fixed)[0].status == "stored"


def test_rolling_back_a_replaced_unit_batch_hands_the_old_rows_on(engine, tmp_path):
    store(engine, activities_xlsx(tmp_path / "v1.xlsx", [(EAST, "2026-03-02", 1), (WEST, "2026-03-02", 2)]))
    store(engine, activities_xlsx(tmp_path / "v2.xlsx", [(EAST, "2026-03-02", 10)]), replace=True)
    store(engine, activities_xlsx(tmp_path / "v3.xlsx", [(EAST, "2026-03-02", 100)]), replace=True)
    assert rollback_batch(engine, 2, actor=SYSTEM) == []       # already replaced by #3
    assert participants(engine) == {("2026-03", EAST): 100, ("2026-03", WEST): 2}
    assert rollback_batch(engine, 3, actor=SYSTEM) == [1]      # back to v1's 东关, not v2
    assert participants(engine) == {("2026-03", EAST): 1, ("2026-03", WEST): 2}
    assert statuses(engine) == [[3, "rolled_back"], [2, "rolled_back"], [1, "active"]]


# --- the unique index at unit granularity, and two concurrent imports -------------------------

def test_active_scopes_are_unique_per_unit(engine, tmp_path):
    store(engine, activities_xlsx(tmp_path / "a.xlsx", [(EAST, "2026-03-02", 1)]))
    s = tables.batch_scopes
    row = {"batch_id": 1, "kind": "activities", "district": "青山区", "period": "2026-03",
           "active": True}
    with engine.begin() as conn:                     # another unit of the same month: fine
        conn.execute(insert(s).values(**row, unit=WEST))
    with pytest.raises(IntegrityError):              # the same unit twice: the index refuses
        with engine.begin() as conn:
            conn.execute(insert(s).values(**row, unit=EAST))


CHILD = """
import sys
from datetime import date
from analytics.access import SYSTEM
from analytics.store.engine import get_engine
from analytics.store.batches import store_file
url, path = sys.argv[1], sys.argv[2]
[r] = store_file(get_engine(url), path, filename="东关.xlsx", actor=SYSTEM, isolate=False,
                 today=date(2026, 12, 1))
print(r.status)
"""


@pytest.mark.slow
def test_concurrent_uploads_of_two_units_both_win(engine, db_url, tmp_path):
    east = activities_xlsx(tmp_path / "东关.xlsx", [(EAST, "2026-03-02", 30)] * 40)
    west = activities_xlsx(tmp_path / "西关.xlsx", [(WEST, "2026-03-05", 45)])
    marker = tmp_path / "half"
    env = {**os.environ, "LEAGUE_TEST_FAULT": f"sleep:1.5:{marker}"}
    child = subprocess.Popen([sys.executable, "-c", CHILD, db_url, str(east)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert child.poll() is None and time.monotonic() < deadline, child.communicate()
        time.sleep(0.05)
    [result] = store(engine, west)       # waits for the child's transaction, then adds its unit
    out, err = child.communicate(timeout=60)
    assert (child.returncode, out.strip(), result.status) == (0, "stored", "stored"), err
    assert participants(engine) == {("2026-03", EAST): 1200, ("2026-03", WEST): 45}
    assert sorted(list_batches(engine)["file_name"]) == ["东关.xlsx", "西关.xlsx"]


# --- unit accounts --------------------------------------------------------------------------

def test_unit_account_stores_its_unit_and_is_refused_for_another(engine, tmp_path):
    west = activities_xlsx(tmp_path / "西关.xlsx", [(WEST, "2026-03-05", 45)])
    with pytest.raises(PermissionDenied, match=f"您（填报员 dg）无权导入 青山区 {WEST} 的数据"):
        store(engine, west, actor=DONGGUAN)
    mixed = activities_xlsx(tmp_path / "混合.xlsx", [(EAST, "2026-03-02", 30), (WEST, "2026-03-05", 45)])
    with pytest.raises(RowsRejected, match=f"其中无权导入 青山区 {WEST} 的数据"):
        store(engine, mixed, actor=DONGGUAN)
    [mine] = store(engine, mixed, actor=DONGGUAN, skip_bad_rows=True)
    assert (mine.rows_stored, mine.rejected[0]["errors"]) == (
        1, [f"单位：无权导入 青山区 {WEST} 的数据"])
    assert participants(engine) == {("2026-03", EAST): 30}
    # another district is named whole
    other = activities_xlsx(tmp_path / "临江.xlsx", [("临江一中团委", "2026-03-05", 5)], district="临江区")
    with pytest.raises(PermissionDenied, match="您（填报员 dg）无权导入 临江区 的数据"):
        store(engine, other, actor=DONGGUAN)
    # its own unit may be replaced and rolled back
    [again] = store(engine, activities_xlsx(tmp_path / "东关更正.xlsx", [(EAST, "2026-03-02", 33)]),
                    actor=DONGGUAN, replace=True)
    assert again.replaced == [mine.batch_id]
    assert rollback_batch(engine, again.batch_id, actor=DONGGUAN) == [mine.batch_id]


def test_unit_account_may_not_replace_roll_back_or_set_targets_of_others(engine, tmp_path):
    [west] = store(engine, activities_xlsx(tmp_path / "西关.xlsx", [(WEST, "2026-03-05", 45)]))
    [both] = store(engine, activities_xlsx(tmp_path / "两个.xlsx", [(EAST, "2026-04-02", 1),
                                                                  (WEST, "2026-04-02", 2)]))
    with pytest.raises(PermissionDenied, match=f"无权撤销 青山区 {WEST} 的数据"):
        rollback_batch(engine, west.batch_id, actor=DONGGUAN)
    with pytest.raises(PermissionDenied, match=f"无权撤销 青山区 {WEST} 的数据"):
        rollback_batch(engine, both.batch_id, actor=DONGGUAN)   # half of it is another unit's
    # the page offers the undo by the same rule: neither batch is the unit account's
    [own] = store(engine, activities_xlsx(tmp_path / "东关.xlsx", [(EAST, "2026-05-02", 4)]),
                  actor=DONGGUAN)
    assert rollback_refusals(engine, [west.batch_id, both.batch_id, own.batch_id], DONGGUAN) == {
        west.batch_id: f"您（填报员 dg）无权撤销 青山区 {WEST} 的数据",
        both.batch_id: f"您（填报员 dg）无权撤销 青山区 {WEST} 的数据"}
    assert rollback_refusals(engine, [west.batch_id, own.batch_id], SYSTEM) == {}
    rollback_batch(engine, own.batch_id, actor=DONGGUAN)
    assert rollback_refusals(engine, [own.batch_id], DONGGUAN) == {
        own.batch_id: f"批次 #{own.batch_id} 已撤销过"}
    targets = write_xlsx(tmp_path / "目标.xlsx", {"年度目标": [["年度", "区", "指标", "目标值"],
                                                            [2026, "青山区", "参学率", 0.95]]})
    with pytest.raises(PermissionDenied, match="您（填报员 dg）无权修改 青山区 的目标"):
        store(engine, targets, actor=DONGGUAN)
    assert statuses(engine) == [[3, "rolled_back"], [2, "active"], [1, "active"]]


def test_unit_account_in_the_database_and_on_the_cli(engine, db_url, tmp_path, capsys):
    assert main(["users", "add", "dg", "--role", "filler", "--units", f"青山区/{EAST}",
                 "--db", db_url]) == 0
    assert f"区县：单位：青山区/{EAST}" in capsys.readouterr().out
    user = accounts.get_user(engine, "dg")
    assert (user.districts, user.units) == (frozenset(), frozenset({("青山区", EAST)}))
    listed = accounts.list_users(engine).set_index("username").loc["dg"]
    assert (listed["districts"], listed["units"]) == ("仅限所列单位", f"青山区/{EAST}")

    west = activities_xlsx(tmp_path / "西关.xlsx", [(WEST, "2026-03-05", 45)])
    assert main(["import", str(west), "--user", "dg", "--db", db_url]) == 1
    assert capsys.readouterr().err == f"西关.xlsx：您（填报员 dg）无权导入 青山区 {WEST} 的数据\n"
    east = activities_xlsx(tmp_path / "东关.xlsx", [(EAST, "2026-03-02", 30)])
    assert main(["import", str(east), "--user", "dg", "--db", db_url]) == 0
    assert "已导入活动台账 1 行（批次 #1）" in capsys.readouterr().out
    assert main(["import", str(west), "--db", db_url]) == 0      # the local operator may
    capsys.readouterr()
    assert main(["batches", "rollback", "2", "--user", "dg", "--db", db_url]) == 1
    assert capsys.readouterr().err.strip().endswith(f"无权撤销 青山区 {WEST} 的数据")

    assert main(["users", "set-role", "dg", "--units", f"青山区/{EAST},青山区/{WEST}",
                 "--db", db_url]) == 0
    assert f"单位：青山区/{EAST}、青山区/{WEST}" in capsys.readouterr().out
    assert main(["batches", "rollback", "2", "--user", "dg", "--db", db_url]) == 0
    assert main(["users", "add", "bad", "--role", "filler", "--units", "东关街道", "--db", db_url]) == 1
    assert "应写成 区县/单位" in capsys.readouterr().err


def test_unit_account_history_lists_the_batches_of_its_units(engine, db_url, tmp_path, capsys):
    store(engine, activities_xlsx(tmp_path / "东关.xlsx", [(EAST, "2026-03-02", 30)]))
    store(engine, activities_xlsx(tmp_path / "西关.xlsx", [(WEST, "2026-03-05", 45)]))
    store(engine, activities_xlsx(tmp_path / "两个.xlsx", [(EAST, "2026-04-02", 1), (WEST, "2026-04-02", 2)]))
    districts, units = access.history_scope(DONGGUAN)
    assert list_batches(engine, districts=districts, units=units)["id"].tolist() == [3, 1]
    accounts.create_user(engine, SYSTEM, "dg", "init-pass-99", "filler", units=[("青山区", EAST)])
    assert main(["batches", "list", "--json", "--user", "dg", "--db", db_url]) == 0
    assert [b["file_name"] for b in json.loads(capsys.readouterr().out)] == ["两个.xlsx", "东关.xlsx"]


def test_unit_account_sees_only_its_units_volunteer_names():
    from analytics.present.views import volunteer_list

    people = pd.DataFrame({"volunteer_id": ["V1", "V2", "V3"], "name": ["甲", "乙", "丙"],
                           "district": ["青山区", "青山区", "临江区"], "unit": [EAST, WEST, "x"],
                           "hours": [30.0, 20.0, 10.0], "label": ["", "", ""]})
    names = (lambda reader: volunteer_list(people, reader=reader)["姓名"].tolist())
    assert names(DONGGUAN) == ["甲"]
    assert names(User("z", "filler", frozenset({"青山区"}))) == ["甲", "乙", "丙"]
    assert names(User("v", "viewer", frozenset({"临江区"}))) == ["丙"]
    assert names(None) == ["甲", "乙", "丙"]       # no reader given: the page always gives one


# --- the preview and 报送情况 -----------------------------------------------------------------

def test_preview_lists_added_replaced_and_refused_units(engine, tmp_path):
    from analytics.ingest.check import check_file

    store(engine, activities_xlsx(tmp_path / "东关.xlsx", [(EAST, "2026-03-02", 30)]))
    path = activities_xlsx(tmp_path / "三个.xlsx", [(EAST, "2026-03-02", 31), (WEST, "2026-03-03", 4),
                                                   (WEST, "2026-04-03", 5), (SOUTH, "2026-03-04", 6)])
    checked = check_file(path, filename=path.name, today=date(2026, 12, 1), isolate=False)
    actor = User("ew", "filler", units=frozenset({("青山区", EAST), ("青山区", WEST)}))
    table = upload_plan_table(preview_file(engine, checked, actor))
    assert table[["单位", "期间", "行数", "处理"]].values.tolist() == [
        [SOUTH, "2026-03", 1, "无权导入，不导入"],
        [EAST, "2026-03", 1, "替换（现为批次 #1）"],
        [WEST, "2026-03", 1, "新增"],
        [WEST, "2026-04", 1, "新增"]]
    assert refused_names(preview_file(engine, checked, actor), actor) == [f"青山区 {SOUTH}"]
    # what the preview promised is what the store does
    [result] = store_checked(engine, checked, actor=actor, replace=True, skip_bad_rows=True)
    assert (result.replaced, result.rows_stored, result.rows_rejected) == ([1], 3, 1)


def test_reporting_status_from_earlier_months_and_the_unit_list(engine, tmp_path):
    units_csv = tmp_path / "units.csv"
    units_csv.write_text("district,unit,expected\n青山区,第一中学团委,是\n青山区,南关街道团工委,否\n",
                         encoding="utf-8")
    store(engine, activities_xlsx(tmp_path / "2月.xlsx", [(EAST, "2026-02-02", 1), (WEST, "2026-02-02", 1),
                                                        (SOUTH, "2026-02-02", 1)]))
    store(engine, study_xlsx(tmp_path / "2月学习.xlsx", "2026-02", [(EAST, 10, 9)]))
    store(engine, activities_xlsx(tmp_path / "3月东关.xlsx", [(EAST, "2026-03-02", 30)]))
    scopes = reporting_scopes(engine)
    status = reporting.reporting_status(scopes, reporting.unit_list(units_csv), month="2026-03")
    table = reporting_table(status)
    assert table[["单位", "活动台账", "青年大学习", "状态", "名单内"]].values.tolist() == [
        # 南关 is off the list (expected = 否); 第一中学 is listed, so both kinds are expected
        [EAST, table.iloc[0]["活动台账"], "未报", "待报送", ""],
        ["第一中学团委", "未报", "未报", "待报送", "是"],
        [WEST, "未报", "—", "待报送", ""]]
    assert table.iloc[0]["活动台账"].startswith("已报 #3（system，")
    progress = progress_table(reporting.reporting_progress(status))
    assert progress[["区县", "应报单位", "已报单位", "报齐单位", "活动台账", "青年大学习", "尚未报送"]
                    ].values.tolist() == [["青山区", 3, 1, 0, "1/3", "0/2",
                                           f"第一中学团委、{WEST}"]]
    assert set(progress["月份"]) == {"2026年3月"}


# --- an existing database ------------------------------------------------------------------

def test_pre_alembic_scopes_become_unit_scopes_replaced_and_rolled_back_exactly(tmp_path):
    import shutil

    path = tmp_path / "league.db"
    shutil.copy(ROOT / "tests" / "fixtures" / "league_pre_alembic.db", path)
    engine = get_engine(f"sqlite:///{path}")
    s, acts = tables.batch_scopes, tables.activities
    with engine.connect() as conn:
        qs_batch = conn.execute(select(s.c.batch_id).where(
            s.c.kind == "activities", s.c.district == "青山区")).scalars().first()
        units = sorted(conn.execute(select(acts.c.unit).distinct().where(
            acts.c.batch_id == qs_batch)).scalars())
        scoped = sorted(conn.execute(select(s.c.unit).where(s.c.batch_id == qs_batch)).scalars())
        targets = conn.execute(select(s.c.unit).where(s.c.kind == "targets")).scalars().all()
    assert scoped == units and len(units) > 1          # one scope per unit of the old batch
    assert set(targets) == {""}                        # targets keep their district scope
    before = load_frames(engine)["activities"]
    qs = before[before["district"] == "青山区"]
    unit = units[0]
    month = sorted(qs["month"].unique())[-1]
    day = f"{month}-01"
    fixed = activities_xlsx(tmp_path / "更正.xlsx", [(unit, day, 1)])
    with pytest.raises(ScopeConflict, match=f"青山区 {month} {unit} 的活动台账已导入（批次 #{qs_batch}）"):
        store(engine, fixed)
    [result] = store(engine, fixed, replace=True)
    assert result.replaced == [qs_batch]
    after = load_frames(engine)["activities"]
    others = after[(after["district"] == "青山区") & (after["unit"] != unit)]
    assert int(others["participants"].sum()) == int(qs.loc[qs["unit"] != unit, "participants"].sum())
    assert after.loc[(after["district"] == "青山区") & (after["unit"] == unit),
                     "participants"].tolist() == [1]
    assert rollback_batch(engine, result.batch_id, actor=SYSTEM) == [qs_batch]
    restored = load_frames(engine)["activities"]
    key = ["district", "unit", "title", "date", "participants"]
    assert restored.sort_values(key)[key].reset_index(drop=True).equals(
        before.sort_values(key)[key].reset_index(drop=True))
    assert json.loads(accounts.list_users(engine).to_json(orient="records"))[0]["units"] == ""
    engine.dispose()


def test_district_scopes_at_0002_are_split_per_unit_on_upgrade(db_url):
    """The data step of 0003_unit_scopes on both backends: a replaced and an active scope."""
    from alembic import command
    from sqlalchemy import text

    from analytics.store.engine import alembic_config

    engine = get_engine(db_url, upgrade=False)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0002")
        conn.execute(text(
            "INSERT INTO batches (id, kind, districts, periods, file_name, sheet, sha256, username,"
            " created_at, rows_accepted, rows_rejected, rejected_json, status, is_sample) VALUES"
            " (1, 'activities', '青山区', '2026-03', 'a.xlsx', 's', 'a', 'system', :t, 2, 0, '[]',"
            "  'replaced', false),"
            " (2, 'activities', '青山区', '2026-03', 'b.xlsx', 's', 'b', 'system', :t, 2, 0, '[]',"
            "  'active', false)"), {"t": "2026-04-01 10:00:00"})
        conn.execute(text(
            "INSERT INTO batch_scopes (batch_id, kind, district, period, active, replaced_by) VALUES"
            " (1, 'activities', '青山区', '2026-03', false, 2),"
            " (2, 'activities', '青山区', '2026-03', true, NULL)"))
        for batch, active, replaced_by, people in ((1, False, 2, 1), (2, True, None, 10)):
            for unit in (EAST, WEST):
                conn.execute(text(
                    "INSERT INTO activities (batch_id, active, replaced_by, date, month, district,"
                    " unit, title, category, sessions, participants) VALUES (:b, :a, :r,"
                    " '2026-03-02', '2026-03', '青山区', :u, 't', '志愿服务', 1, :p)"),
                    {"b": batch, "a": active, "r": replaced_by, "u": unit, "p": people})
    engine.dispose()
    engine = get_engine(db_url)
    s = tables.batch_scopes
    with engine.connect() as conn:
        rows = conn.execute(select(s.c.batch_id, s.c.unit, s.c.active, s.c.replaced_by)
                            .order_by(s.c.batch_id, s.c.unit)).all()
    assert sorted(tuple(r) for r in rows) == sorted([(1, EAST, False, 2), (1, WEST, False, 2),
                                                     (2, EAST, True, None), (2, WEST, True, None)])
    assert rollback_batch(engine, 2, actor=SYSTEM) == [1]
    assert participants(engine) == {("2026-03", EAST): 1, ("2026-03", WEST): 1}
    engine.dispose()


def test_history_and_audit_name_the_units_of_a_batch(engine, tmp_path):
    from analytics.present.admin_tables import batch_choice_text, batches_table, visible_audit
    from analytics.store.audit import read_audit

    store(engine, activities_xlsx(tmp_path / "西关.xlsx", [(WEST, "2026-03-05", 45)]))
    store(engine, activities_xlsx(tmp_path / "四个.xlsx", [(EAST, "2026-03-02", 1), (WEST, "2026-04-02", 2),
                                                        (SOUTH, "2026-04-02", 3),
                                                        ("北关街道团工委", "2026-04-02", 4)]))
    batches = list_batches(engine, with_units=True)
    table = batches_table(batches)
    assert table["单位"].tolist() == ["东关街道团工委、北关街道团工委、南关街道团工委 等 4 个", WEST]
    assert batch_choice_text(batches, 1) == (f"批次 #1：活动台账 青山区 {WEST} 2026-03"
                                             "（西关.xlsx，有效）")
    # a unit account reads the audit entries of batches touching its unit, not the others
    seen = visible_audit(read_audit(engine), batches, DONGGUAN)
    assert seen["batch_id"].tolist() == [2]


def test_0003_downgrades_to_district_scopes(db_url, tmp_path):
    from alembic import command
    from sqlalchemy import inspect

    from analytics.store.engine import alembic_config

    engine = get_engine(db_url)
    store(engine, activities_xlsx(tmp_path / "两个.xlsx", [(EAST, "2026-03-02", 1), (WEST, "2026-03-02", 2)]))
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0002")
    with engine.connect() as conn:
        assert "unit" not in {c["name"] for c in inspect(conn).get_columns("batch_scopes")}
        assert "units" not in {c["name"] for c in inspect(conn).get_columns("users")}
        assert conn.exec_driver_sql("SELECT batch_id, district, period FROM batch_scopes"
                                    ).all() == [(1, "青山区", "2026-03")]
    engine.dispose()
    engine = get_engine(db_url)              # and up again: the scope splits per unit once more
    with engine.connect() as conn:
        assert sorted(conn.execute(select(tables.batch_scopes.c.unit)).scalars()) == [EAST, WEST]
    engine.dispose()


def test_reporting_command(engine, db_url, tmp_path, capsys):
    assert main(["reporting", "--db", db_url]) == 0
    assert capsys.readouterr().out == "还没有各基层团组织的报送记录。\n"
    store(engine, activities_xlsx(tmp_path / "2月.xlsx", [(EAST, "2026-02-02", 1), (WEST, "2026-02-02", 1)]))
    store(engine, activities_xlsx(tmp_path / "3月.xlsx", [(EAST, "2026-03-02", 30)]))
    assert main(["reporting", "--district", "青山区", "--json", "--db", db_url]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [(r["unit"], r["month"], r["reported"], r["batch_id"], r["username"]) for r in records] == [
        (EAST, "2026-03", True, 2, "system"), (WEST, "2026-03", False, None, None)]
    assert main(["reporting", "--month", "2026年3月", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2026-03 报送进度\n") and f"{WEST}" in out and "未报" in out
    assert main(["reporting", "--month", "2026-13", "--db", db_url]) == 2
    assert "--month “2026-13” 不正确" in capsys.readouterr().err
