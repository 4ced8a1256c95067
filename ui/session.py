"""Who is logged in, and which pages they may see.

A login is a server-side session (`analytics.store.login_sessions`, 8 hours,
revoked by logout, a password change elsewhere, a reset or disabling the
account). The browser keeps it in the HttpOnly login cookie
(`ui.login_cookie`), so a reload, a bookmark or a new tab stays logged in;
the tab that logged in keeps it in `st.session_state`:

- ``"user"``: the user name (str) of the logged-in account;
- ``"logged_in_at"``: when the login happened (naive local `datetime.now()`, like
  the database times); after `analytics.access.session_expired` says so (8 hours) it ends;
- ``"login_session"``: the token hash of the server-side session; every run
  checks that the session is still valid.

AppTest tests log in by setting ``"user"`` and ``"logged_in_at"`` before
`AppTest.run()` (no ``"login_session"``: a login held by that tab only, which
nothing outside the server process can make).

The account is reloaded from the database on every run, so disabling an
account, changing its role or its districts takes effect at once. With
``LEAGUE_PUBLIC_VIEW=1`` and nobody logged in, the read-only `access.PUBLIC`
viewer is returned (meeting screen: dashboards only).
"""
from __future__ import annotations

import logging
from datetime import datetime
from collections.abc import Iterable
from pathlib import Path

import streamlit as st
from sqlalchemy.exc import OperationalError

from analytics import access
from analytics.store import accounts, identity, login_sessions
from analytics.access import RESTRICTED_PAGES, page_allowed
from analytics.errors import AnalyticsError, PermissionDenied, StorageUnavailable
from ui import cached, login_cookie, router

log = logging.getLogger(__name__)


# st.Page paths are relative to the entry script's folder
LOGIN_SCRIPT = "pages/login.py"

USER_KEY = "user"
LOGGED_IN_AT_KEY = "logged_in_at"
SESSION_KEY = "login_session"
NOTICE_KEY = "login_notice"
COOKIE_TICKET_KEY = "login_cookie_ticket"   # a ticket to post, or None: delete the cookie
COOKIE_SEEN_KEY = "login_cookie_seen"       # hash of the cookie this tab has already read

EXPIRED_NOTICE = "登录已过期，请重新登录。"
ENDED_NOTICE = "登录已失效（已在别处退出或修改了密码），请重新登录。"
DISABLED_NOTICE = "账号已停用或不存在，请联系管理员。"
STALE_COOKIE_NOTICE = "登录已过期或已失效，请重新登录。"


def engine():
    """The app's engine, shared with the dashboards (`cached.engine`)."""
    return cached.engine()


def data_dir() -> Path:
    """Where the server keeps its files (initial admin password): $LEAGUE_DATA_DIR or data/."""
    return identity.data_dir()


@st.cache_resource
def _ensure_admin(_engine, data_dir_text: str) -> bool:
    """Create the first `admin` once per server process (password goes to the log)."""
    try:
        created = accounts.ensure_admin(_engine, Path(data_dir_text))
    except StorageUnavailable as exc:      # a full or read-only disk: dashboards still read
        log.warning("%s", exc)
        return False
    return created is not None


def current_user() -> access.User | None:
    """The logged-in user reloaded from the database, `access.PUBLIC`, or None.

    A tab without a login of its own takes the one in the login cookie.
    """
    eng = engine()
    _ensure_admin(eng, str(data_dir()))
    if not st.session_state.get(USER_KEY):
        _login_from_cookie(eng)
    name = st.session_state.get(USER_KEY)
    if name:
        notice = _login_ended(eng, name)
        user = None if notice else _reload(eng, name)
        if user is not None:
            return user
        _end_tab_login()
        st.session_state[NOTICE_KEY] = notice or DISABLED_NOTICE
    if access.public_view_enabled():
        return access.PUBLIC
    return None


