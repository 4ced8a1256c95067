"""Shared fixtures: a database URL for SQLite and for a real PostgreSQL server.

`db_url` runs a test once on a fresh SQLite file and once on a fresh
database of a throwaway PostgreSQL server that the suite starts itself
(initdb --auth=trust into a temp dir, pg_ctl on a free port; as root it runs
as the `postgres` user). PostgreSQL cases skip only when initdb is absent.
"""
from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def _pg_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def start_postgres(bin_dir: Path, root: Path, port: int, *, init: bool = True,
                   max_connections: int = 50) -> None:
    """initdb (unless `init` is False: a folder made before) into root/data, then start it
    on `port` with durability off (throwaway data). Also used by bench/bench_province.py."""
    data = root / "data"
    if init:
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "--auth=trust",
                                     "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"]),
                       check=True, capture_output=True)
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off " \
              f"-c full_page_writes=off -c max_connections={max_connections}"
    subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l",
                                 str(root / "log"), "-o", options, "start"]),
                   check=True, capture_output=True)


@pytest.fixture(scope="session")
def postgres_server():
    """Base URL (without database) of a PostgreSQL server started for this session."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL 未安装（找不到 initdb）：跳过 PostgreSQL 测试")
    root = Path(tempfile.mkdtemp(prefix="league-pg-"))
    data = root / "data"
    port = _free_port()
    start_postgres(bin_dir, root, port)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m",
                                     "immediate", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


_database_numbers = itertools.count(1)


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty PostgreSQL database; dropped after the test."""
    import psycopg

    name = f"t{os.getpid()}_{next(_database_numbers)}"
    admin = postgres_server.replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield f"{postgres_server}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path}/league.db"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A fresh database URL: SQLite file, then a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/league.db"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(db_url):
    """`analytics.db.get_engine(db_url)`, disposed after the test."""
    from analytics.store.engine import get_engine

    eng = get_engine(db_url)
    yield eng
    eng.dispose()


# these need a server, a browser, an app run or processes of their own: outside the fast loop
_SLOW_KINDS = ("browser", "postgres", "apptest", "subprocess")


def pytest_collection_modifyitems(items):
    """`pytest -m "not slow"` is the fast inner loop: every test of a slow kind is slow too."""
    for item in items:
        if any(item.get_closest_marker(kind) for kind in _SLOW_KINDS):
            item.add_marker(pytest.mark.slow)
