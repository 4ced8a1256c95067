"""Speed of `check_file` on a 100,000-row volunteer sheet, against pandas + openpyxl.

    python bench/bench_check.py [--rows 100000] [--memory]

Each contender runs in a fresh process, so its peak memory is its alone.
Target: check ≥ 5× faster than `pandas.read_excel(engine="openpyxl")`,
and (issue 14) its peak memory at most that read's.

`peak MB` is the process's ru_maxrss plus its largest child's: an upper
bound, since check's parsing child has exited before validation peaks.
`--memory` also samples the resident memory of the whole process tree
every 5 ms while each contender runs (`tree MB`: what the machine holds at
once) and shows the parent and child maxima apart.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["序号", "志愿者编号", "姓名", "区", "单位", "服务项目", "服务日期", "服务时长（小时）", "联系电话", "备注"]


def make_sheet(path: Path, rows: int) -> Path:
    """A realistic volunteer sheet: title row, header, dates as Excel dates, some text numbers."""
    import xlsxwriter

    rng = random.Random(7)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("志愿服务")
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, ["东城区2025年志愿服务记录"])
    ws.write_row(1, 0, HEADER)
    units = [f"第{i}团支部" for i in range(300)]
    projects = ["文明劝导", "助老", "防溺水宣传", "垃圾分类", "社区服务"]
    start = dt.date(2025, 1, 1)
    for r in range(rows):
        ws.write_number(r + 2, 0, r + 1)
        ws.write_string(r + 2, 1, f"V{rng.randrange(20000):05d}")
        ws.write_string(r + 2, 2, f"志愿者{rng.randrange(20000)}")
        ws.write_string(r + 2, 3, "东城区")
        ws.write_string(r + 2, 4, rng.choice(units))
        ws.write_string(r + 2, 5, rng.choice(projects))
        ws.write_datetime(r + 2, 6, dt.datetime.combine(start + dt.timedelta(days=rng.randrange(365)),
                                                        dt.time()), date_fmt)
        hours = rng.choice([1, 1.5, 2, 3, 4])
        if r % 10 == 0:
            ws.write_string(r + 2, 7, f"{hours}小时")
        else:
            ws.write_number(r + 2, 7, hours)
        ws.write_string(r + 2, 8, f"138{rng.randrange(10**8):08d}")
        ws.write_string(r + 2, 9, "")
    book.close()
    return path


def run_one(which: str, path: str) -> None:
    """Child mode: time one contender, print JSON with seconds, rows and peak memory."""
    sys.path.insert(0, str(ROOT))
    t0 = time.perf_counter()
    if which == "check":
        from analytics.ingest.check import check_file
        result = check_file(path, today=dt.date(2026, 1, 1))
        rows = result.tables[0].rows_accepted
    else:
        import pandas as pd
        rows = len(pd.read_excel(path, engine=which, header=1))
    seconds = time.perf_counter() - t0
    own_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_mb": (own_kb + child_kb) / 1024,
                      "own_mb": own_kb / 1024, "child_mb": child_kb / 1024}))


def measure(which: str, path: Path, sample: bool = False) -> dict:
    proc = subprocess.Popen([sys.executable, __file__, "--one", which, str(path)],
                            stdout=subprocess.PIPE, text=True)
    tree_peak = 0
    if sample:
        while proc.poll() is None:
            tree_peak = max(tree_peak, _tree_rss(proc.pid))
            time.sleep(0.005)
    out, _ = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"{which} failed ({proc.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    result["tree_mb"] = tree_peak / 1024
    return result


def _tree_rss(pid: int) -> int:
    """Resident kB of `pid` and all its descendants now (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per contender; the fastest counts")
    parser.add_argument("--memory", action="store_true",
                        help="also sample the process tree's resident memory (slightly slower runs)")
    parser.add_argument("--one", nargs=2, metavar=("WHICH", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(*args.one)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = make_sheet(Path(tmp) / "volunteer.xlsx", args.rows)
        print(f"{args.rows:,} 行 × {len(HEADER)} 列 志愿服务记录，文件 {path.stat().st_size / 1e6:.1f} MB")
        results = {name: min((measure(name, path, args.memory) for _ in range(args.repeat)),
                             key=lambda r: r["seconds"])
                   for name in ("check", "openpyxl", "calamine")}
    base = results["openpyxl"]["seconds"]
    print(f"{'contender':<34}{'seconds':>9}{'rows':>9}{'peak MB':>9}{'vs openpyxl':>13}")
    labels = {"check": "check_file (guarded child + rules)", "openpyxl": "read_excel(engine=openpyxl)",
              "calamine": "read_excel(engine=calamine)"}
    for name, r in results.items():
        print(f"{labels[name]:<34}{r['seconds']:>9.2f}{r['rows']:>9}{r['peak_mb']:>9.0f}"
              f"{base / r['seconds']:>12.1f}×")
    if args.memory:
        print(f"\n{'contender':<34}{'tree MB':>9}{'own MB':>9}{'child MB':>10}")
        for name, r in results.items():
            print(f"{labels[name]:<34}{r['tree_mb']:>9.0f}{r['own_mb']:>9.0f}{r['child_mb']:>10.0f}")


if __name__ == "__main__":
    main()
