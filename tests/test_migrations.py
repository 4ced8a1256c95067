"""Alembic migrations: an empty database, a database made before alembic, `db upgrade`."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from analytics.cli.main import main
from analytics.store import accounts, tables
from analytics.store.engine import current_revision, get_engine, head_revision
from analytics.store.frames import load_frames

ROOT = Path(__file__).resolve().parent.parent
# made by the code before alembic (schema_version 1): 2026-03 of six sample districts, 2026 targets,
# and a 填报员 zhang whose password is 团委初始密码123
PRE_ALEMBIC_DB = ROOT / "tests" / "fixtures" / "league_pre_alembic.db"


def schema_differences(engine) -> list:
    """What alembic's autogenerate finds between the database and `tables.metadata`."""
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), tables.metadata)


def test_empty_database_is_created_at_head_and_matches_the_tables(db_url):
    engine = get_engine(db_url)
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        assert not conn.dialect.has_table(conn, "schema_version")
        assert conn.exec_driver_sql("SELECT value FROM counters WHERE name = 'data_version'"
                                    ).scalar() == 0
    assert schema_differences(engine) == []
    engine.dispose()


def test_database_made_before_alembic_is_upgraded_with_its_data(tmp_path):
    path = tmp_path / "league.db"
    shutil.copy(PRE_ALEMBIC_DB, path)
    engine = get_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
    assert schema_differences(engine) == []
    frames = load_frames(engine)
    assert len(frames["volunteer"]) == 1203
    assert int(frames["activities"]["participants"].sum()) > 0
    assert sorted(frames["activities"]["district"].unique()) == ["东湖区", "临江区", "北岭区",
                                                                "南湾区", "西桥区", "青山区"]
    assert accounts.login(engine, "zhang", "团委初始密码123").districts == frozenset({"青山区"})
    engine.dispose()


def test_the_fixture_really_is_a_pre_alembic_database():
    with sqlite3.connect(PRE_ALEMBIC_DB) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "schema_version" in names and "alembic_version" not in names
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(1,)]


def test_db_upgrade_and_current_commands(tmp_path, capsys):
    path = tmp_path / "league.db"
    shutil.copy(PRE_ALEMBIC_DB, path)
    url = f"sqlite:///{path}"
    assert main(["db", "current", "--db", url]) == 0
    assert "旧版" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", url]) == 0
    assert capsys.readouterr().out.strip() == f"数据库已从 旧版（启用迁移之前建立的数据库） 升级到 {head_revision()}。"
    assert main(["db", "upgrade", "--db", url]) == 0
    assert "无需升级" in capsys.readouterr().out
    assert main(["db", "current", "--db", url]) == 0
    assert "已是最新" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.subprocess
def test_two_processes_starting_together_upgrade_once(tmp_path):
    url = f"sqlite:///{tmp_path}/league.db"
    code = "import sys; from analytics.store.engine import get_engine; get_engine(sys.argv[1])"
    procs = [subprocess.Popen([sys.executable, "-c", code, url], cwd=ROOT,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    engine = get_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM alembic_version").scalar() == 1
        assert conn.exec_driver_sql("SELECT name FROM counters ORDER BY name").scalars().all() \
            == ["data_version", "database_id"]
    engine.dispose()
