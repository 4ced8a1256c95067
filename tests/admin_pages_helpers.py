"""Running the app in AppTest for the admin-side page tests.

Log in the way pages/session.py documents it: set ``session_state["user"]``
(the user name) and ``session_state["logged_in_at"]`` before `run()`.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import access
from analytics.store import accounts
from analytics.store.engine import get_engine

ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "dashboard.py")
PASSWORD = "secret-pass-1"


def app_env(monkeypatch, tmp_path, *, seed: bool = True):
    """A temporary database and data dir for the app; returns the engine.

    `seed` stores one small batch (a district nobody else uses) so the app
    does not load the bundled sample data on first start.
    """
    url = f"sqlite:///{tmp_path}/app.db"
    monkeypatch.setenv("LEAGUE_DB_URL", url)
    monkeypatch.setenv("LEAGUE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LEAGUE_PUBLIC_VIEW", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    engine = get_engine(url)
    if seed:
        from analytics.store.batches import store_checked
        from tests import store_helpers as sh
        store_checked(engine, sh.checked("seed.xlsx", ("activities", sh.activities("种子区", "2025-01"))),
                      actor=access.SYSTEM)
    return engine


def add_user(engine, name: str, role: str, districts=(), *, must_change: bool = False) -> access.User:
    return accounts.create_user(engine, access.SYSTEM, name, PASSWORD, role, districts,
                            must_change_password=must_change)


def app(username: str | None = None) -> AppTest:
    """The dashboard in AppTest, logged in as `username` (not run yet)."""
    at = AppTest.from_file(ENTRY, default_timeout=60)
    if username:
        login_as(at, username)
    return at


def login_as(at: AppTest, username: str) -> None:
    at.session_state["user"] = username
    at.session_state["logged_in_at"] = datetime.now()


def page_title(at: AppTest) -> str:
    return at.title[0].value if len(at.title) else ""


def texts(elements) -> list[str]:
    return [e.value for e in elements]


# --- a real server and browser (tests marked `browser`) ---------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run"]


def _free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(tmp_path: Path, db_url: str):
    """`streamlit run dashboard.py` on a free port with `db_url`; yields the base URL."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    port = _free_port()
    env = dict(os.environ, LEAGUE_DB_URL=db_url, LEAGUE_DATA_DIR=str(tmp_path / "data"))
    env.pop("LEAGUE_PUBLIC_VIEW", None)
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", ENTRY, "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()
