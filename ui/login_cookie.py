"""The login cookie: a signed, HttpOnly, SameSite=Lax cookie naming a server-side session.

Streamlit talks to the browser over a websocket, which cannot set an
HttpOnly cookie; an HTTP response must. `app.py` serves the dashboard with
`st.App` and mounts `routes()`, two small HTTP endpoints:

- ``POST /auth/session`` with a one-time **ticket** (JSON ``{"ticket": …}``)
  sets the cookie. The login page checks the password, starts the session
  (`analytics.store.login_sessions`) and issues a ticket for its token
  (`issue_ticket`, valid once, for 60 s, kept in this process only); a
  script on the next page run posts it (`session.sync_login_cookie`). The
  token itself never reaches page JavaScript.
- ``DELETE /auth/session`` deletes the cookie (logout; the session was
  already revoked in the database).

Both refuse cross-site requests (``Sec-Fetch-Site`` / ``Origin``). The cookie
value is ``token.signature``: an HMAC-SHA256 of the token under the server's
secret (``$LEAGUE_SESSION_SECRET``, else ``session_secret`` in the data
folder, made on first use), compared in constant time before the database
is asked. When the app runs without `app.py` (``streamlit run dashboard.py``,
AppTest), `installed()` is False and a login lasts as long as its tab.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger(__name__)

COOKIE_NAME = "league_session"
ROUTE_PATH = "/auth/session"
SECRET_ENV = "LEAGUE_SESSION_SECRET"
SECRET_FILE = "session_secret"
TICKET_SECONDS = 60

_installed = False
_data_dir: Path | None = None
_secret: bytes | None = None
_secret_lock = threading.Lock()
_tickets: dict[str, tuple[str, int, float]] = {}   # sha256(ticket) -> (token, max_age, deadline)
_tickets_lock = threading.Lock()


def installed() -> bool:
    """Whether this process serves `routes()` (the app was started through `app.py`)."""
    return _installed


# --- signing ------------------------------------------------------------------------------

def _load_secret() -> bytes:
    """The signing key: $LEAGUE_SESSION_SECRET, else the data folder's `session_secret`
    (created once, readable by its owner only), so cookies outlive a restart."""
    global _secret
    with _secret_lock:
        if _secret is None:
            from_env = os.environ.get(SECRET_ENV, "").strip()
            if from_env:
                _secret = from_env.encode("utf-8")
            else:
                _secret = _file_secret((_data_dir or Path("data")) / SECRET_FILE)
        return _secret


def _file_secret(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
        if len(text) >= 32:
            return text.encode("ascii")
    except (OSError, UnicodeDecodeError):
        pass
    text = secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (text + "\n").encode("ascii"))
    finally:
        os.close(fd)
    return text.encode("ascii")


def _signature(token: str) -> str:
    mac = hmac.new(_load_secret(), token.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def cookie_value(token: str) -> str:
    """What the cookie holds: the token and its signature."""
    return f"{token}.{_signature(token)}"


def token_from(cookies: Mapping[str, str]) -> str | None:
    """The session token of a correctly signed login cookie among `cookies`, else None."""
    value = cookies.get(COOKIE_NAME)
    if not value or value.count(".") != 1 or len(value) > 256 or not value.isascii():
        return None
    token, signature = value.split(".")
    if not token or not hmac.compare_digest(signature, _signature(token)):
        return None
    return token


# --- one-time tickets ----------------------------------------------------------------------

def _ticket_key(ticket: str) -> str:
    return hashlib.sha256(ticket.encode("ascii", "replace")).hexdigest()


def issue_ticket(token: str, max_age: int) -> str:
    """A one-time ticket that `POST /auth/session` exchanges for the cookie of `token`."""
    ticket = secrets.token_urlsafe(24)
    now = time.monotonic()
    with _tickets_lock:
        for key in [k for k, (_, _, deadline) in _tickets.items() if deadline < now]:
            del _tickets[key]
        _tickets[_ticket_key(ticket)] = (token, max_age, now + TICKET_SECONDS)
    return ticket


def ticket_pending(ticket: str) -> bool:
    """Whether `ticket` is still waiting to be exchanged (not used, not expired)."""
    with _tickets_lock:
        entry = _tickets.get(_ticket_key(ticket))
    return entry is not None and entry[2] >= time.monotonic()


def _redeem(ticket: str) -> tuple[str, int] | None:
    with _tickets_lock:
        entry = _tickets.pop(_ticket_key(ticket), None)
    if entry is None or entry[2] < time.monotonic():
        return None
    token, max_age, _ = entry
    return token, max_age


# --- the HTTP endpoints --------------------------------------------------------------------

def _same_origin(request) -> bool:
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("origin")
    if origin is None:
        return False
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def _secure(request) -> bool:
    return (request.url.scheme == "https"
            or request.headers.get("x-forwarded-proto", "").lower() == "https")


def _set_cookie_header(value: str, max_age: int, secure: bool) -> str:
    parts = [f"{COOKIE_NAME}={value}", "Path=/", f"Max-Age={max_age}", "HttpOnly",
             "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


async def _session_endpoint(request):
    from starlette.responses import Response

    if not _same_origin(request):
        return Response(status_code=403)
    if request.method == "DELETE":
        response = Response(status_code=204)
        response.headers.append("set-cookie", _set_cookie_header("", 0, _secure(request)))
        return response
    try:
        body = json.loads((await request.body())[:1024])
        ticket = body["ticket"] if isinstance(body, dict) else None
    except (ValueError, KeyError):
        ticket = None
    redeemed = _redeem(ticket) if isinstance(ticket, str) else None
    if redeemed is None:
        return Response(status_code=400)
    token, max_age = redeemed
    response = Response(status_code=204)
    response.headers.append("set-cookie", _set_cookie_header(cookie_value(token), max_age,
                                                             _secure(request)))
    response.headers["cache-control"] = "no-store"
    return response


def routes(data_dir: Path) -> list:
    """The Starlette routes `app.py` mounts; marks the cookie as available. The signing
    key lives in `data_dir` unless $LEAGUE_SESSION_SECRET gives it."""
    from starlette.routing import Route

    global _installed, _data_dir
    _installed, _data_dir = True, Path(data_dir)
    _load_secret()                       # fail at start-up, not at the first login
    return [Route(ROUTE_PATH, _session_endpoint, methods=["POST", "DELETE"])]


def browser_script(ticket: str | None) -> str:
    """The `<script>` that posts `ticket` (sets the cookie) or, for None, deletes the cookie."""
    if ticket is None:
        call = f"fetch({json.dumps(ROUTE_PATH)}, {{method: 'DELETE', credentials: 'same-origin'}})"
    else:
        body = json.dumps(json.dumps({"ticket": ticket}))
        call = (f"fetch({json.dumps(ROUTE_PATH)}, {{method: 'POST', credentials: 'same-origin', "
                f"headers: {{'Content-Type': 'application/json'}}, body: {body}}})")
    return f"<script>{call}.catch(() => {{}});</script>"
