"""Storing checked files: batches, duplicates, scope conflicts, replace, permissions,
reading back — on SQLite and on a real PostgreSQL server."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import select

from analytics import schema
from analytics.store import tables
from analytics.access import SYSTEM, User
from analytics.store.engine import get_engine
from analytics.errors import PermissionDenied, RowsRejected, ScopeConflict
from analytics.store.engine import data_version, head_revision
from analytics.store.frames import load_frames
from analytics.store.batches import find_conflicts, has_data, list_batches, store_checked
from tests import store_helpers as h

FILLER = User("zhang", "filler", frozenset({"青山区"}))


def totals(engine) -> dict[str, int]:
    frames = load_frames(engine)
    return {"participants": int(frames["activities"]["participants"].sum()),
            "learners": int(frames["study"]["learners"].sum()),
            "hours": float(frames["volunteer"]["hours"].sum()),
            "targets": len(frames["targets"])}


def test_schema_is_created_once_and_versioned(db_url):
    first = get_engine(db_url)
    second = get_engine(db_url)          # an up-to-date schema is left alone
    with second.connect() as conn:
        versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    assert versions == [head_revision()]
    assert data_version(first) == 0 and has_data(first) is False
    first.dispose(), second.dispose()


def test_default_sqlite_file_is_created_with_its_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEAGUE_DB_URL", raising=False)
    engine = get_engine()
    assert (tmp_path / "data" / "league.db").exists()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    engine.dispose()


def test_env_url_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAGUE_DB_URL", f"sqlite:///{tmp_path}/env.db")
    get_engine().dispose()
    assert (tmp_path / "env.db").exists()


def test_store_round_trip_keeps_canonical_dtypes(engine):
    file = h.checked("青山区_2026-03.xlsx",
                     ("activities", h.activities("青山区", "2026-03", n=3, participants=10)),
                     ("study", h.study("青山区", "2026-03", [("一中", 10, 10), ("二中", 100, 90)])),
                     ("volunteer", h.volunteer("青山区", "2026-03", [1.5, 2.0], ids=["QS-1", None])))
    results = store_checked(engine, file, actor=SYSTEM)
    assert [(r.kind, r.status, r.batch_id, r.rows_stored) for r in results] == [
        ("activities", "stored", 1, 3), ("study", "stored", 2, 2), ("volunteer", "stored", 3, 2)]
    assert results[0].message == "已导入活动台账 3 行（批次 #1）"
    frames = load_frames(engine, years=[2026])
    acts = frames["activities"]
    assert list(acts.columns) == list(schema.KINDS["activities"].columns)
    assert acts["date"].dtype == "datetime64[ns]"
    assert acts["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert str(acts["participants"].dtype) == "int64"
    assert str(acts["volunteers"].dtype) == "Int64" and acts["reached"].isna().all()
    assert acts["funds"].isna().all() and acts["service_hours"].tolist() == [1.5, 1.5, 1.5]
    assert frames["study"]["learners"].tolist() == [10, 90]
    vol = frames["volunteer"]
    assert vol["volunteer_id"].tolist() == ["QS-1", None]
    assert vol["person_key"].tolist() == ["id:QS-1", "name:志愿者1|单位0"]
    assert load_frames(engine, years=[2025])["activities"].empty
    assert data_version(engine) == 1 and has_data(engine)


def test_same_file_twice_is_a_noop_that_says_so(engine):
    file = h.checked("a.xlsx", ("activities", h.activities("青山区", "2026-03")))
    store_checked(engine, file, actor=SYSTEM)
    version = data_version(engine)
    again = store_checked(engine, file, actor=SYSTEM)
    assert [(r.status, r.batch_id, r.message) for r in again] == [
        ("duplicate", 1, "文件已导入过（批次 #1），未重复导入")]
    assert totals(engine)["participants"] == 30
    assert data_version(engine) == version
    assert len(list_batches(engine)) == 1


def test_stored_scope_is_refused_without_replace(engine):
    store_checked(engine, h.checked("a.xlsx", ("activities", h.activities("青山区", "2026-03"))),
                  actor=SYSTEM)
    newer = h.checked("b.xlsx", ("activities", h.activities("青山区", "2026-03", n=5)))
    assert [(c.kind, c.district, c.unit, c.period, c.batch_id)
            for c in find_conflicts(engine, newer)] == [
        ("activities", "青山区", f"单位{i}", "2026-03", 1) for i in range(3)]
    with pytest.raises(ScopeConflict) as err:
        store_checked(engine, newer, actor=SYSTEM)
    assert str(err.value) == ("青山区 2026-03 单位0、单位1、单位2 的活动台账已导入（批次 #1）；"
                              "如需替换原数据，请勾选“确认替换”（命令行加 --replace），只替换这些单位")
    assert totals(engine)["participants"] == 30


def test_replace_swaps_rows_in_one_go(engine):
    store_checked(engine, h.checked("a.xlsx", ("activities", h.activities("青山区", "2026-03"))),
                  actor=SYSTEM)
    store_checked(engine, h.checked("b.xlsx", ("activities", h.activities("临江区", "2026-03"))),
                  actor=SYSTEM)
    newer = h.checked("a2.xlsx", ("activities", h.activities("青山区", "2026-03", n=5, participants=7)))
    [result] = store_checked(engine, newer, actor=SYSTEM, replace=True)
    assert (result.status, result.batch_id, result.replaced) == ("replaced", 3, [1])
    acts = load_frames(engine)["activities"]
    assert acts.groupby("district")["participants"].sum().to_dict() == {"临江区": 30, "青山区": 35}
    assert list_batches(engine)[["id", "status"]].values.tolist() == [
        [3, "active"], [2, "active"], [1, "replaced"]]


def test_partial_replace_keeps_the_other_months_of_a_batch(engine):
    two_months = pd.concat([h.activities("青山区", "2026-03"), h.activities("青山区", "2026-04")],
                           ignore_index=True)
    store_checked(engine, h.checked("q.xlsx", ("activities", two_months)), actor=SYSTEM)
    march = h.checked("m.xlsx", ("activities", h.activities("青山区", "2026-03", n=1, participants=1)))
    store_checked(engine, march, actor=SYSTEM, replace=True)
    acts = load_frames(engine)["activities"]
    # only 单位0's March is replaced: 单位1 and 单位2 keep their 10 each, April stays whole
    assert acts.groupby("month")["participants"].sum().to_dict() == {"2026-03": 21, "2026-04": 30}
    assert list_batches(engine)[["id", "status", "periods"]].values.tolist() == [
        [2, "active", "2026-03"], [1, "active", "2026-03|2026-04"]]


def test_rejected_rows_store_nothing_unless_skipped(engine):
    file = h.checked("bad.xlsx", ("activities", h.activities("青山区", "2026-03")), rejected=2)
    with pytest.raises(RowsRejected, match="文件中有 2 行未通过检查"):
        store_checked(engine, file, actor=SYSTEM)
    assert totals(engine)["participants"] == 0 and not has_data(engine)
    [result] = store_checked(engine, file, actor=SYSTEM, skip_bad_rows=True)
    assert (result.rows_stored, result.rows_rejected) == (3, 2)
    with engine.connect() as conn:
        kept = conn.execute(select(tables.batches.c.rejected_json)).scalar()
    assert [r["row"] for r in json.loads(kept)] == [100, 101]
    # the same file again, without the flag: it is already there, not "rejected"
    assert [r.status for r in store_checked(engine, file, actor=SYSTEM)] == ["duplicate"]


def test_rows_of_districts_the_filler_may_not_touch_are_rejected(engine):
    both = pd.concat([h.activities("青山区", "2026-03"), h.activities("临江区", "2026-03", n=2)],
                     ignore_index=True)
    file = h.checked("mixed.xlsx", ("activities", both))
    with pytest.raises(RowsRejected, match="其中无权导入 临江区 的数据"):
        store_checked(engine, file, actor=FILLER)
    [result] = store_checked(engine, file, actor=FILLER, skip_bad_rows=True)
    assert (result.rows_stored, result.rows_rejected, result.scopes) == (
        3, 2, [("青山区", f"单位{i}", "2026-03") for i in range(3)])
    with engine.connect() as conn:
        rejected = json.loads(conn.execute(select(tables.batches.c.rejected_json)).scalar())
    # the same shape as the loader's rejected rows: {"row", "values", "errors": ["列：说明"]}
    assert rejected[0]["errors"] == ["区：无权导入 临江区 的数据"]
    assert rejected[0]["values"]["区"] == "临江区"
    assert set(load_frames(engine)["activities"]["district"]) == {"青山区"}


def test_filler_cannot_store_only_other_districts(engine):
    file = h.checked("lj.xlsx", ("activities", h.activities("临江区", "2026-03")))
    with pytest.raises(PermissionDenied, match="无权导入 临江区 的数据"):
        store_checked(engine, file, actor=FILLER, skip_bad_rows=True)
    with pytest.raises(PermissionDenied, match="请先登录"):
        store_checked(engine, file, actor=None)
    assert not has_data(engine)


def test_targets_store_per_district_year_and_replace(engine):
    file = h.checked("targets_2026.xlsx", ("targets", h.targets(2026, [
        ("全部", "study_rate", 0.95), ("青山区", "study_learners", 100000.0),
        ("临江区", "study_learners", 80000.0)])))
    [result] = store_checked(engine, file, actor=SYSTEM)
    assert result.scopes == [("临江区", "", "2026"), ("全部", "", "2026"), ("青山区", "", "2026")]
    newer = h.checked("t2.xlsx", ("targets", h.targets(2026, [("青山区", "study_learners", 120000.0)])))
    with pytest.raises(ScopeConflict, match="青山区 2026 的年度目标已导入（批次 #1）"):
        store_checked(engine, newer, actor=SYSTEM)
    store_checked(engine, newer, actor=SYSTEM, replace=True)
    got = load_frames(engine, years=[2026])["targets"].sort_values("district")
    assert got[["district", "indicator", "value"]].values.tolist() == [
        ["临江区", "study_learners", 80000.0], ["全部", "study_rate", 0.95],
        ["青山区", "study_learners", 120000.0]]
    assert str(got["year"].dtype) == "int64"
    assert load_frames(engine, years=[2025])["targets"].empty


def test_load_frames_filters_districts_and_sees_new_data(engine):
    store_checked(engine, h.checked("a.xlsx", ("activities", h.activities("青山区", "2026-03"))),
                  actor=SYSTEM)
    assert len(load_frames(engine, districts=["临江区"])["activities"]) == 0
    first = load_frames(engine, years=[2026])
    first["activities"].loc[:, "participants"] = 0      # callers can't spoil the cache
    store_checked(engine, h.checked("b.xlsx", ("activities", h.activities("临江区", "2026-03"))),
                  actor=SYSTEM)
    assert load_frames(engine, years=[2026])["activities"]["participants"].sum() == 60


def test_bulk_insert_path_round_trips(engine):
    """2,500 rows: above the COPY threshold on PostgreSQL, several chunks on SQLite."""
    n = 2500
    hours = [1.0 + (i % 8) for i in range(n)]
    ids = [None if i % 10 == 0 else f"QS-{i:06d}" for i in range(n)]
    frame = h.volunteer("青山区", "2026-05", hours, ids=ids)
    [result] = store_checked(engine, h.checked("big.xlsx", ("volunteer", frame)), actor=SYSTEM)
    assert result.rows_stored == 2500
    got = load_frames(engine, years=[2026])["volunteer"].sort_values("source_row")
    assert got["hours"].sum() == sum(hours) == 11242.0
    assert got["volunteer_id"].isna().sum() == 250
    assert got["project"].isna().all()
    assert got["date"].dt.day.tolist()[:3] == [1, 2, 3]
    assert got["person_key"].tolist()[:2] == ["name:志愿者0|单位0", "id:QS-000001"]
    assert got["source_row"].tolist() == list(range(2, 2502))


def test_two_sheets_of_one_file_may_not_hold_the_same_scope(engine):
    file = h.checked("twice.xlsx", ("activities", h.activities("青山区", "2026-03")),
                     ("activities", h.activities("青山区", "2026-03", n=1)))
    file.sheets[1].sheet = "活动台账(2)"
    with pytest.raises(ScopeConflict, match="工作表“活动台账”和“活动台账\\(2\\)”都含有 青山区 2026-03"):
        store_checked(engine, file, actor=SYSTEM)
    assert not has_data(engine)
