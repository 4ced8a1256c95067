"""The command line honours the data folder's memory like the web app: it never creates an
empty database where the folder remembers one, and never writes into a replaced one."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.store import identity
from analytics.store.engine import get_engine
from tests.test_cli_store import activities_file

ROOT = Path(__file__).resolve().parent.parent
GONE = "不见了（被删除或移动）。为避免数据丢失，看板不会新建空数据库。"
REPLACED = "已被替换，不是看板上次使用的数据库"

pytestmark = pytest.mark.subprocess


def _cli(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`python -m analytics ARGS` run from `folder`: its data/ is the default data folder."""
    clean = {k: v for k, v in os.environ.items() if k not in ("LEAGUE_DB_URL", "LEAGUE_DATA_DIR")}
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=folder,
                          env={**clean, "PYTHONPATH": str(ROOT), **env},
                          capture_output=True, text=True, timeout=300)


def _memory(folder: Path) -> dict:
    return json.loads((folder / identity.MEMORY_FILE).read_text(encoding="utf-8"))


def test_sample_on_a_new_folder_then_the_deleted_database_is_not_recreated(tmp_path):
    done = _cli(tmp_path, "sample")
    assert done.returncode == 0, done.stderr
    database = tmp_path / "data" / "league.db"
    assert list(_memory(tmp_path / "data")) == [str(database)]
    os.remove(database)
    for command in (["indicators", "--year", "2026"], ["batches", "list"], ["users", "list"],
                    ["import", str(activities_file(tmp_path / "a.xlsx"))], ["sample"],
                    ["db", "current"], ["db", "upgrade"],
                    ["batches", "list", "--db", f"sqlite:///{database}"]):
        done = _cli(tmp_path, *command)
        assert (done.returncode, done.stdout) == (2, ""), command
        assert done.stderr == (f"错误：数据库文件 {database} {GONE}请从备份恢复数据库文件后重启；"
                               "如确实要从空数据库重新开始，请先删除数据文件夹中的 databases.json。\n"), command
        assert not database.exists(), command


def test_a_database_replaced_at_the_remembered_path_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    data = tmp_path / "data"
    assert _cli(tmp_path, "users", "list", LEAGUE_DB_URL=url, LEAGUE_DATA_DIR=str(data)).returncode == 0
    assert list(_memory(data)) == [str(tmp_path / "app.db")]
    os.remove(tmp_path / "app.db")
    get_engine(url).dispose()                   # a fresh, empty database at the same path
    done = _cli(tmp_path, "import", str(activities_file(tmp_path / "a.xlsx")),
                LEAGUE_DB_URL=url, LEAGUE_DATA_DIR=str(data))
    assert done.returncode == 2 and REPLACED in done.stderr and "Traceback" not in done.stderr


def test_explicit_new_databases_keep_working_and_are_not_adopted(tmp_path):
    """`--db` to a path the folder never saw works (tests' temp databases, a demo copy)."""
    assert _cli(tmp_path, "users", "list").returncode == 0       # the folder's own database
    own = _memory(tmp_path / "data")
    other = tmp_path / "demo" / "other.db"
    done = _cli(tmp_path, "import", str(activities_file(tmp_path / "a.xlsx")),
                "--db", f"sqlite:///{other}")
    assert (done.returncode, done.stdout) == (0, "a.xlsx [活动台账]：已导入活动台账 2 行（批次 #1）\n")
    assert _memory(tmp_path / "data") == own
    os.remove(other)        # a throwaway database the folder never adopted: made anew on request
    assert _cli(tmp_path, "batches", "list", "--db", f"sqlite:///{other}").returncode == 0
