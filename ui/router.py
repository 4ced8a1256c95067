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
