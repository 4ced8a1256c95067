"""Batches: listing, rollback (restoring what a batch replaced), the audit log,
the data version and clearing sample data — on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from analytics.store.audit import read_audit
from analytics.access import SYSTEM, User
from analytics.errors import AlreadyRolledBack, NotFound, PermissionDenied
from analytics.store.batches import (
    clear_sample, has_data, has_sample, list_batches, rollback_batch, store_checked,
)
from analytics.store.engine import data_version
from analytics.store.frames import load_frames
from tests import store_helpers as h

FILLER = User("zhang", "filler", frozenset({"青山区"}))


def participants(engine) -> dict[str, int]:
    acts = load_frames(engine)["activities"]
    return {k: int(v) for k, v in acts.groupby("district")["participants"].sum().items()}


def store(engine, name, district, n, *, replace=False, actor=SYSTEM, sample=False):
    file = h.checked(name, ("activities", h.activities(district, "2026-03", n=n)))
    [result] = store_checked(engine, file, actor=actor, replace=replace, is_sample=sample)
    return result.batch_id


def statuses(engine) -> list[list]:
    return list_batches(engine)[["id", "status"]].values.tolist()


def test_rollback_restores_what_the_batch_replaced(engine):
    store(engine, "v1.xlsx", "青山区", 1)
    store(engine, "v2.xlsx", "青山区", 2, replace=True)
    assert participants(engine) == {"青山区": 20}
    assert rollback_batch(engine, 2, actor=SYSTEM) == [1]
    assert participants(engine) == {"青山区": 10}
    assert statuses(engine) == [[2, "rolled_back"], [1, "active"]]
    # the scope is free for batch 1 only: storing again without replace is refused
    assert store_checked(engine, h.checked("v1.xlsx", ("activities", h.activities("青山区", "2026-03", n=1))),
                         actor=SYSTEM)[0].status == "duplicate"


def test_rollback_of_the_only_batch_empties_the_scope(engine):
    store(engine, "v1.xlsx", "青山区", 1)
    assert rollback_batch(engine, 1, actor=SYSTEM) == []
    assert participants(engine) == {}
    # a rolled-back file may be imported again (it is no longer there)
    assert store(engine, "v1.xlsx", "青山区", 1) == 2


def test_rolling_back_a_middle_batch_hands_history_to_its_successor(engine):
    store(engine, "v1.xlsx", "青山区", 1)
    store(engine, "v2.xlsx", "青山区", 2, replace=True)
    store(engine, "v3.xlsx", "青山区", 3, replace=True)
    # already replaced: data unchanged, and v1 is NOT restored (it passes to v3)
    assert rollback_batch(engine, 2, actor=SYSTEM) == []
    assert participants(engine) == {"青山区": 30}
    assert statuses(engine) == [[3, "active"], [2, "rolled_back"], [1, "replaced"]]
    assert rollback_batch(engine, 3, actor=SYSTEM) == [1]   # back to v1, not the rolled-back v2
    assert participants(engine) == {"青山区": 10}
    assert statuses(engine) == [[3, "rolled_back"], [2, "rolled_back"], [1, "active"]]


@pytest.mark.parametrize("batch_id, error, message", [
    (99, NotFound, "批次 #99 不存在"),
    (1, AlreadyRolledBack, "批次 #1 已撤销过"),
])
def test_rollback_errors(engine, batch_id, error, message):
    store(engine, "v1.xlsx", "青山区", 1)
    rollback_batch(engine, 1, actor=SYSTEM)
    with pytest.raises(error, match=message):
        rollback_batch(engine, batch_id, actor=SYSTEM)


def test_filler_rolls_back_only_own_districts(engine):
    mine = store(engine, "qs.xlsx", "青山区", 1)
    theirs = store(engine, "lj.xlsx", "临江区", 1)
    with pytest.raises(PermissionDenied, match="临江区"):
        rollback_batch(engine, theirs, actor=FILLER)
    with pytest.raises(PermissionDenied, match="请先登录"):
        rollback_batch(engine, mine, actor=None)
    rollback_batch(engine, mine, actor=FILLER)
    assert participants(engine) == {"临江区": 10}


def test_audit_log_records_who_did_what(engine):
    store(engine, "v1.xlsx", "青山区", 1, actor=FILLER)
    store(engine, "v2.xlsx", "青山区", 2, replace=True, actor=FILLER)
    rollback_batch(engine, 2, actor=SYSTEM)
    log = read_audit(engine)
    assert log[["username", "action", "batch_id", "file_name"]].values.tolist() == [
        ["system", "rollback", 2, "v2.xlsx"], ["zhang", "replace", 2, "v2.xlsx"],
        ["zhang", "store", 1, "v1.xlsx"]]
    assert log["detail"].tolist() == [
        "撤销批次 #2（活动台账，v2.xlsx），恢复批次 #1",
        "活动台账：青山区 2026-03（单位0、单位1），2 行，替换批次 #1",
        "活动台账：青山区 2026-03（单位0），1 行"]
    assert log["sha256"].str.len().tolist() == [64, 64, 64]


def test_data_version_bumps_on_every_change(engine):
    seen = [data_version(engine)]
    store(engine, "v1.xlsx", "青山区", 1)
    seen.append(data_version(engine))
    store(engine, "v2.xlsx", "青山区", 2, replace=True)
    seen.append(data_version(engine))
    rollback_batch(engine, 2, actor=SYSTEM)
    seen.append(data_version(engine))
    assert seen == [0, 1, 2, 3]


def test_list_batches_columns_and_district_filter(engine):
    store(engine, "qs.xlsx", "青山区", 1)
    store(engine, "lj.xlsx", "临江区", 2)
    frame = list_batches(engine, districts=["临江区"])
    assert list(frame.columns) == ["id", "kind", "districts", "periods", "file_name", "sha256",
                                   "username", "created_at", "rows_accepted", "rows_rejected",
                                   "status"]
    assert list_batches(engine, with_units=True)["units"].tolist() == [
        [("临江区", "单位0"), ("临江区", "单位1")], [("青山区", "单位0")]]
    assert frame[["id", "kind", "districts", "periods", "file_name", "username",
                  "rows_accepted", "rows_rejected", "status"]].values.tolist() == [
        [2, "activities", "临江区", "2026-03", "lj.xlsx", "system", 2, 0, "active"]]
    assert frame["created_at"].dtype == "datetime64[ns]"
    assert list_batches(engine, limit=1)["id"].tolist() == [2]


def test_clear_sample_rolls_back_sample_batches_only(engine):
    store(engine, "sample_qs.xlsx", "青山区", 1, sample=True)
    store(engine, "sample_lj.xlsx", "临江区", 1, sample=True)
    store(engine, "real_lj.xlsx", "临江区", 3, replace=True)     # user data over a sample month
    assert has_sample(engine)
    assert clear_sample(engine, SYSTEM) == 2
    assert participants(engine) == {"临江区": 30}
    assert not has_sample(engine) and has_data(engine)
    assert rollback_batch(engine, 3, actor=SYSTEM) == []          # sample stays gone
    # nothing of the sample is left to see: not in 导入记录, not as a district
    assert list_batches(engine)["file_name"].tolist() == ["real_lj.xlsx"]


def test_after_clearing_the_whole_sample_the_database_stays_empty(engine):
    from analytics.present.admin_tables import known_districts

    store(engine, "sample_qs.xlsx", "青山区", 1, sample=True)
    assert rollback_batch(engine, 1, actor=SYSTEM) == []          # an 已撤销 sample batch
    store(engine, "sample_lj.xlsx", "临江区", 1, sample=True)
    assert clear_sample(engine, SYSTEM) == 2
    assert list_batches(engine).empty and known_districts(list_batches(engine)) == []
    assert participants(engine) == {}
    assert has_data(engine)            # the app does not load the sample again at start-up
    assert participants(engine) == {}
