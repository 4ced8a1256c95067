"""Storage speed at city scale, side by side with a naive baseline.

12 districts × 40 units × 2024-01..2026-10 with ~1,000,000 volunteer records,
generated as canonical frames and stored in bulk (one batch per sheet, one
transaction per district-month). Then:

- importing one district-month (three .xlsx files, one per kind) through
  `store_file`, as a new month and as a replace;
- `load_frames` + `indicator_report` for a year, cold (nothing kept: a server
  just started), after an upload (the kept frames plus the new batch) and
  warm (repeated), against a naive baseline: `pandas.read_sql` of every row,
  then groupby. Province scale on PostgreSQL: bench/bench_province.py.

- importing 200,000 青年大学习 learner records (a district's year, as the
  platform's CSV export) beside a 200,000-row volunteer sheet, each through
  `store_file` into a fresh database, then deriving the study rows and the
  未学名单 from them (`--records` runs only this part: it is short).

    python bench/bench_store.py [--db sqlite:///bench/out/city.db] [--reuse] [--records]
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


def city_month(rng: np.random.Generator, district: str, month: str, volunteers: int,
               number: int | None = None) -> dict[str, pd.DataFrame]:
    """Canonical frames of one district-month (`number`: the district's place in a
    list of its own, for districts not in `DISTRICTS`)."""
    d = DISTRICTS.index(district) if number is None else number
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
        "project": None, "beneficiaries": pd.array([pd.NA] * n_act, dtype="Int64"),
        "date_span": None,
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


RECORD_ROWS = 200_000


def records_csv(path: Path, rng: np.random.Generator, n: int = RECORD_ROWS) -> Path:
    """A district's year of platform records (GBK CSV, title line and 共计 footer):
    40 units × 10 团支部, 12 months × 2 期, ~5 % watching twice."""
    months = rng.integers(1, 13, n)
    branch = rng.integers(0, 400, n)
    person = branch * 50 + rng.integers(0, 50, n)
    frame = pd.DataFrame({
        "期次": [f"2025年第{2 * m - int(k)}期" for m, k in zip(months, rng.integers(0, 2, n))],
        "学习时间": [f"2025-{m:02d}-{d:02d} 20:{mm:02d}:00" for m, d, mm in
                     zip(months, rng.integers(1, 29, n), rng.integers(0, 60, n))],
        "区": "青山区", "学校": [f"青山区第{b // 10 + 1}中学" for b in branch],
        "团支部": [f"{b % 10 + 1}班团支部" for b in branch],
        "姓名": [f"学员{p}" for p in person], "学号": [f"S{p:06d}" for p in person],
    })
    body = frame.to_csv(index=False, lineterminator="\r\n")
    path.write_bytes(("青年大学习学习记录导出\r\n" + body + f"共计{n}条记录\r\n").encode("gbk"))
    return path


def roster_csv(path: Path) -> Path:
    rows = [(f"青山区第{b // 10 + 1}中学", f"{b % 10 + 1}班团支部", f"学员{b * 50 + i}",
             f"S{b * 50 + i:06d}") for b in range(400) for i in range(48)]
    frame = pd.DataFrame(rows, columns=["单位", "团支部", "姓名", "学号"])
    path.write_bytes(frame.to_csv(index=False, lineterminator="\r\n").encode("gbk"))
    return path


def volunteer_csv(path: Path, rng: np.random.Generator, n: int = RECORD_ROWS) -> Path:
    """The baseline: a volunteer sheet of the same size and a similar width."""
    person = rng.integers(0, 20_000, n)
    frame = pd.DataFrame({
        "志愿者编号": [f"V{p:06d}" for p in person], "姓名": [f"志愿者{p}" for p in person],
        "区": "青山区", "单位": [f"青山区第{p % 40 + 1}中学" for p in person],
        "服务项目": "社区服务",
        "服务日期": [f"2025-{m:02d}-{d:02d}" for m, d in
                     zip(rng.integers(1, 13, n), rng.integers(1, 29, n))],
        "服务时长": rng.integers(1, 9, n),
    })
    path.write_bytes(frame.to_csv(index=False, lineterminator="\r\n").encode("gbk"))
    return path


def records_vs_volunteer() -> None:
    """200k learner records against a 200k-row volunteer sheet, each into a fresh SQLite file."""
    from analytics.metrics.records import absent_report, with_record_study

    rng = np.random.default_rng(11)
    print(f"import {RECORD_ROWS:,} rows (GBK CSV) via store_file into a fresh SQLite database:")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        vol_file, rec_file = volunteer_csv(folder / "v.csv", rng), records_csv(folder / "r.csv", rng)
        roster = roster_csv(folder / "名单.csv")
        today = date(2026, 11, 30)
        vol_db, rec_db = get_engine(f"sqlite:///{tmp}/v.db"), get_engine(f"sqlite:///{tmp}/r.db")
        _, base = timed("baseline: volunteer sheet", lambda: store_file(
            vol_db, vol_file, actor=SYSTEM, today=today))
        store_file(rec_db, roster, actor=SYSTEM, district="青山区", month="2025-01", today=today)
        stored, ours = timed("learner records (学习记录)", lambda: store_file(
            rec_db, rec_file, actor=SYSTEM, today=today))
        print(f"  records / volunteer: {ours / base:5.2f}x   ({stored[0].rows_stored:,} rows, "
              f"{len(stored[0].scopes)} months)")
        raw = load_frames(rec_db, years=[2025])
        frames, _ = timed("study rows from records + roster (with_record_study)",
                          lambda: with_record_study({k: v for k, v in raw.items() if k != "study"
                                                     } | {"study": raw["study"].iloc[0:0]}))
        report, _ = timed("未学名单 of one month (absent_report)",
                          lambda: absent_report(raw, month="2025-06"))
        print(f"  check: 2025-06 absent {len(report['absent']):,}, "
              f"learners {int(frames['study']['learners'].sum()):,}")
        vol_db.dispose()
        rec_db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:///bench/out/city.db")
    parser.add_argument("--reuse", action="store_true", help="keep an already populated database")
    parser.add_argument("--records", action="store_true",
                        help="only the 200k learner records against the volunteer baseline")
    args = parser.parse_args()
    if args.records:
        records_vs_volunteer()
        return
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

    from analytics.store import frames as kept_frames

    kept_frames._KEPT.clear()
    report, cold = timed("load_frames + indicator_report, cold (nothing kept)", ours)
    _, warm = timed("load_frames + indicator_report, warm (best of 5)", ours, runs=5)
    with tempfile.TemporaryDirectory() as tmp:
        more = write_month_files(Path(tmp), "2026-11", 3)
        stored = [r for p in more for r in store_file(engine, p, actor=SYSTEM, replace=True,
                                                      today=date(2026, 11, 30))]
    _, after = timed("load_frames + indicator_report, after an upload", ours)
    for result in stored:
        rollback_batch(engine, result.batch_id, actor=SYSTEM)
    timed("load_frames + indicator_report, after its rollback", ours)
    frames = load_frames(engine, years=[year])
    timed("  of which indicator_report alone (best of 3)",
          lambda: indicator_report(frames, year=year, as_of=as_of), runs=3)
    base, naive = timed("naive: read_sql all rows + groupby", lambda: naive_baseline(engine, year))
    print(f"  speed-up vs naive: cold {naive / cold:5.1f}x, after an upload {naive / after:5.1f}x, "
          f"warm {naive / warm:5.1f}x")
    total = report["total"]
    for result in added:               # leave the database as populated, for --reuse
        rollback_batch(engine, result.batch_id, actor=SYSTEM)
    print(f"  check: volunteers {total['volunteer_count']:,} / hours {total['volunteer_hours']:,.0f}"
          f" (naive hours {base['hours'].sum():,.0f})")
    import_sheet_of(args.db, 100_000)
    records_vs_volunteer()


def import_sheet_of(url: str, rows: int) -> None:
    """A `rows`-row volunteer sheet (.xlsx, bench_check's) through `store_file` into a copy
    of the populated database (SQLite), so the bench database stays as it was."""
    import shutil

    import bench_check

    if not url.startswith("sqlite:///"):
        return
    with tempfile.TemporaryDirectory() as tmp:
        sheet = bench_check.make_sheet(Path(tmp) / "volunteer.xlsx", rows)
        copy = Path(tmp) / "city.db"
        shutil.copy(url.removeprefix("sqlite:///"), copy)
        engine = get_engine(f"sqlite:///{copy}")
        print(f"import a {rows:,}-row volunteer sheet (.xlsx) via store_file into the city database:")
        stored, _ = timed("store_file (read, check, store)", lambda: store_file(
            engine, sheet, actor=SYSTEM, district="东城区", today=date(2026, 11, 30)))
        print(f"  stored {sum(r.rows_stored for r in stored):,} rows   target ≤ 5 s")
        engine.dispose()


if __name__ == "__main__":
    main()
