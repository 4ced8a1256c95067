"""Dashboard page speed at city scale, measured with Streamlit's AppTest.

Each page's full script run (entry router + sidebar + page), for a fresh
session on city-scale data (12 districts × 40 units × 34 months, ~1,000,000
volunteer records — bench/bench_store.py's generator):

- cold: st.cache_data and st.cache_resource cleared (the first visitor after
  an upload: database read, report and figures all computed);
- warm: the same session rerun (a widget change), best of 3 — target < 1 s;
- baseline: the page with its data computed the naive way every run — the
  cold figure is exactly that (no cache), printed side by side.

    python bench/bench_pages.py [--db sqlite:///bench/out/pages_city.db] [--entry dashboard.py]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PAGES = ["overview", "study", "activities", "volunteer", "compare"]
USER, PASSWORD = "bench", "Bench-pass-123"
TARGET_WARM = 1.0


def prepare(url: str) -> None:
    """A populated city database (copied from bench_store's, else generated) and a user."""
    from analytics import access
    from analytics.store import accounts
    from analytics.store.engine import get_engine
    from analytics.errors import InvalidAccount
    from analytics.store.batches import has_data

    path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    shared = ROOT / "bench" / "out" / "city.db"
    if path is not None and not path.exists() and shared.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shared, path)
    engine = get_engine(url)
    if not has_data(engine):
        import bench_store
        print("populating the city database (bench_store.populate) …", flush=True)
        bench_store.populate(engine)
    try:
        accounts.create_user(engine, access.SYSTEM, USER, PASSWORD, "admin", must_change_password=False)
    except InvalidAccount:
        pass


def app(entry: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(entry, default_timeout=300)
    at.session_state["user"] = USER
    at.session_state["logged_in_at"] = datetime.now()
    return at


def page_path(entry: str, page: str) -> str:
    folder = "app_pages" if (Path(entry).parent / "app_pages").is_dir() else "pages"
    return f"{folder}/{page}.py"


def measure(entry: str, page: str) -> tuple[float, float, bool]:
    """(cold, warm) seconds of one page's script run; and whether the run was clean."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    at = app(entry)
    if page == "overview":
        started = time.perf_counter()
        at.run()
    else:
        at.run()                      # the session starts on 总览 (its caches now warm)…
        st.cache_data.clear()         # …so clear them again: a cold visit to this page
        st.cache_resource.clear()
        at.switch_page(page_path(entry, page))
        started = time.perf_counter()
        at.run()
    cold = time.perf_counter() - started
    warm = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        at.run()
        warm = min(warm, time.perf_counter() - started)
    clean = not at.exception and bool(at.sidebar.children)
    return cold, warm, clean


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:///bench/out/pages_city.db")
    parser.add_argument("--entry", default=str(ROOT / "dashboard.py"))
    args = parser.parse_args()
    os.chdir(ROOT)
    os.environ["LEAGUE_DB_URL"] = args.db
    os.environ.pop("LEAGUE_PUBLIC_VIEW", None)
    prepare(args.db)
    print(f"database: {args.db}    entry: {args.entry}")
    print(f"  {'page':<12}{'cold (no cache)':>18}{'warm (best of 3)':>18}   target warm < {TARGET_WARM:.0f} s")
    for page in PAGES:
        cold, warm, clean = measure(args.entry, page)
        verdict = "ok" if warm < TARGET_WARM else "SLOW"
        note = "" if clean else "   (run not clean: exception or no sidebar)"
        print(f"  {page:<12}{cold:>16.3f} s{warm:>16.3f} s   {verdict}{note}", flush=True)


if __name__ == "__main__":
    main()
