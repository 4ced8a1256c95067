"""Who is logged in, and which pages they may see.

The login lives in `st.session_state` under two keys (tests log in by setting
them before `AppTest.run()`):

- ``"user"``: the user name (str) of the logged-in account;
- ``"logged_in_at"``: when the login happened (naive local `datetime.now()`, like
  the database times); after `analytics.access.session_expired` says so (8 hours),
  the session ends.

The account is reloaded from the database on every run, so disabling an
account, changing its role or its districts takes effect at once. With
``LEAGUE_PUBLIC_VIEW=1`` and nobody logged in, the read-only `access.PUBLIC`
viewer is returned (meeting screen: dashboards only).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import streamlit as st

from analytics import access
from analytics.store import accounts, identity
from analytics.access import RESTRICTED_PAGES, page_allowed
from analytics.errors import AnalyticsError, PermissionDenied, StorageUnavailable
from ui import cached, router

log = logging.getLogger(__name__)


# st.Page paths are relative to the entry script's folder
LOGIN_SCRIPT = "pages/login.py"

USER_KEY = "user"
LOGGED_IN_AT_KEY = "logged_in_at"
NOTICE_KEY = "login_notice"


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
    """The logged-in user reloaded from the database, `access.PUBLIC`, or None."""
    eng = engine()
    _ensure_admin(eng, str(data_dir()))
    name = st.session_state.get(USER_KEY)
    if name:
        logged_in_at = st.session_state.get(LOGGED_IN_AT_KEY)
        if logged_in_at is None or access.session_expired(logged_in_at):
            logout()
            st.session_state[NOTICE_KEY] = "登录已过期，请重新登录。"
        else:
            user = _reload(eng, name)
            if user is not None:
                return user
            logout()
            st.session_state[NOTICE_KEY] = "账号已停用或不存在，请联系管理员。"
    if access.public_view_enabled():
        return access.PUBLIC
    return None


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
    """Check the password (lockout in `accounts.login`) and start a session.

    Raises `LoginFailed` / `AccountLocked` with a Chinese message.
    """
    user = accounts.login(engine(), username.strip(), password)
    st.session_state[USER_KEY] = user.username
    st.session_state[LOGGED_IN_AT_KEY] = datetime.now()
    st.session_state.pop(NOTICE_KEY, None)
    return user


def logout() -> None:
    """End the session (the next run shows the login page)."""
    for key in (USER_KEY, LOGGED_IN_AT_KEY):
        st.session_state.pop(key, None)


# url paths of every page behind the login (dashboard.py's SECTIONS)
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