def _login_ended(eng, name: str) -> str | None:
    """Why this tab's login is over (a Chinese notice), or None while it holds."""
    logged_in_at = st.session_state.get(LOGGED_IN_AT_KEY)
    hashed = st.session_state.get(SESSION_KEY)
    if hashed is not None:
        found = login_sessions.find(eng, hashed)
        if found is not None and found.username == name:
            return None
        if _reload(eng, name) is None:
            return DISABLED_NOTICE
        if logged_in_at is None or access.session_expired(logged_in_at):
            return EXPIRED_NOTICE
        return ENDED_NOTICE
    if logged_in_at is None or access.session_expired(logged_in_at):
        return EXPIRED_NOTICE
    return None


def _login_from_cookie(eng) -> None:
    """Take the login cookie's session into this tab when it is valid; a stale cookie
    is deleted and said so."""
    if not login_cookie.installed():
        return
    try:
        cookies = st.context.cookies
    except Exception:            # no browser request behind this run (AppTest)
        return
    value = cookies.get(login_cookie.COOKIE_NAME)
    # a tab reads its cookie once: the websocket's cookies stay as they were when it opened
    seen = login_sessions.token_hash(value) if value else None
    if seen is None or st.session_state.get(COOKIE_SEEN_KEY) == seen:
        return
    st.session_state[COOKIE_SEEN_KEY] = seen
    token = login_cookie.token_from(cookies)
    found = login_sessions.find(eng, login_sessions.token_hash(token)) if token else None
    if found is None:
        st.session_state[COOKIE_TICKET_KEY] = None           # delete the stale cookie
        st.session_state[NOTICE_KEY] = STALE_COOKIE_NOTICE
        return
    st.session_state[USER_KEY] = found.username
    st.session_state[LOGGED_IN_AT_KEY] = found.created_at
    st.session_state[SESSION_KEY] = found.token_hash


def sync_login_cookie() -> None:
    """Set or delete the login cookie when a login or logout asked for it (the router
    calls this on every run; a script posts to `/auth/session`, see `ui.login_cookie`)."""
    if COOKIE_TICKET_KEY not in st.session_state:
        return
    ticket = st.session_state[COOKIE_TICKET_KEY]
    if ticket is not None and not login_cookie.ticket_pending(ticket):
        del st.session_state[COOKIE_TICKET_KEY]       # exchanged (or run out)
        return
    if ticket is None:
        del st.session_state[COOKIE_TICKET_KEY]       # deleting is tried once
    st.html(login_cookie.browser_script(ticket), unsafe_allow_javascript=True)


def require_user(url_path: str) -> access.User:
    """The current user when they may use page `url_path`; otherwise a Chinese
    message and `st.stop()`.

    Every page script calls this first, so a page never relies on the menu
    alone.
    """
    router.ensure_routed()
    user = current_user()
    if user is None:
        st.warning("请先登录。")
        st.stop()
    if not page_allowed(user, url_path):
        st.error(_refusal(user, url_path))
        st.stop()
    return user


def _refusal(user: access.User, url_path: str) -> str:
    if user.must_change_password:
        return "请先在“我的账号”页修改密码。"
    if user.username == access.PUBLIC.username:
        return "请先登录。"
    try:
        access.require_role(user, *sorted(RESTRICTED_PAGES.get(url_path, ())))
    except PermissionDenied as exc:
        return str(exc)
    return f"您（{user.label}）无权使用此页面"


def _reload(eng, name: str) -> access.User | None:
    try:
        return accounts.get_user(eng, name)
    except AnalyticsError:
        return None


