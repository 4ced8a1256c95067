"""Faults: concurrent imports of one scope, readers during an import, a process
killed mid-import (real SIGKILL) and an exception mid-import — SQLite and PostgreSQL.

A real child process stores a file with the test-only hook
LEAGUE_TEST_FAULT=sleep:S:MARKER, which pauses inside the transaction after
half of the rows are inserted and writes MARKER so the test knows it is there.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import analytics.store.engine
from analytics.access import SYSTEM
from analytics.store.engine import get_engine
from analytics.errors import ConcurrentImport, ScopeConflict
from analytics.store.engine import data_version
from analytics.store.frames import load_frames
from analytics.store.batches import list_batches, store_checked
from tests import store_helpers as h

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import sys
from analytics.access import SYSTEM
from analytics.store.engine import get_engine
from analytics.store.batches import store_checked
from tests import store_helpers as h
url, n, replace = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
file = h.checked("child.xlsx", ("activities", h.activities("青山区", "2026-03", n=n, participants=7)))
print(store_checked(get_engine(url), file, actor=SYSTEM, replace=replace)[0].status)
"""


def start_child(url: str, marker: Path, *, seconds: float, n: int = 40,
                replace: bool = False) -> subprocess.Popen:
    env = {**os.environ, "LEAGUE_TEST_FAULT": f"sleep:{seconds}:{marker}"}
    child = subprocess.Popen([sys.executable, "-c", CHILD, url, str(n), "1" if replace else "0"],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    deadline = time.monotonic() + 30
    while not marker.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            pytest.fail(f"child never reached the half-way point: {child.communicate()}")
        time.sleep(0.05)
    return child


def participants(engine) -> int:
    return int(load_frames(engine)["activities"]["participants"].sum())


def first_version(engine) -> None:
    store_checked(engine, h.checked("first.xlsx", ("activities", h.activities("青山区", "2026-03"))),
                  actor=SYSTEM)


def test_killed_import_leaves_no_partial_rows(engine, db_url, tmp_path):
    first_version(engine)
    child = start_child(db_url, tmp_path / "half", seconds=60, replace=True)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    engine.dispose()
    assert participants(engine) == 30                      # old data intact, no half rows
    assert list_batches(engine)["id"].tolist() == [1]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM activities").scalar() == 3
    # the lock died with the process: the next import goes through
    newer = h.checked("again.xlsx", ("activities", h.activities("青山区", "2026-03", participants=5)))
    assert store_checked(engine, newer, actor=SYSTEM, replace=True)[0].status == "replaced"
    assert participants(engine) == 15


def test_reader_sees_all_old_then_all_new(engine, db_url, tmp_path):
    first_version(engine)
    version = data_version(engine)
    child = start_child(db_url, tmp_path / "half", seconds=1.5, n=40, replace=True)
    assert participants(engine) == 30                      # mid-import: all old
    assert data_version(engine) == version
    out, err = child.communicate(timeout=60)
    assert (child.returncode, out.strip()) == (0, "replaced"), err
    assert participants(engine) == 280                     # after: all new (40 × 7)


def test_a_reader_sees_one_state_across_kinds(engine, monkeypatch):
    """A file of two sheets commits between the reader's activities and study reads."""
    import analytics.store.frames as stored_frames

    real = stored_frames._read_kind
    both = h.checked("two.xlsx", ("activities", h.activities("青山区", "2026-03")),
                     ("study", h.study("青山区", "2026-03", [("一中", 10, 9)])))

    def read_then_import(conn, kind, *args, **kwargs):
        frame = real(conn, kind, *args, **kwargs)
        if kind == "activities":
            store_checked(engine, both, actor=SYSTEM)
        return frame

    monkeypatch.setattr(stored_frames, "_read_kind", read_then_import)
    frames = load_frames(engine)
    assert (len(frames["activities"]), len(frames["study"])) == (0, 0)      # all old
    monkeypatch.undo()
    frames = load_frames(engine)
    assert (len(frames["activities"]), len(frames["study"])) == (3, 1)      # then all new


def test_concurrent_import_of_one_scope_one_wins(engine, db_url, tmp_path):
    child = start_child(db_url, tmp_path / "half", seconds=1.5, n=40)
    rival = h.checked("rival.xlsx", ("activities", h.activities("青山区", "2026-03", n=2)))
    with pytest.raises(ScopeConflict, match=r"青山区 2026-03 单位0、单位1 的活动台账已导入（批次 #1）"):
        store_checked(engine, rival, actor=SYSTEM)         # waits for the child, then refused
    out, err = child.communicate(timeout=60)
    assert (child.returncode, out.strip()) == (0, "stored"), err
    assert participants(engine) == 280
    assert list_batches(engine)["file_name"].tolist() == ["child.xlsx"]


def test_writer_that_waits_too_long_gets_a_clear_message(db_url, tmp_path, monkeypatch):
    monkeypatch.setattr(analytics.store.engine, "SQLITE_BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(analytics.store.engine, "PG_LOCK_TIMEOUT", "300ms")
    engine = get_engine(db_url)
    child = start_child(db_url, tmp_path / "half", seconds=4, n=40)
    rival = h.checked("rival.xlsx", ("activities", h.activities("青山区", "2026-04", n=2)))
    with pytest.raises(ConcurrentImport, match="另一个导入或撤销正在进行，请稍后再试"):
        store_checked(engine, rival, actor=SYSTEM)
    child.communicate(timeout=60)
    assert list_batches(engine)["file_name"].tolist() == ["child.xlsx"]
    engine.dispose()


@pytest.mark.parametrize("replace", [False, True])
def test_exception_mid_import_stores_nothing(engine, monkeypatch, replace):
    first_version(engine)
    version = data_version(engine)
    monkeypatch.setenv("LEAGUE_TEST_FAULT", "raise")
    month = "2026-03" if replace else "2026-05"   # replace: the stored month; else a new one
    file = h.checked("broken.xlsx", ("activities", h.activities("青山区", month, n=40)),
                     ("study", h.study("青山区", "2026-04", [("一中", 10, 9)])))
    with pytest.raises(RuntimeError, match="injected fault"):
        store_checked(engine, file, actor=SYSTEM, replace=replace)
    monkeypatch.delenv("LEAGUE_TEST_FAULT")
    assert participants(engine) == 30
    assert load_frames(engine)["study"].empty
    assert list_batches(engine)[["id", "status"]].values.tolist() == [[1, "active"]]
    assert data_version(engine) == version
