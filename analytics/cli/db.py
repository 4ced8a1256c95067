"""`db` sub-commands: the database schema (alembic revisions) at the command line."""
from __future__ import annotations

import argparse

from analytics.cli.options import db_option, open_engine

_FORMAT = argparse.RawDescriptionHelpFormatter


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "db", help="数据库结构：升级到最新版本、查看当前版本",
        description="数据库结构由程序自己维护（alembic 迁移）：看板和命令行启动时会自动升级；"
                    "也可以在部署新版本后手动执行 db upgrade。",
        epilog="示例：\n  python -m analytics db upgrade\n"
               "  python -m analytics db current --db postgresql://user@host/league",
        formatter_class=_FORMAT)
    sub = parser.add_subparsers(dest="db_command", metavar="操作")
    sub.required = True
    for name, help_text, func in (("upgrade", "把数据库升级到最新版本", run_upgrade),
                                  ("current", "显示数据库当前版本和最新版本", run_current)):
        command = sub.add_parser(name, help=help_text, description=help_text + "。",
                                 epilog=f"示例：\n  python -m analytics db {name}",
                                 formatter_class=_FORMAT)
        db_option(command)
        command.set_defaults(func=func)


def _engine_without_upgrade(args: argparse.Namespace):
    return open_engine(args, upgrade=False)


def _revision(engine) -> tuple[str | None, str]:
    """(the database's revision, how to name it in Chinese)."""
    from analytics.store.engine import current_revision

    with engine.connect() as conn:
        now = current_revision(conn)
        if now is not None:
            return now, now
        if conn.dialect.has_table(conn, "schema_version"):
            return None, "旧版（启用迁移之前建立的数据库）"
    return None, "空库（尚未建表）"


def run_upgrade(args: argparse.Namespace) -> int:
    from analytics.store.engine import upgrade_schema

    engine = _engine_without_upgrade(args)
    before, before_text = _revision(engine)
    after = upgrade_schema(engine)
    if before == after:
        print(f"数据库已是最新版本（{after}），无需升级。")
    else:
        print(f"数据库已从 {before_text} 升级到 {after}。")
    return 0


def run_current(args: argparse.Namespace) -> int:
    from analytics.store.engine import head_revision

    now, now_text = _revision(_engine_without_upgrade(args))
    head = head_revision()
    state = "已是最新" if now == head else "需要升级：python -m analytics db upgrade"
    print(f"当前版本：{now_text}；最新版本：{head}（{state}）")
    return 0
