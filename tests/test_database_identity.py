"""A database deleted, moved or replaced under the running app: nothing is written into
the void, and start-up never silently makes a new one where one existed before."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import access
from analytics.errors import DatabaseGone
from analytics.store import accounts, identity
from analytics.store.batches import list_batches
from analytics.store.engine import get_engine
from tests import dashboard_helpers as dh
from tests import store_helpers as sh

ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "dashboard.py")


def _store(engine, district="青山区"):
    return dh.store_frames(engine, f"{district}.xlsx",
                           ("activities", sh.activities(district, f"{dh.YEAR}-03", n=2)))


def test_a_new_database_is_remembered_in_the_data_folder(tmp_path):
    url = f"sqlite:///{tmp_path}/league.db"
    engine = identity.open_database(url, tmp_path / "data")
    memory = json.loads((tmp_path / "data" / identity.MEMORY_FILE).read_text())
    with engine.connect() as conn:
        database_id = identity.read_database_id(conn)
    assert memory[str(tmp_path / "league.db")]["database_id"] == database_id > 0
    assert os.stat(tmp_path / "data" / identity.MEMORY_FILE).st_mode & 0o777 == 0o600
    # the same database opens again
    identity.open_database(url, tmp_path / "data").dispose()
    engine.dispose()


@pytest.mark.parametrize("how", ["deleted", "folder moved"])
def test_writes_stop_when_the_file_is_gone_and_start_up_does_not_recreate_it(tmp_path, how):
    folder = tmp_path / "db"
    folder.mkdir()
    url = f"sqlite:///{folder}/league.db"
    engine = identity.open_database(url, tmp_path / "data")
    assert _store(engine) == 1
    if how == "deleted":
        os.remove(folder / "league.db")
    else:
        shutil.move(folder, tmp_path / "elsewhere")
    with pytest.raises(DatabaseGone, match="不见了（被删除或移动），已停止写入，刚才的操作没有保存"):
        _store(engine, "临江区")
    assert "不见了" in identity.problem(engine)
    engine.dispose()
    with pytest.raises(DatabaseGone, match="看板不会新建空数据库。请从备份恢复数据库文件后重启"):
        identity.open_database(url, tmp_path / "data")
    assert not (folder / "league.db").exists()


def test_a_restored_file_opens_again_and_a_different_one_is_refused(tmp_path):
    path = tmp_path / "league.db"
    url = f"sqlite:///{path}"
    engine = identity.open_database(url, tmp_path / "data")
    _store(engine)
    engine.dispose()
    shutil.copy(path, tmp_path / "backup.db")
    os.remove(path)
    get_engine(url).dispose()         # someone makes a fresh database at the same path
    with pytest.raises(DatabaseGone, match="已被替换，不是看板上次使用的数据库"):
        identity.open_database(url, tmp_path / "data")
    os.remove(path)
    shutil.copy(tmp_path / "backup.db", path)     # the backup restored
    engine = identity.open_database(url, tmp_path / "data")
    assert list_batches(engine)["id"].tolist() == [1]
    engine.dispose()


def test_a_file_swapped_under_a_running_engine_takes_no_writes(tmp_path):
    path = tmp_path / "league.db"
    engine = identity.open_database(f"sqlite:///{path}", tmp_path / "data")
    _store(engine)
    other = tmp_path / "other.db"
    get_engine(f"sqlite:///{other}").dispose()
    os.replace(other, path)
    with pytest.raises(DatabaseGone, match="已被替换"):
        _store(engine, "临江区")
    engine.dispose()


@pytest.mark.postgres
def test_postgres_database_dropped_and_recreated_is_refused(postgres_url, tmp_path):
    import psycopg

    engine = identity.open_database(postgres_url, tmp_path / "data")
    _store(engine)
    engine.dispose()
    server, name = postgres_url.rsplit("/", 1)
    admin = server.replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    with pytest.raises(DatabaseGone, match="已被替换"):
        identity.open_database(postgres_url, tmp_path / "data")


# --- the app ---------------------------------------------------------------------------

@pytest.fixture
def app_env(tmp_path, monkeypatch):
    st.cache_data.clear()
    st.cache_resource.clear()
    path = tmp_path / "league.db"
    monkeypatch.setenv("LEAGUE_DB_URL", f"sqlite:///{path}")
    monkeypatch.setenv("LEAGUE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LEAGUE_PUBLIC_VIEW", raising=False)
    yield path
    st.cache_data.clear()
    st.cache_resource.clear()


def _logged_in_app() -> AppTest:
    from datetime import datetime

    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.session_state["user"] = dh.ADMIN
    at.session_state["logged_in_at"] = datetime.now()
    return at


@pytest.mark.slow
def test_app_restarted_without_its_database_says_so_and_creates_nothing(app_env):
    engine = dh.new_database(app_env)
    engine.dispose()
    at = _logged_in_app().run()
    assert not at.exception and not at.error          # first start: remembered
    os.remove(app_env)
    at.run()                                          # the running app notices
    assert "不见了" in at.error[0].value
    st.cache_resource.clear()                         # a restart
    at = _logged_in_app().run()
    assert not at.exception
    assert "看板不会新建空数据库" in at.error[0].value
    assert not app_env.exists()                       # no empty database, no sample, no admin


@pytest.mark.slow
def test_app_never_loads_sample_data_over_real_batches(app_env):
    engine = dh.new_database(app_env, data=False)
    batch = _store(engine)
    from analytics.store.batches import rollback_batch

    rollback_batch(engine, batch, actor=access.SYSTEM)   # every real batch rolled back
    engine.dispose()
    at = _logged_in_app().run()
    assert not at.exception
    engine = get_engine(f"sqlite:///{app_env}")
    assert list_batches(engine)["id"].tolist() == [batch]            # no sample batches added
    assert accounts.list_users(engine)["username"].tolist() == [dh.ADMIN]
    engine.dispose()


def test_the_database_file_is_created_owner_only(tmp_path):
    engine = identity.open_database(f"sqlite:///{tmp_path}/new/league.db", tmp_path / "data")
    _store(engine)
    for name in ("league.db", "league.db-wal"):
        assert os.stat(tmp_path / "new" / name).st_mode & 0o777 == 0o600, name
    engine.dispose()


@pytest.mark.slow
def test_the_app_start_up_writes_a_private_server_log(app_env):
    at = AppTest.from_file(ENTRY, default_timeout=60).run()   # a brand-new database: admin created
    assert not at.exception
    log = app_env.parent / "data" / "server.log"
    assert os.stat(log).st_mode & 0o777 == 0o600
    assert os.stat(app_env).st_mode & 0o777 == 0o600
    assert "已创建管理员账号 admin" in log.read_text(encoding="utf-8")
