"""Until the initial password is changed nothing but changing it works, on every door."""
from __future__ import annotations

from datetime import datetime

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import access
from analytics.errors import PermissionDenied
from analytics.store import accounts, batches
from analytics.store.sample import load_sample
from tests.admin_pages_helpers import ROOT

PENDING = access.User("admin", "admin", frozenset(), must_change_password=True)


@pytest.mark.parametrize("action", ["store", "replace", "rollback", "edit_targets", "manage_users"])
def test_a_pending_password_change_refuses_every_action(action):
    with pytest.raises(PermissionDenied, match="须先在“我的账号”页修改初始密码，在此之前不能进行其他操作"):
        access.authorize(PENDING, action)
    with pytest.raises(PermissionDenied, match="须先在“我的账号”页修改初始密码"):
        access.require_role(PENDING, "admin")


def test_clear_sample_is_refused_before_the_password_change(sqlite_url):
    from analytics.store.engine import get_engine

    engine = get_engine(sqlite_url)
    load_sample(engine)
    live = len(batches.list_batches(engine, limit=10_000))
    with pytest.raises(PermissionDenied, match="须先在“我的账号”页修改初始密码"):
        batches.clear_sample(engine, PENDING)
    assert len(batches.list_batches(engine, limit=10_000)) == live and batches.has_sample(engine)
    engine.dispose()


@pytest.mark.slow
def test_the_sidebar_offers_no_clear_sample_button_before_the_password_change(tmp_path, monkeypatch):
    from analytics.store.engine import get_engine

    st.cache_data.clear()
    st.cache_resource.clear()
    path = tmp_path / "league.db"
    monkeypatch.setenv("LEAGUE_DB_URL", f"sqlite:///{path}")
    monkeypatch.setenv("LEAGUE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LEAGUE_PUBLIC_VIEW", raising=False)
    engine = get_engine(f"sqlite:///{path}")
    accounts.create_user(engine, access.SYSTEM, "chief", "Initial-pass-123", "admin",
                         must_change_password=True)
    load_sample(engine)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["user"] = "chief"
    at.session_state["logged_in_at"] = datetime.now()
    at.run()
    assert not at.exception
    assert [b.key for b in at.sidebar.button if b.key == "clear_sample"] == []
    assert [c.key for c in at.sidebar.checkbox if c.key == "clear_sample_confirm"] == []
    assert batches.has_sample(engine)
    st.cache_data.clear()
    st.cache_resource.clear()
    engine.dispose()
