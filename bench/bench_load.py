"""Many people logging in and opening 总览 at once, through Streamlit's own websocket.

A real `streamlit run dashboard.py` server; N clients connect to
/_stcore/stream at the same moment and each does what a browser does:
run the app (the login page), send the login form (user name, password,
the 登录 button, as widget states), and wait until the server has rendered
总览 (its heading, the script run finished). Per-session wall time from
connecting to 总览 done; p50 / p95 per N, plus the server's RSS. Baseline
in the same run: one session alone, cold (first visitor after start-up)
and warm. No browser: the figure is the server's own work per session
(script runs, figures, serialisation), which is what must stay shared
and cached as N grows.

    python bench/bench_load.py [--sessions 5 10 20] [--db sqlite:///bench/out/load.db]

Short by design: the bundled sample data, a minute or two on 2 cores.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Bench-pass-123"
TIMEOUT_S = 600


def prepare(url: str, users: int) -> None:
    """The bundled sample data and `users` viewer accounts bench1…benchN."""
    from analytics import access
    from analytics.errors import InvalidAccount
    from analytics.store import accounts
    from analytics.store.batches import has_data
    from analytics.store.engine import get_engine
    from analytics.store.sample import load_sample

    engine = get_engine(url)
    if not has_data(engine):
        print("loading the bundled sample data …", flush=True)
        load_sample(engine)
    for i in range(1, users + 1):
        try:
            accounts.create_user(engine, access.SYSTEM, f"bench{i}", PASSWORD, "viewer",
                                 must_change_password=False)
        except InvalidAccount:
            pass
    engine.dispose()


# --- one client ---------------------------------------------------------------------

def _rerun(widgets=()) -> bytes:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = ""
    state.page_script_hash = ""
    for widget_id, kind, value in widgets:
        w = state.widget_states.widgets.add()
        w.id = widget_id
        setattr(w, kind, value)
    return msg.SerializeToString()


async def _until_finished(ws, seen: dict) -> None:
    """Read forward messages until a script run finishes; note widget ids and headings."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    while True:
        raw = await ws.recv()
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            what = element.WhichOneof("type")
            if what in ("text_input", "button"):
                seen[getattr(element, what).label] = getattr(element, what).id
            elif what == "heading":
                seen.setdefault("headings", []).append(element.heading.body)
            elif what == "exception":
                seen.setdefault("exceptions", []).append(element.exception.message)
        elif kind == "script_finished":
            if msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                return


async def one_session(base: str, username: str, start: asyncio.Event) -> float:
    import websockets

    await start.wait()
    began = time.perf_counter()
    url = base.replace("http", "ws") + "/_stcore/stream"
    async with websockets.connect(url, max_size=None, open_timeout=TIMEOUT_S,
                                  subprotocols=["streamlit"]) as ws:
        seen: dict = {}
        await ws.send(_rerun())
        await _until_finished(ws, seen)
        login = [(seen["用户名"], "string_value", username), (seen["密码"], "string_value", PASSWORD),
                 (seen["登录"], "trigger_value", True)]
        seen = {}
        await ws.send(_rerun(login))
        while "总览" not in seen.get("headings", []):       # login run, then st.rerun → 总览
            if seen.get("exceptions"):
                raise RuntimeError(seen["exceptions"][0])
            await _until_finished(ws, seen)
    return time.perf_counter() - began


async def _round(base: str, n: int) -> tuple[list[float], list[str]]:
    start = asyncio.Event()
    tasks = [asyncio.create_task(one_session(base, f"bench{i + 1}", start)) for i in range(n)]
    start.set()
    done = await asyncio.gather(*tasks, return_exceptions=True)
    times = sorted(t for t in done if isinstance(t, float))
    errors = [f"{type(e).__name__}: {e}" for e in done if not isinstance(e, float)]
    return times, errors


def round_of(base: str, n: int) -> tuple[list[float], list[str]]:
    return asyncio.run(asyncio.wait_for(_round(base, n), TIMEOUT_S))


# --- the server ---------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db: str, data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "LEAGUE_DB_URL": db, "LEAGUE_DATA_DIR": str(data_dir),
           "PYTHONPATH": str(ROOT)}
    env.pop("LEAGUE_PUBLIC_VIEW", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port",
         str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):           # peak resident set size
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[5, 10, 20])
    parser.add_argument("--db", default="sqlite:///bench/out/load.db")
    args = parser.parse_args()
    os.chdir(ROOT)
    Path("bench/out").mkdir(parents=True, exist_ok=True)
    prepare(args.db, max(args.sessions))
    proc, base = start_server(args.db, ROOT / "bench" / "out" / "load_data")
    errors: list[str] = []
    try:
        (cold,), errs = round_of(base, 1)
        (warm,), more = round_of(base, 1)
        errors += errs + more
        print(f"database: {args.db}   ({os.cpu_count()} cores, clients on the same machine)")
        print(f"baseline, one session alone: cold {cold:.2f} s (first after start-up), warm {warm:.2f} s")
        print(f"  {'sessions':>8}{'p50':>10}{'p95':>10}{'max':>10}{'errors':>8}"
              f"{'server RSS':>12}   p50 / warm baseline")
        for n in args.sessions:
            times, errs = round_of(base, n)
            errors += errs
            if not times:
                print(f"  {n:>8}{'—':>10}{'—':>10}{'—':>10}{len(errs):>8}")
                continue
            p50, p95 = percentile(times, 50), percentile(times, 95)
            print(f"  {n:>8}{p50:>9.2f}s{p95:>9.2f}s{times[-1]:>9.2f}s{len(errs):>8}"
                  f"{rss_mb(proc.pid):>9.0f} MB   ×{p50 / warm:.1f}", flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    for e in errors[:5]:
        print("  error:", e)


if __name__ == "__main__":
    main()