def login(username: str, password: str) -> access.User:
    """Check the password (lockout in `accounts.login`) and start a session, kept by
    this tab and, through the login cookie, by the browser.

    Raises `LoginFailed` / `AccountLocked` with a Chinese message.
    """
    eng = engine()
    user = accounts.login(eng, username.strip(), password)
    try:
        token, started = login_sessions.start(eng, user.username)
    except (StorageUnavailable, OperationalError):
        # a full or read-only disk: the dashboards still read, the login lasts for this tab
        log.warning("login session not stored (disk full or read-only); tab-only login")
        st.session_state[USER_KEY] = user.username
        st.session_state[LOGGED_IN_AT_KEY] = datetime.now()
        st.session_state.pop(NOTICE_KEY, None)
        return user
    st.session_state[USER_KEY] = user.username
    st.session_state[LOGGED_IN_AT_KEY] = started.created_at
    st.session_state[SESSION_KEY] = started.token_hash
    st.session_state.pop(NOTICE_KEY, None)
    if login_cookie.installed():
        max_age = int((started.expires_at - started.created_at).total_seconds())
        st.session_state[COOKIE_TICKET_KEY] = login_cookie.issue_ticket(token, max_age)
    return user


def current_session() -> str | None:
    """The token hash of this tab's server-side session (None for a tab-only login)."""
    return st.session_state.get(SESSION_KEY)


def logout() -> None:
    """End the session everywhere this browser holds it (the next run shows the login page)."""
    hashed = st.session_state.get(SESSION_KEY)
    if hashed is not None:
        login_sessions.revoke(engine(), hashed, login_sessions.LOGOUT)
    _end_tab_login()
    if login_cookie.installed():
        st.session_state[COOKIE_TICKET_KEY] = None


def _end_tab_login() -> None:
    for key in (USER_KEY, LOGGED_IN_AT_KEY, SESSION_KEY):
        st.session_state.pop(key, None)


# url paths of every page behind the login (dashboard.py's SECTIONS); the first is the default
DEFAULT_PAGE_PATH = "overview"
APP_PAGE_PATHS = ("overview", "study", "activities", "volunteer", "compare",
                  "targets", "upload", "accounts", "audit", "me")


def login_pages(url_paths: Iterable[str] = APP_PAGE_PATHS) -> list:
    """The login page, also under every other page's URL.

    A shared link such as ``/compare?year=2026`` then shows the login form
    (not "page not found"), and after logging in the same URL opens that
    page with its filters. Use with ``st.navigation(..., position="hidden")``.
    """
    return [_login_page("login", default=True)] + [_login_page(p) for p in url_paths
                                                   if p != "login"]


def _login_page(url_path: str, *, default: bool = False):
    return st.Page(LOGIN_SCRIPT, title="登录", icon=":material/login:", url_path=url_path,
                   default=default)


def visible_sections(sections: dict[str, list], user: access.User) -> dict[str, list]:
    """Only the pages `user`'s role may open (see `admin_views.page_allowed`).

    Sections left empty are dropped, so `st.navigation` never gets an empty
    group. The anonymous public viewer also gets the 登录 page, to log in.
    """
    shown = {}
    for title, pages in sections.items():
        kept = [p for p in pages if page_allowed(user, p.url_path)]
        if kept:
            shown[title] = kept
    if user.username == access.PUBLIC.username:
        shown["账号"] = [_login_page("login")]
    return shown


def menu(sections: dict[str, list], user: access.User) -> dict[str, list]:
    """What `st.navigation` gets: `visible_sections`, plus every page `user` may not open
    kept at its URL as a hidden page that says why in Chinese (a shared link must not end
    in Streamlit's English "page not found"). The first page shown is the default (at "/")."""
    shown = visible_sections(sections, user)
    allowed = {p.url_path for pages in shown.values() for p in pages}
    refused = [p for pages in sections.values() for p in pages if p.url_path not in allowed]
    if not refused:
        return shown
    hidden = [_refused_page(p) for p in refused]
    last = list(shown)[-1]
    return {**shown, last: shown[last] + hidden}


def _refused_page(page):
    """A hidden page at `page`'s URL that tells the user why they may not open it."""
    url_path = page.url_path or "overview"

    def refused() -> None:
        st.title(page.title)
        st.error(_refusal(current_user() or access.PUBLIC, url_path))

    refused.__name__ = f"refused_{url_path}"
    return st.Page(refused, title=page.title, icon=page.icon, url_path=url_path,
                   visibility="hidden")
