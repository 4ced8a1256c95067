"""Page URLs no page answers go to "/" (with their query) before Streamlit's English dialog."""
from __future__ import annotations

import asyncio

import pytest

from ui.router import PageUrlRedirect
from ui.session import APP_PAGE_PATHS, DEFAULT_PAGE_PATH

REDIRECT = PageUrlRedirect(None, page_paths=frozenset(APP_PAGE_PATHS),
                           root_paths=frozenset({DEFAULT_PAGE_PATH, "login"}))


@pytest.mark.parametrize(("path", "target"), [
    ("/overview", "/?year=2026"), ("/login", "/?year=2026"), ("/no-such-page", "/?year=2026"),
    ("/dashboard", "/?year=2026"), ("/session", "/?year=2026"),
    ("/", None), ("/compare", None), ("/accounts", None), ("/me", None),
    ("/_stcore/health", None), ("/static/js/index.js", None), ("/media/x.png", None),
    ("/auth/session", None), ("/favicon.png", None), ("/component/x/index.html", None),
])
def test_redirect_target(path, target):
    assert REDIRECT.redirect_target(path, "year=2026") == target


def test_the_middleware_answers_with_a_redirect_and_passes_the_rest_on():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["path"])

    middleware = PageUrlRedirect(app, page_paths=frozenset(APP_PAGE_PATHS),
                                 root_paths=frozenset({DEFAULT_PAGE_PATH, "login"}))
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    def call(path):
        scope = {"type": "http", "method": "GET", "path": path, "query_string": b"d=1",
                 "headers": []}
        asyncio.run(middleware(scope, receive, send))

    call("/overview")
    call("/study")
    assert seen == ["/study"]
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 302
    assert (b"location", b"/?d=1") in start["headers"]
