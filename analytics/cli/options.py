"""Options several commands share, worded once."""
from __future__ import annotations

import argparse


def db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL",
                        help="数据库（SQLAlchemy URL），默认取环境变量 LEAGUE_DB_URL，"
                             "否则为 sqlite:///data/league.db")


def user_option(parser: argparse.ArgumentParser, *, dest: str = "user",
                note: str = "") -> None:
    parser.add_argument("--user", metavar="用户名", dest=dest,
                        help=f"以该账号的身份和权限操作{note}；不填则为本机管理员（system）")
