"""Command line: a thin layer over the library.

Each command group lives in the module closest to what it does and exposes
`register(subparsers)`; this file only collects them, turns `AnalyticsError`
into a Chinese message and an exit code, and keeps tracebacks from users.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from analytics.errors import AnalyticsError

# modules that add sub-commands, in the order `--help` lists them
COMMAND_MODULES = (
    "analytics.cli.check",      # check
    "analytics.cli.template",   # template
    "analytics.cli.storage",    # import, indicators, sample, batches
    "analytics.cli.users",      # users
    "analytics.cli.report",     # report
    "analytics.cli.reporting",  # reporting (报送情况)
    "analytics.cli.absent",     # absent
    "analytics.cli.db",         # db upgrade, db current
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analytics",
        description="团务数据看板 命令行工具：检查、导入报表，计算指标，导出报告。",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AnalyticsError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader (e.g. `| head`) went away: not an error worth a message
        sys.stderr.close()
        return 0
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback to users
        print(f"内部错误：{type(exc).__name__}。请联系管理员（设置 LEAGUE_DEBUG=1 可查看详情）。",
              file=sys.stderr)
        import os
        if os.environ.get("LEAGUE_DEBUG"):
            raise
        return 2
