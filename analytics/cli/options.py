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


def open_engine(args: argparse.Namespace, *, upgrade: bool = True):
    """The database a command works on: `--db`, else $LEAGUE_DB_URL, else data/league.db.

    The same rule as the web app (`identity.open_database`): when the data folder
    ($LEAGUE_DATA_DIR or data/) remembers a database at that place and it is gone or
    another one, the command stops with a Chinese message (exit 2) and creates nothing.
    The deployment's own database (no `--db`) is remembered; one named by `--db` is
    only checked, so a throwaway database does not enter the folder's memory.
    """
    from analytics.store import identity

    db = getattr(args, "db", None)
    return identity.open_database(db, upgrade=upgrade, remember_new=db is None)
