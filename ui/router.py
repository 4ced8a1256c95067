"""Every page run goes through `dashboard.py`'s router.

Streamlit treats a `pages/` folder beside the entry script as its older
multipage mode until a process first calls `st.navigation`; in that mode a
URL such as /study runs `pages/study.py` on its own, without the login gate
and the sidebar (AppTest re-arms the mode before every run). The router
marks the page runs it serves (`routed`); a page run that is not marked runs
the router in place, whose `st.navigation` call ends the older mode, so the
request and any click in it are kept. Only public Streamlit API is used.
"""
from __future__ import annotations

import runpy
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

ENTRY_SCRIPT = Path(__file__).resolve().parent.parent / "dashboard.py"

_runs = threading.local()   # each session's script runs in its own thread


def _entry_is_main() -> bool:
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return main is not None and Path(main).resolve() == ENTRY_SCRIPT


@contextmanager
def routed() -> Iterator[None]:
    """Mark the page run inside as served by the router (`dashboard.py` wraps `nav.run()`)."""
    depth = getattr(_runs, "depth", 0)
    _runs.depth = depth + 1
    try:
        yield
    finally:
        _runs.depth = depth


def ensure_routed() -> None:
    """Run the router in place (then stop) unless this page run came through it.

    A page script started as an app of its own (`AppTest.from_file("pages/x.py")`)
    has no router to go through and runs as it is.
    """
    if getattr(_runs, "depth", 0) or not _entry_is_main():
        return
    runpy.run_path(str(ENTRY_SCRIPT), run_name="__main__")
    st.stop()


# first path segments the server itself answers (Streamlit's routes, st.login, our cookie endpoint)
SERVER_SEGMENTS = frozenset({"_stcore", "static", "media", "component", "app", "auth",
                             "oauth2callback", "favicon.png", "robots.txt"})


class PageUrlRedirect:
    """ASGI middleware (`app.py`): a browser asking for a page URL that no page answers
    is sent to "/" with its query string, before Streamlit would show its English
    "Page not found" dialog.

    That covers typos and old links, and also the URL of the default page and of the
    login page: Streamlit serves the default page at "/" only, so a bookmark of
    ``/overview?year=2026`` (the URL the login form had) becomes ``/?year=2026``.
    Pages a role may not open stay at their URLs (`session.menu` explains the refusal).
    """

    def __init__(self, app, *, page_paths: frozenset[str], root_paths: frozenset[str]):
        self.app = app
        self.page_paths = page_paths - root_paths
        self.root_paths = root_paths

    def redirect_target(self, path: str, query: str) -> str | None:
        """Where a GET of `path` goes instead, or None to let Streamlit answer it."""
        segment = path.strip("/")
        if not segment or "/" in segment or segment in self.page_paths:
            return None
        if segment not in self.root_paths and ("." in segment or segment in SERVER_SEGMENTS
                                               or segment.startswith("_")):
            return None
        return "/" + (f"?{query}" if query else "")

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            target = self.redirect_target(scope["path"], scope.get("query_string", b"").decode("latin-1"))
            if target is not None:
                from starlette.responses import RedirectResponse

                await RedirectResponse(target, status_code=302)(scope, receive, send)
                return
        await self.app(scope, receive, send)
