"""Server-side login sessions: what a login cookie points at.

A session is a random token handed to the browser once; the database keeps
only its SHA-256 (`token_hash`), so a copy of the database logs nobody in.
A session lives `access.SESSION_TTL` (8 hours) from the login and ends
earlier when it is revoked: logout, a password change (the user's other
sessions), a password reset or disabling the account (all of them). A
session of an account that is disabled or gone is never valid, whatever
its row says. Times are naive local `datetime`s like the rest of the
database; functions that depend on the clock take `now=`.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, select

from analytics.access import SESSION_TTL
from analytics.store.tables import login_sessions, users

# why a session ended (login_sessions.revoked_reason)
LOGOUT = "logout"
PASSWORD_CHANGED = "password_changed"
PASSWORD_RESET = "password_reset"
ACCOUNT_DISABLED = "account_disabled"

TOKEN_BYTES = 32


@dataclass(frozen=True)
class LoginSession:
    """A valid session: whose it is and when it started and ends."""

    token_hash: str
    username: str
    created_at: datetime
    expires_at: datetime


def token_hash(token: str) -> str:
    """What the database keeps of a token (hex SHA-256; tokens are random, so no salt)."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def start(engine: Engine, username: str, *, now: datetime | None = None) -> tuple[str, LoginSession]:
    """A new session for `username` (whose password was just checked); returns (token, session).

    Sessions of this user that are over are deleted on the way (the table
    holds live sessions and recent history only).
    """
    now = now or datetime.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session = LoginSession(token_hash(token), username, now, now + SESSION_TTL)
    with engine.begin() as conn:
        conn.execute(delete(login_sessions).where(login_sessions.c.username == username,
                                                  login_sessions.c.expires_at < now))
        conn.execute(login_sessions.insert().values(
            token_hash=session.token_hash, username=username, created_at=now,
            expires_at=session.expires_at, revoked_at=None, revoked_reason=None))
    return token, session


def find(engine: Engine, hashed: str, *, now: datetime | None = None) -> LoginSession | None:
    """The valid session whose token hashes to `hashed`, or None (unknown, over, revoked,
    or its account disabled or gone)."""
    now = now or datetime.now()
    query = (select(login_sessions.c.username, login_sessions.c.created_at,
                    login_sessions.c.expires_at)
             .join(users, users.c.username == login_sessions.c.username)
             .where(login_sessions.c.token_hash == hashed,
                    login_sessions.c.revoked_at.is_(None),
                    login_sessions.c.created_at <= now,
                    login_sessions.c.expires_at > now,
                    users.c.active.is_(True)))
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    return LoginSession(hashed, row.username, row.created_at, row.expires_at)


def revoke(engine: Engine, hashed: str, reason: str = LOGOUT, *,
           now: datetime | None = None) -> None:
    """End one session (logout); nothing happens when it is already over."""
    with engine.begin() as conn:
        _revoke_where(conn, login_sessions.c.token_hash == hashed, reason, now)


def revoke_user(conn: Connection, username: str, reason: str, *, keep: str | None = None,
                now: datetime | None = None) -> int:
    """End every session of `username` except `keep` (a token hash), inside the caller's
    transaction (`accounts` revokes in the same transaction as the change that calls for it).
    Returns how many sessions ended."""
    condition = login_sessions.c.username == username
    if keep is not None:
        condition = condition & (login_sessions.c.token_hash != keep)
    return _revoke_where(conn, condition, reason, now)


def _revoke_where(conn: Connection, condition, reason: str, now: datetime | None) -> int:
    result = conn.execute(login_sessions.update()
                          .where(condition, login_sessions.c.revoked_at.is_(None))
                          .values(revoked_at=now or datetime.now(), revoked_reason=reason))
    return result.rowcount or 0
