"""Storage speed at city scale, side by side with a naive baseline.

12 districts × 40 units × 2024-01..2026-10 with ~1,000,000 volunteer records,
generated as canonical frames and stored in bulk (one batch per sheet, one
transaction per district-month). Then:

- importing one district-month (three .xlsx files, one per kind) through
  `store_file`, as a new month and as a replace;
- `load_frames` + `indicator_report` for a year, cold (first read after a
  change) and warm (repeated), against a naive baseline: `pandas.read_sql`
  of every row, then groupby.

    python bench/bench_store.py [--db sqlite:///bench/out/city.db] [--reuse]
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics import schema
from analytics.access import SYSTEM
from analytics.store.engine import get_engine
from analytics.metrics.indicators import indicator_report
from analytics.ingest.results import FileCheck, SheetCheck
from analytics.store.batches import (
    has_data, list_batches, rollback_batch, store_checked, store_file,
)
from analytics.store.frames import load_frames

DISTRICTS = ["青山区", "临江区", "东湖区", "南湾区", "北岭区", "西桥区",
             "金沙区", "玉泉区", "松林区", "白云区", "长河区", "石门区"]
UNITS = 40
MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)
          if (y, m) <= (2026, 10)]
VOLUNTEER_RECORDS = 1_000_000
CATEGORIES = [c for c in schema.categories() if c.dimension]


def city_month(rng: np.random.Generator, district: str, month: str, volunteers: int
               ) -> dict[str, pd.DataFrame]:
    """Canonical frames of one district-month."""
    d = DISTRICTS.index(district)
    units = [f"{district}第{i + 1}团支部" for i in range(UNITS)]
    days = pd.to_datetime(month + "-01") + pd.to_timedelta(rng.integers(0, 28, 2 * volunteers), "D")
    n_act = int(rng.integers(20, 40))
    cats = [CATEGORIES[i] for i in rng.integers(0, len(CATEGORIES), n_act)]
    activities = pd.DataFrame({
        "date": days[:n_act], "district": district,
        "unit": [units[i] for i in rng.integers(0, UNITS, n_act)],
        "title": [f"{c.name}活动{i}" for i, c in enumerate(cats)],
        "category": [c.name for c in cats],
        "sessions": rng.integers(1, 4, n_act).astype("int64"),
        "participants": rng.integers(20, 400, n_act).astype("int64"),
        "volunteers": pd.array(rng.integers(0, 30, n_act), dtype="Int64"),
        "service_hours": rng.integers(0, 200, n_act).astype("float64"),
        "reached": pd.array(rng.integers(0, 2000, n_act), dtype="Int64"),
        "funds": rng.integers(0, 5000, n_act).astype("float64"),
        "month": month, "dimension": [c.dimension for c in cats],
        "source_row": np.arange(2, n_act + 2, dtype="int64"),
    })
    members = rng.integers(200, 3000, UNITS).astype("int64")
    learners = (members * rng.uniform(0.85, 0.99, UNITS)).astype("int64")
    study = pd.DataFrame({
        "period": f"{month[:4]}年第{int(month[5:])}期", "month": month, "district": district,
        "unit": units, "members": members, "learners": learners,
        "rate": learners / members, "source_row": np.arange(2, UNITS + 2, dtype="int64"),
    })
    person = rng.integers(0, 2500, volunteers)
    ids = np.char.add(f"D{d:02d}-", np.char.zfill(person.astype(str), 5)).astype(object)
    volunteer = pd.DataFrame({
        "volunteer_id": ids, "name": np.char.add("志愿者", person.astype(str)).astype(object),
        "district": district, "unit": [units[i % UNITS] for i in person],
        "project": "社区服务", "date": days[:volunteers],
        "hours": rng.integers(1, 9, volunteers).astype("float64"), "month": month,
        "person_key": np.char.add("id:", ids.astype(str)).astype(object),
        "source_row": np.arange(2, volunteers + 2, dtype="int64"),
    })
    return {"activities": activities[list(schema.KINDS["activities"].columns)],
            "study": study[list(schema.KINDS["study"].columns)],
            "volunteer": volunteer[list(schema.KINDS["volunteer"].columns)]}


def checked(name: str, frames: dict[str, pd.DataFrame]) -> FileCheck:
    sheets = [SheetCheck(sheet=schema.KINDS[k].label, kind=k, header_row=1, frame=f)
              for k, f in frames.items()]
    return FileCheck(file=name, sha256=hashlib.sha256(name.encode()).hexdigest(), sheets=sheets)


def populate(engine) -> float:
    rng = np.random.default_rng(2026)
    per_month = VOLUNTEER_RECORDS // (len(DISTRICTS) * len(MONTHS))
    started = time.perf_counter()
    for month in MONTHS:
        for district in DISTRICTS:
            store_checked(engine, checked(f"{district}_{month}", city_month(rng, district, month,
                                                                          per_month)),
                          actor=SYSTEM)
    for year in (2024, 2025, 2026):
        rows = [(d, "study_learners", 400000.0) for d in DISTRICTS] + \
               [("全部", "study_rate", 0.95)]
        frame = pd.DataFrame({"year": year, "district": [r[0] for r in rows],
                              "indicator": [r[1] for r in rows], "value": [r[2] for r in rows],
                              "source_row": np.arange(2, len(rows) + 2)})
        store_checked(engine, checked(f"targets_{year}", {"targets": frame}), actor=SYSTEM)
    return time.perf_counter() - started


def write_month_files(folder: Path, month: str, seed: int) -> list[Path]:
    """One .xlsx per kind for 青山区 `month`, with the schema's header labels."""
    frames = city_month(np.random.default_rng(seed), "青山区", month,
                        VOLUNTEER_RECORDS // (len(DISTRICTS) * len(MONTHS)))
    paths = []
    for kind, frame in frames.items():
        fields = schema.KINDS[kind].fields
        out = frame[[f.name for f in fields]].copy()
        for f in fields:
            if f.type in (schema.FieldType.DATE,):
                out[f.name] = out[f.name].dt.strftime("%Y-%m-%d")
        out.columns = [f.label for f in fields]
        path = folder / f"{kind}_{month}_{seed}.xlsx"
        out.to_excel(path, index=False, engine="xlsxwriter")
        paths.append(path)
    return paths


def undo_month(engine, month: str) -> None:
    batches = list_batches(engine, limit=50)
    for batch_id in batches[(batches["periods"] == month)
                            & (batches["status"] != "rolled_back")]["id"]:
        rollback_batch(engine, int(batch_id), actor=SYSTEM)


def naive_baseline(engine, year: int) -> pd.DataFrame:
    """What a first version would do: read every row, then filter and group in pandas."""
    with engine.connect() as conn:
        vol = pd.read_sql("SELECT * FROM volunteer WHERE active", conn)
        study = pd.read_sql("SELECT * FROM study WHERE active", conn)
        acts = pd.read_sql("SELECT * FROM activities WHERE active", conn)
    vol = vol[vol["month"].str.startswith(str(year))]
    study = study[study["month"].str.startswith(str(year))]
    acts = acts[acts["month"].str.startswith(str(year))]
    out = study.groupby("district")[["learners", "members"]].sum()
    out["study_rate"] = out["learners"] / out["members"]
    out["sessions"] = acts.groupby("district")["sessions"].sum()
    out["volunteers"] = vol.groupby("district")["person_key"].nunique()
    out["hours"] = vol.groupby("district")["hours"].sum()
    return out


def timed(label: str, fn, runs: int = 1):
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    print(f"  {label:<46} {best:8.3f} s")
    return result, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:///bench/out/city.db")
    parser.add_argument("--reuse", action="store_true", help="keep an already populated database")
    args = parser.parse_args()
    if args.db.startswith("sqlite:///") and not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(args.db.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    engine = get_engine(args.db)
    print(f"database: {args.db}")
    if not has_data(engine):
        seconds = populate(engine)
        with engine.connect() as conn:
            counts = {t: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar()
                      for t in ("activities", "study", "volunteer", "targets")}
        print(f"  populate (bulk, {len(MONTHS) * len(DISTRICTS)} district-months) "
              f"{seconds:8.1f} s   rows: {counts}")

    undo_month(engine, "2026-11")          # left over by an interrupted run
    print("import one district-month (3 xlsx files, ~2,450 volunteer rows) via store_file:")
    with tempfile.TemporaryDirectory() as tmp:
        new = write_month_files(Path(tmp), "2026-11", 1)
        again = write_month_files(Path(tmp), "2026-11", 2)
        today = date(2026, 11, 30)
        added, _ = timed("new month", lambda: [r for p in new for r in
                                               store_file(engine, p, actor=SYSTEM, today=today)])
        replaced, _ = timed("replace that month", lambda: [
            r for p in again for r in store_file(engine, p, actor=SYSTEM, replace=True, today=today)])
        timed("roll the replace back", lambda: [rollback_batch(engine, r.batch_id, actor=SYSTEM)
                                                for r in replaced])

    year, as_of = 2026, date(2026, 11, 30)
    print(f"indicators for {year}, all {len(DISTRICTS)} districts:")

    def ours():
        return indicator_report(load_frames(engine, years=[year]), year=year, as_of=as_of)

    report, cold = timed("load_frames + indicator_report, cold", ours)
    _, warm = timed("load_frames + indicator_report, warm (best of 5)", ours, runs=5)
    frames = load_frames(engine, years=[year])
    timed("  of which indicator_report alone (best of 3)",
          lambda: indicator_report(frames, year=year, as_of=as_of), runs=3)
    base, naive = timed("naive: read_sql all rows + groupby", lambda: naive_baseline(engine, year))
    print(f"  speed-up vs naive: cold {naive / cold:5.1f}x, warm {naive / warm:5.1f}x")
    total = report["total"]
    for result in added:               # leave the database as populated, for --reuse
        rollback_batch(engine, result.batch_id, actor=SYSTEM)
    print(f"  check: volunteers {total['volunteer_count']:,} / hours {total['volunteer_hours']:,.0f}"
          f" (naive hours {base['hours'].sum():,.0f})")


if __name__ == "__main__":
    main()
