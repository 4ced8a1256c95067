"""Parsing in a child process with memory and time limits.

A file that makes the native parser abort or balloon kills only that
child: the caller gets `UnreadableFile`, never a crash. The child starts
from a bare interpreter (no pandas) and sends the sheets back packed.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

from analytics.errors import UnreadableFile
from analytics.ingest.sniff import Limits, check_sheet_ranges


# --- the child process --------------------------------------------------------

PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_CHILD_CODE = "from analytics.ingest.isolate import child_main; child_main()"


class ChildParse:
    """`parse.parse_raw_packed(data, fmt, name)` running in a child process; the caller may
    work meanwhile, then ask `result()`.

    The child gets `limits.memory_bytes` of address space and
    `limits.timeout_s` seconds; if it dies (native abort, out of memory) or
    overruns, `result()` raises `UnreadableFile`. `hook` is for tests only:
    "abort", "hang" or "balloon" make the child misbehave on purpose.
    """

    def __init__(self, data: bytes, fmt: str, *, name: str = "", limits: Limits = Limits(),
                 hook: str | None = None) -> None:
        self.limits = limits
        self.started = time.monotonic()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        self.proc = subprocess.Popen([sys.executable, "-c", _CHILD_CODE], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
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

    def result(self) -> list:
        remaining = max(self.limits.timeout_s - (time.monotonic() - self.started), 0.1)
        try:
            out, _ = self.proc.communicate(timeout=remaining)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            raise UnreadableFile(f"文件处理超时（超过 {self.limits.timeout_s:g} 秒），疑似异常文件；"
                                 "请精简后再上传") from None
        if self.proc.returncode != 0 or not out:
            raise UnreadableFile("文件无法解析（读取时出错，可能已损坏或结构异常）；"
                                 "请用 Excel 打开后重新保存再上传")
        status, result = pickle.loads(out)
        if status == "error":
            raise UnreadableFile(result)
        return result


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
