"""Dashboard page speed at city scale, measured with Streamlit's AppTest.

Each page's full script run (entry router + sidebar + page), for a fresh
session on city-scale data (12 districts × 40 units × 34 months, ~1,000,000
volunteer records — bench/bench_store.py's generator):

- restart (the baseline): every cache cleared, the frames `load_frames` keeps
  between versions too — the database read, report and figures all computed;
  before frames were kept, every first open after an upload cost this;
- upload: the first open after a district-month was stored (new data version)
  — target ≤ 1.5 s; rollback: the same after it was rolled back;
- second: another user's session opening the page at that version, and warm:
  a rerun of the same session (a widget change, best of 3) — target ≤ 0.3 s.

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
TARGET_WARM = 0.3
TARGET_COLD = 1.5


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


def upload_month(url: str, seed: int) -> list[int]:
    """Store one district-month (青山区 2026-11, ~2,450 volunteer rows): a new data version."""
    import numpy as np

    import bench_store
    from analytics.access import SYSTEM
    from analytics.store.batches import store_checked
    from analytics.store.engine import get_engine

    engine = get_engine(url)
    frames = bench_store.city_month(np.random.default_rng(seed), "青山区", "2026-11",
                                    bench_store.VOLUNTEER_RECORDS // (len(bench_store.DISTRICTS)
                                                                      * len(bench_store.MONTHS)))
    results = store_checked(engine, bench_store.checked(f"bench_pages_{seed}", frames),
                            actor=SYSTEM, replace=True)
    return [r.batch_id for r in results if r.batch_id is not None]


def undo(url: str, batch_ids: list[int]) -> None:
    from analytics.access import SYSTEM
    from analytics.store.batches import rollback_batch
    from analytics.store.engine import get_engine

    engine = get_engine(url)
    for batch_id in batch_ids:
        rollback_batch(engine, batch_id, actor=SYSTEM)


CPU: dict[str, float] = {}     # the last runs' CPU seconds of this process, by situation


def _timed_run(at, label: str = "") -> float:
    """Wall seconds of one script run (its CPU seconds noted in CPU[label]: on a shared
    machine the wall figure also holds other processes' time)."""
    started, cpu = time.perf_counter(), time.process_time()
    at.run()
    if label:
        CPU[label] = time.process_time() - cpu
    return time.perf_counter() - started


def _open(entry: str, page: str):
    """A new session on `page` (the session starts on 总览, then switches)."""
    at = app(entry)
    at.run()
    if page != "overview":
        at.switch_page(page_path(entry, page))
    return at


def measure(entry: str, page: str, url: str) -> dict[str, float | bool]:
    """Seconds of one page's script run in each situation; and whether the runs were clean.

    - restart: every cache empty, kept frames too (a server just started) — what each
      first open after an upload cost before frames were kept between versions;
    - upload: the first open after a new district-month was stored (a new data version);
    - second: another user's session opening the page at that same version;
    - warm: a rerun of a session (a widget change), best of 3;
    - rollback: the first open after that upload was rolled back (the older rows return).
    """
    import streamlit as st

    from analytics.store import frames

    st.cache_data.clear()
    st.cache_resource.clear()
    frames._KEPT.clear()
    at = app(entry)
    if page == "overview":
        restart = _timed_run(at, "restart")
    else:
        at.run()                      # the session starts on 总览 (its caches now warm)…
        st.cache_data.clear()         # …so clear them again: a cold visit to this page
        st.cache_resource.clear()
        frames._KEPT.clear()
        at.switch_page(page_path(entry, page))
        restart = _timed_run(at, "restart")
    stored = upload_month(url, seed=PAGES.index(page) + 100)
    upload = _timed_run(at, "upload")
    second = _timed_run(_open(entry, page), "second")   # another user's session, same version
    warm = min(_timed_run(at, "warm") for _ in range(3))
    undo(url, stored)
    rollback = _timed_run(at, "rollback")
    clean = not at.exception and bool(at.sidebar.children)
    return {"restart": restart, "upload": upload, "second": second, "warm": warm,
            "rollback": rollback, "clean": clean, "cpu": dict(CPU)}


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
    print(f"  seconds per script run; targets: after an upload ≤ {TARGET_COLD} s, "
          f"warm and second user ≤ {TARGET_WARM} s")
    print(f"  {'page':<12}{'restart':>9}{'upload':>9}{'second':>9}{'warm':>9}{'rollback':>10}"
          "   (restart = all caches empty: the baseline)")
    for page in PAGES:
        m = measure(args.entry, page, args.db)
        verdict = "ok" if (m["upload"] <= TARGET_COLD and m["rollback"] <= TARGET_COLD
                           and max(m["warm"], m["second"]) <= TARGET_WARM) else "SLOW"
        note = "" if m["clean"] else "   (run not clean: exception or no sidebar)"
        print(f"  {page:<12}{m['restart']:>9.3f}{m['upload']:>9.3f}{m['second']:>9.3f}"
              f"{m['warm']:>9.3f}{m['rollback']:>10.3f}   {verdict}{note}", flush=True)
        cpu = m["cpu"]
        print(f"  {'  CPU':<12}{cpu['restart']:>9.3f}{cpu['upload']:>9.3f}{cpu['second']:>9.3f}"
              f"{cpu['warm']:>9.3f}{cpu['rollback']:>10.3f}   (this process's CPU seconds)",
              flush=True)


if __name__ == "__main__":
    main()
