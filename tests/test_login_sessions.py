"""Server-side login sessions and the signed login cookie, on a real database
(SQLite and PostgreSQL through the shared `engine` fixture)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from analytics.access import SESSION_TTL, SYSTEM
from analytics.store import accounts, login_sessions
from analytics.store.tables import login_sessions as sessions_table
from ui import login_cookie

T0 = datetime(2026, 3, 5, 9, 0)


@pytest.fixture(autouse=True)
def cheap_bcrypt(monkeypatch):
    monkeypatch.setattr(accounts, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def zhang(engine):
    accounts.create_user(engine, SYSTEM, "zhang", "abcd1234", "filler", ["青山区"],
                         must_change_password=False)
    return engine


def _find(engine, token, now=None):
    return login_sessions.find(engine, login_sessions.token_hash(token), now=now)


def test_a_session_is_found_by_its_token_until_eight_hours_are_over(zhang):
    token, started = login_sessions.start(zhang, "zhang", now=T0)
    assert started.expires_at == T0 + SESSION_TTL == T0 + timedelta(hours=8)
    found = _find(zhang, token, now=T0 + timedelta(hours=7, minutes=59))
    assert (found.username, found.created_at) == ("zhang", T0)
    assert _find(zhang, token, now=T0 + timedelta(hours=8)) is None
    assert _find(zhang, token + "x", now=T0) is None
    assert _find(zhang, token, now=T0 - timedelta(minutes=1)) is None


def test_only_a_hash_of_the_token_is_stored(zhang):
    token, _ = login_sessions.start(zhang, "zhang", now=T0)
    with zhang.connect() as conn:
        rows = conn.execute(select(sessions_table)).mappings().all()
    assert len(rows) == 1
    assert token not in str(dict(rows[0]))
    assert rows[0]["token_hash"] == login_sessions.token_hash(token)
    assert len(rows[0]["token_hash"]) == 64


def test_logout_ends_that_session_only(zhang):
    first, _ = login_sessions.start(zhang, "zhang", now=T0)
    second, _ = login_sessions.start(zhang, "zhang", now=T0)
    login_sessions.revoke(zhang, login_sessions.token_hash(first), now=T0)
    assert _find(zhang, first, now=T0) is None
    assert _find(zhang, second, now=T0) is not None


def test_changing_the_password_ends_the_other_sessions(zhang):
    here, _ = login_sessions.start(zhang, "zhang")
    elsewhere, _ = login_sessions.start(zhang, "zhang")
    accounts.change_password(zhang, "zhang", "abcd1234", "new-pass-456",
                             keep_session=login_sessions.token_hash(here))
    assert _find(zhang, here) is not None
    assert _find(zhang, elsewhere) is None


def test_a_wrong_old_password_ends_nothing(zhang):
    elsewhere, _ = login_sessions.start(zhang, "zhang")
    with pytest.raises(Exception, match="原密码不正确"):
        accounts.change_password(zhang, "zhang", "wrong-pass", "new-pass-456")
    assert _find(zhang, elsewhere) is not None


def test_disabling_or_resetting_ends_every_session(zhang):
    token, _ = login_sessions.start(zhang, "zhang")
    accounts.reset_password(zhang, SYSTEM, "zhang")
    assert _find(zhang, token) is None
    token, _ = login_sessions.start(zhang, "zhang")
    accounts.set_active(zhang, SYSTEM, "zhang", False)
    assert _find(zhang, token) is None
    accounts.set_active(zhang, SYSTEM, "zhang", True)
    assert _find(zhang, token) is None          # re-enabling does not bring a session back
    with zhang.connect() as conn:
        reasons = conn.execute(select(sessions_table.c.revoked_reason)
                               .order_by(sessions_table.c.id)).scalars().all()
    assert reasons == [login_sessions.PASSWORD_RESET, login_sessions.ACCOUNT_DISABLED]


def test_a_role_change_keeps_the_session(zhang):
    token, _ = login_sessions.start(zhang, "zhang")
    accounts.set_role_and_districts(zhang, SYSTEM, "zhang", role="viewer")
    assert _find(zhang, token) is not None


def test_sessions_that_are_over_are_cleared_at_the_next_login(zhang):
    login_sessions.start(zhang, "zhang", now=T0)
    login_sessions.start(zhang, "zhang", now=T0 + timedelta(hours=9))
    with zhang.connect() as conn:
        created = conn.execute(select(sessions_table.c.created_at)).scalars().all()
    assert created == [T0 + timedelta(hours=9)]


# --- the cookie -----------------------------------------------------------------------------

@pytest.fixture
def secret(monkeypatch):
    monkeypatch.setenv(login_cookie.SECRET_ENV, "a-test-secret-of-enough-length-0123456789")
    monkeypatch.setattr(login_cookie, "_secret", None)


def test_the_cookie_carries_a_signed_token(secret):
    value = login_cookie.cookie_value("abc123")
    assert value.startswith("abc123.")
    assert login_cookie.token_from({login_cookie.COOKIE_NAME: value}) == "abc123"


@pytest.mark.parametrize("forged", [
    "abc124.{sig}", "abc123.{sig}x", "abc123", "abc123.", ".{sig}", "abc123.{sig}.more",
    "", "名字.{sig}",
])
def test_a_forged_or_broken_cookie_is_refused(secret, forged):
    sig = login_cookie.cookie_value("abc123").split(".")[1]
    assert login_cookie.token_from({login_cookie.COOKIE_NAME: forged.format(sig=sig)}) is None


def test_another_secret_refuses_the_cookie(secret, monkeypatch):
    value = login_cookie.cookie_value("abc123")
    monkeypatch.setenv(login_cookie.SECRET_ENV, "another-secret-of-enough-length-9876543210")
    monkeypatch.setattr(login_cookie, "_secret", None)
    assert login_cookie.token_from({login_cookie.COOKIE_NAME: value}) is None


def test_the_secret_file_is_made_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv(login_cookie.SECRET_ENV, raising=False)
    monkeypatch.setattr(login_cookie, "_secret", None)
    first = login_cookie._file_secret(tmp_path / "session_secret")
    assert login_cookie._file_secret(tmp_path / "session_secret") == first
    assert (tmp_path / "session_secret").stat().st_mode & 0o777 == 0o600


def test_a_ticket_is_good_once(secret):
    ticket = login_cookie.issue_ticket("tok", 60)
    assert login_cookie.ticket_pending(ticket)
    assert login_cookie._redeem(ticket) == ("tok", 60)
    assert not login_cookie.ticket_pending(ticket)
    assert login_cookie._redeem(ticket) is None
