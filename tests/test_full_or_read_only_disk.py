"""A full or read-only disk: a Chinese message and read-only dashboards, never Streamlit's
English error page. Real file systems: a read-only bind mount and a 2 MB tmpfs (needs root
and `mount`; skipped otherwise)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics.errors import StorageUnavailable
from tests import dashboard_helpers as dh
from tests import store_helpers as sh

ROOT = Path(__file__).resolve().parent.parent


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"mount 不可用：{done.stderr.strip()}")


@pytest.fixture
def read_only_copy(tmp_path):
    """(writable folder, the same folder mounted read-only)."""
    if os.geteuid() != 0:
        pytest.skip("需要 root 才能挂载只读目录")
    writable, read_only = tmp_path / "rw", tmp_path / "ro"
    writable.mkdir()
    read_only.mkdir()
    yield writable, read_only
    subprocess.run(["umount", "-l", str(read_only)], capture_output=True)


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("需要 root 才能挂载 tmpfs")
    folder = tmp_path / "small"
    folder.mkdir()
    _mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder))
    yield folder
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _clear():
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.slow
def test_login_and_dashboards_on_a_read_only_disk(read_only_copy, monkeypatch):
    writable, read_only = read_only_copy
    dh.new_database(writable / "league.db").dispose()
    (writable / "data").mkdir()
    _mount("--bind", str(writable), str(read_only))
    _mount("-o", "remount,bind,ro", str(read_only))
    monkeypatch.setenv("LEAGUE_DB_URL", f"sqlite:///{read_only / 'league.db'}")
    monkeypatch.setenv("LEAGUE_DATA_DIR", str(read_only / "data"))
    monkeypatch.delenv("LEAGUE_PUBLIC_VIEW", raising=False)
    _clear()
    try:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
        assert not at.exception
        at.text_input(key="login_username").input(dh.ADMIN)
        at.text_input(key="login_password").input(dh.PASSWORD)
        at.button(key="login_submit").click().run()
        assert not at.exception
        assert at.session_state["user"] == dh.ADMIN
        at.run()                                            # the 总览 page after logging in
        assert not at.exception
        assert any("服务器磁盘只读：看板仅供查看" in w.value for w in at.warning)
        assert at.title[0].value == "总览"
    finally:
        _clear()


def test_a_full_disk_refuses_an_import_in_chinese(small_disk):
    from analytics.store.engine import get_engine, storage_problem

    engine = get_engine(f"sqlite:///{small_disk / 'league.db'}")
    filler = small_disk / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError:
            pass
    assert "服务器磁盘已满" in storage_problem(engine)
    big = sh.volunteer("青山区", f"{dh.YEAR}-03", [1.0] * 20_000)
    with pytest.raises(StorageUnavailable, match="服务器磁盘已满或只读，数据没有保存。看板仍可查看"):
        dh.store_frames(engine, "big.xlsx", ("volunteer", big))
    engine.dispose()
