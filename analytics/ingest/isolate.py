"""Parsing in a child process with memory and time limits.

A file that makes the native parser abort or balloon kills only that
child: the caller gets `UnreadableFile`, never a crash. The child starts
from a bare interpreter (no pandas) and sends the sheets back packed.
"""
from __future__ import annotations

import os
import pickle
import selectors
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from analytics.errors import ParserBusy, UnreadableFile
from analytics.ingest.sniff import MB, Limits, check_sheet_ranges


# --- the worker pool ----------------------------------------------------------

BUSY_MESSAGE = "正在处理其他文件，请稍后再试"
BUSY_WAIT_S = 5.0       # how long an upload waits for a slot other people's files hold


class ParsePool:
    """How many parsing children run at once: `max_parallel` in all, `max_per_user` each.

    When other people's files fill the pool, an upload waits up to `BUSY_WAIT_S`
    for a slot (a normal sheet parses in a second or two, so at month's end the
    uploads queue briefly instead of being sent back), then refuses (`ParserBusy`).
    Waiting starts no child, so three hostile uploads at once still never add up
    to more than `max_parallel` children's memory. A user's own second file is
    refused at once: it would only wait behind their first.
    """

    def __init__(self) -> None:
        self._free = threading.Condition()
        self._running = 0
        self._by_owner: Counter[str] = Counter()

    def acquire(self, owner: str | None, limits: Limits) -> None:
        def owner_full() -> bool:
            return owner is not None and self._by_owner[owner] >= limits.max_per_user

        with self._free:
            if owner_full():
                raise ParserBusy(f"{BUSY_MESSAGE}（您上传的另一个文件还在处理中）")
            if not self._free.wait_for(lambda: self._running < limits.max_parallel,
                                       timeout=BUSY_WAIT_S):
                raise ParserBusy(f"{BUSY_MESSAGE}（服务器正在处理其他人上传的文件）")
            if owner_full():           # the same user's other tab took a slot meanwhile
                raise ParserBusy(f"{BUSY_MESSAGE}（您上传的另一个文件还在处理中）")
            self._running += 1
            if owner is not None:
                self._by_owner[owner] += 1

    def release(self, owner: str | None) -> None:
        with self._free:
            self._running = max(self._running - 1, 0)
            if owner is not None:
                self._by_owner[owner] -= 1
                if self._by_owner[owner] <= 0:
                    del self._by_owner[owner]
            self._free.notify_all()

    @property
    def running(self) -> int:
        return self._running


POOL = ParsePool()


# --- the child process --------------------------------------------------------

PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_CHILD_CODE = "from analytics.ingest.isolate import child_main; child_main()"


class ChildParse:
    """`parse.parse_raw_packed(data, fmt, name)` running in a child process; the caller may
    work meanwhile, then ask `result()`.

    The child gets `limits.memory_bytes` of address space and
    `limits.timeout_s` seconds; if it dies (native abort, out of memory) or
    overruns, `result()` raises `UnreadableFile`. `hook` is for tests only:
    "abort", "hang" or "balloon" make the child misbehave on purpose. The
    child holds a slot of `POOL` (for `owner` and overall) until `result()`
    or `close()`; a full pool raises `ParserBusy` before anything starts.
    """

    def __init__(self, data: bytes, fmt: str, *, name: str = "", limits: Limits = Limits(),
                 hook: str | None = None, owner: str | None = None) -> None:
        self.limits = limits
        self.owner = owner
        POOL.acquire(owner, limits)          # waits briefly, then ParserBusy: nothing started
        self._released = False
        self.started = time.monotonic()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        try:
            self.proc = subprocess.Popen([sys.executable, "-c", _CHILD_CODE],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, env=env)
        except BaseException:
            self._release()
            raise
        stdin, self.proc.stdin = self.proc.stdin, None   # communicate() must not touch it again
        try:   # the child reads the whole job at once, so this returns promptly
            stdin.write(pickle.dumps((data, fmt, name, limits, hook), protocol=pickle.HIGHEST_PROTOCOL))
        except (BrokenPipeError, OSError):
            pass   # the child died early: result() reports it
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def _release(self) -> None:
        if not self._released:
            self._released = True
            POOL.release(self.owner)

    def close(self) -> None:
        """Stop the child if it still runs and free its pool slot (safe to call twice)."""
        try:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            if self.proc.stdout:
                self.proc.stdout.close()
        finally:
            self._release()

    def __del__(self) -> None:        # a caller that never asked for the result
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finaliser
            pass

    def result(self) -> list:
        try:
            out = self._read_answer()
        finally:
            self.close()
        status, result = pickle.loads(out)
        if status == "error":
            raise UnreadableFile(result)
        return result

    def _read_answer(self) -> bytes:
        """The child's whole answer, never more than `max_answer_bytes` (the parent's bound)."""
        deadline = self.started + self.limits.timeout_s
        chunks, size = [], 0
        with selectors.DefaultSelector() as selector:
            selector.register(self.proc.stdout, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise UnreadableFile(f"文件处理超时（超过 {self.limits.timeout_s:g} 秒），"
                                         "疑似异常文件；请精简后再上传")
                if not selector.select(min(left, 1.0)):
                    continue
                chunk = os.read(self.proc.stdout.fileno(), 4 * MB)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.limits.max_answer_bytes:
                    raise UnreadableFile(
                        f"文件内容过多（解析结果超过 {self.limits.max_answer_bytes // MB} MB），"
                        "请拆分后再上传")
                chunks.append(chunk)
        self.proc.wait(timeout=max(deadline - time.monotonic(), 1.0))
        out = b"".join(chunks)
        if self.proc.returncode != 0 or not out:
            raise UnreadableFile("文件无法解析（读取时出错，可能已损坏或结构异常）；"
                                 "请用 Excel 打开后重新保存再上传")
        return out


def child_main() -> None:
    """Entry point of the parsing child: read the job from stdin, pickle the answer to stdout."""
    import resource

    data, fmt, name, limits, hook = pickle.load(sys.stdin.buffer)
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = int(limits.timeout_s) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    try:
        _misbehave(hook)
        from analytics.ingest.parse import parse_raw_packed

        formula_parts = check_sheet_ranges(data, limits) if fmt == "xlsx" else None
        answer = ("ok", parse_raw_packed(data, fmt, name=name, formula_parts=formula_parts))
    except UnreadableFile as exc:
        answer = ("error", str(exc))
    except MemoryError:
        answer = ("error", "文件过大或结构异常，解析时超出内存限制；请拆分后再上传")
    pickle.dump(answer, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


def _misbehave(hook: str | None) -> None:
    if hook == "abort":
        os.abort()
    if hook == "hang":
        import time
        time.sleep(3600)
    if hook == "balloon":
        _ = bytearray(1 << 40)
