"""Province scale on PostgreSQL, side by side with the naive baseline, in one run.

The bench starts its own PostgreSQL (initdb --auth=trust into a folder, pg_ctl on a
free port, as tests/conftest.py does), fills it with bench_store's generator over
more districts (2024-01..2026-10; `--rows` volunteer records in all, default
10,000,000; ~2,450 a district-month, so the district count follows from it), then
runs each measurement in a process of its own, so each has its own peak memory:

- naive: `pandas.read_sql` of every active row, then groupby (the baseline);
- ours, cold: what the dashboard does when the server has just started —
  `load_frames` of the year and the one before, the compact indicator frames,
  `build_report` — then, in the same process, the first report after an upload
  (one district-month stored: a new data version) and after its rollback;
- import: one district-month stored through `store_checked` (COPY).

Peak memory is the process's VmHWM (peak resident set). Populating 10M rows takes a
while on 2 cores: `--reuse` keeps the server's folder (bench/out/province-pg) and data.

    python bench/bench_province.py [--rows 10000000] [--reuse]
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PER_DISTRICT_MONTH = 2_450
FOLDER = Path("/tmp/league-bench-province-pg")      # the postgres user must reach it
YEAR = 2026


def start_server(reuse: bool, port: int = 55432) -> str:
    """A PostgreSQL server on `port` over FOLDER (a fresh one unless `reuse`)."""
    from tests.conftest import _pg_bin, start_postgres

    bin_dir = _pg_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL 未安装（找不到 initdb）")
    fresh = not reuse or not (FOLDER / "data").exists()
    if fresh:
        stop_server()
        shutil.rmtree(FOLDER, ignore_errors=True)
        FOLDER.mkdir(parents=True)
    start_postgres(bin_dir, FOLDER, port, init=fresh, max_connections=20)
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres",
                         autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = 'province'").fetchone() is None:
            conn.execute("CREATE DATABASE province")
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/province"


def stop_server() -> None:
    from tests.conftest import _as_postgres, _pg_bin

    data = FOLDER / "data"
    if data.exists() and _pg_bin() is not None:
        subprocess.run(_as_postgres([str(_pg_bin() / "pg_ctl"), "-D", str(data), "-m", "fast",
                                     "stop"]), capture_output=True)


def districts_for(rows: int) -> list[str]:
    import bench_store

    count = max(1, round(rows / (PER_DISTRICT_MONTH * len(bench_store.MONTHS))))
    return [f"第{i + 1:03d}区" for i in range(count)]


def populate(url: str, rows: int) -> None:
    import numpy as np
    import pandas as pd

    import bench_store
    from analytics.access import SYSTEM
    from analytics.store.batches import has_data, store_checked
    from analytics.store.engine import get_engine

    engine = get_engine(url)
    if has_data(engine):
        return
    names = districts_for(rows)
    rng = np.random.default_rng(2026)
    started = time.perf_counter()
    for month in bench_store.MONTHS:
        for number, district in enumerate(names):
            frames = bench_store.city_month(rng, district, month, PER_DISTRICT_MONTH, number)
            store_checked(engine, bench_store.checked(f"{district}_{month}", frames),
                          actor=SYSTEM)
        print(f"    {month} stored ({time.perf_counter() - started:,.0f} s)", flush=True)
    for year in (2024, 2025, 2026):
        frame = pd.DataFrame({"year": year, "district": [*names, "全部"],
                              "indicator": ["study_learners"] * len(names) + ["study_rate"],
                              "value": [400000.0] * len(names) + [0.95],
                              "source_row": np.arange(2, len(names) + 3)})
        store_checked(engine, bench_store.checked(f"targets_{year}", {"targets": frame}),
                      actor=SYSTEM)
    print(f"  populate: {len(names)} districts × {len(bench_store.MONTHS)} months in "
          f"{time.perf_counter() - started:,.0f} s", flush=True)
    engine.dispose()


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- the measurements, each run in a process of its own --------------------------------

def measure_naive(url: str) -> dict:
    import bench_store
    from analytics.store.engine import get_engine

    engine = get_engine(url)
    started = time.perf_counter()
    table = bench_store.naive_baseline(engine, YEAR)
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(),
            "hours": float(table["hours"].sum())}


def measure_ours(url: str) -> dict:
    from datetime import date

    import numpy as np

    import bench_store
    from analytics.access import SYSTEM
    from analytics.metrics.compact import indicator_frames
    from analytics.metrics.report import build_report
    from analytics.store.batches import rollback_batch, store_checked
    from analytics.store.engine import get_engine
    from analytics.store.frames import load_frames

    engine = get_engine(url)
    today = date(2026, 11, 30)

    def report():
        data = load_frames(engine, years=(YEAR - 1, YEAR), copy=False)
        return build_report(indicator_frames(data), year=YEAR, today=today)

    out = {}
    started, cpu = time.perf_counter(), time.process_time()
    rep = report()
    out["cold"], out["cold_cpu"] = time.perf_counter() - started, time.process_time() - cpu
    out["hours"] = float(rep.total["volunteer_hours"])
    frames = bench_store.city_month(np.random.default_rng(7), districts_for(1)[0], "2026-11",
                                    PER_DISTRICT_MONTH, 0)
    started = time.perf_counter()
    stored = store_checked(engine, bench_store.checked("province_2026-11", frames), actor=SYSTEM)
    out["import"] = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    report()
    out["upload"], out["upload_cpu"] = time.perf_counter() - started, time.process_time() - cpu
    for result in stored:
        rollback_batch(engine, result.batch_id, actor=SYSTEM)
    started, cpu = time.perf_counter(), time.process_time()
    report()
    out["rollback"], out["rollback_cpu"] = time.perf_counter() - started, time.process_time() - cpu
    out["peak_mb"] = peak_mb()
    return out


def in_process(what: str, url: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--measure", what, "--url", url],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="volunteer rows in all")
    parser.add_argument("--reuse", action="store_true", help="keep an already populated server")
    parser.add_argument("--keep-running", action="store_true", help="leave the server running")
    parser.add_argument("--measure", choices=["naive", "ours"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        result = (measure_naive if args.measure == "naive" else measure_ours)(args.url)
        print(json.dumps(result))
        return
    try:
        url = start_server(args.reuse)
        print(f"PostgreSQL at {url}; {args.rows:,} volunteer rows, "
              f"{len(districts_for(args.rows))} districts", flush=True)
        populate(url, args.rows)
        naive = in_process("naive", url)
        ours = in_process("ours", url)
        print(f"indicators of {YEAR} (with {YEAR - 1} for 同比), every district:")
        if "error" in naive:
            print(f"  naive (read_sql every row + groupby): failed: {naive['error']}")
        else:
            print(f"  naive (read_sql every row + groupby)   {naive['seconds']:8.2f} s   "
                  f"peak {naive['peak_mb']:6.0f} MB")
        if "error" in ours:
            print(f"  ours: failed: {ours['error']}")
        else:
            print(f"  ours, server just started (cold)        {ours['cold']:8.2f} s   "
                  f"(CPU of this process {ours['cold_cpu']:.2f} s)")
            print(f"  ours, first report after an upload      {ours['upload']:8.2f} s   "
                  f"(CPU {ours['upload_cpu']:.2f} s)   target ≤ 3 s")
            print(f"  ours, first report after its rollback   {ours['rollback']:8.2f} s   "
                  f"(CPU {ours['rollback_cpu']:.2f} s)")
            print(f"  ours, peak memory of the process        {ours['peak_mb']:8.0f} MB  "
                  "target ≤ 1024 MB")
            print(f"  import one district-month (COPY)        {ours['import']:8.2f} s")
            if "hours" in naive:
                print(f"  check: hours {ours['hours']:,.0f} (naive {naive['hours']:,.0f})")
    finally:
        if not args.keep_running:
            stop_server()


if __name__ == "__main__":
    main()
