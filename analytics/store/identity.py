"""Which database this is, and refusing to write into one that is gone or replaced.

A database carries a random `database_id` (counter row, alembic 0003). The
data folder ($LEAGUE_DATA_DIR or data/) remembers, in `databases.json`, the
id of every database the app has opened. Start-up (`open_database`) then
refuses, with a Chinese message, when a remembered database is missing or
holds another id, instead of creating an empty one, reloading the sample
data and a new `admin` over the old accounts and uploads.

While running, `guard` checks before every SQLite transaction that the
file at the path is still the file that was opened (device and inode: a
deleted file keeps taking writes through open connections, a moved folder
too), and every write transaction checks the database id (PostgreSQL too).
"""
from __future__ import annotations

import json
import logging
import os
import weakref
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, event, select
from sqlalchemy.engine import make_url

from analytics.errors import DatabaseGone
from analytics.store import engine as engines
from analytics.store import tables
from analytics.store.engine import database_url, get_engine, sqlite_path

log = logging.getLogger(__name__)

MEMORY_FILE = "databases.json"
DATABASE_ID = "database_id"
RESTORE_HINT = ("请从备份恢复数据库文件后重启；如确实要从空数据库重新开始，"
                "请先删除数据文件夹中的 {memory}。")


def data_dir() -> Path:
    """Where the server keeps its own files: $LEAGUE_DATA_DIR or data/."""
    return Path(os.environ.get("LEAGUE_DATA_DIR") or "data")


@dataclass(frozen=True)
class Identity:
    """What an open database must still be: its id, and for SQLite its file."""

    database_id: int
    path: Path | None = None
    file: tuple[int, int] | None = None        # (st_dev, st_ino) of the SQLite file


_guarded: weakref.WeakKeyDictionary[Engine, Identity] = weakref.WeakKeyDictionary()


def memory_key(url: str) -> str:
    """How databases.json names a database: the SQLite file's absolute path, else the URL
    without its password."""
    path = sqlite_path(url)
    return str(path) if path else make_url(url).render_as_string(hide_password=True)


def remembered(folder: Path) -> dict[str, dict]:
    """databases.json of `folder` ({} when there is none yet)."""
    try:
        return json.loads((folder / MEMORY_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise DatabaseGone(f"数据文件夹中的 {MEMORY_FILE} 无法读取（{exc}），"
                           "为避免覆盖数据，看板不会启动；请检查该文件。") from exc


def remember(folder: Path, url: str, database_id: int) -> None:
    """Write this database's id into databases.json (owner-readable only)."""
    known = remembered(folder)
    known[memory_key(url)] = {"database_id": database_id,
                              "since": datetime.now().isoformat(timespec="seconds")}
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / (MEMORY_FILE + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(known, out, ensure_ascii=False, indent=1)
    os.replace(temporary, folder / MEMORY_FILE)


def read_database_id(conn: Connection) -> int | None:
    c = tables.counters.c
    value = conn.execute(select(c.value).where(c.name == DATABASE_ID)).scalar()
    return None if value is None else int(value)


def open_database(url: str | None = None, folder: Path | None = None, *,
                  upgrade: bool = True, remember_new: bool = True) -> Engine:
    """The engine of `url` after checking it is the database the data folder remembers.

    A database never seen before is remembered (unless `remember_new` is false:
    the command line's `--db` names a database it checks but does not adopt).
    Raises `DatabaseGone` when a remembered SQLite file is missing (before
    anything is created), or the database holds another id (or none: an empty
    PostgreSQL database where one existed before). `upgrade=False` leaves the
    schema as it is (`db current`).
    """
    url = database_url(url)
    folder = folder or data_dir()
    known = remembered(folder).get(memory_key(url))
    path = sqlite_path(url)
    if known and path is not None and not path.exists():
        raise DatabaseGone(f"数据库文件 {path} 不见了（被删除或移动）。为避免数据丢失，"
                           "看板不会新建空数据库。" + RESTORE_HINT.format(memory=MEMORY_FILE))
    engine = get_engine(url, upgrade=upgrade)
    with engine.connect() as conn:
        found = _database_id_if_any(conn) if not upgrade else read_database_id(conn)
    if known and found != known["database_id"]:
        engine.dispose()
        raise DatabaseGone(_replaced_message(url, path))
    if found is None:
        if not upgrade:          # a schema not yet upgraded: nothing to check or remember
            return engine
        engine.dispose()         # only a database the app cannot stamp (never after 0003)
        raise DatabaseGone("数据库缺少编号，无法确认是哪一个数据库；请运行 python -m analytics db upgrade。")
    if not known and remember_new:
        try:
            remember(folder, url, found)
        except OSError as exc:       # a read-only or full disk: nothing can be written anyway
            log.warning("无法在 %s 记下数据库编号：%s", folder, exc)
    guard(engine, found, path)
    return engine


def _database_id_if_any(conn: Connection) -> int | None:
    """The id of a database whose schema may predate it (no counters table yet: None)."""
    if not conn.dialect.has_table(conn, tables.counters.name):
        return None
    return read_database_id(conn)


def _replaced_message(url: str, path: Path | None) -> str:
    where = f"数据库文件 {path}" if path else f"数据库 {make_url(url).render_as_string(hide_password=True)}"
    return (f"{where} 已被替换，不是看板上次使用的数据库。为避免数据丢失，看板不会在其中写入。"
            + RESTORE_HINT.format(memory=MEMORY_FILE))


def guard(engine: Engine, database_id: int, path: Path | None = None) -> None:
    """From now on, refuse every transaction when the SQLite file is gone or another one,
    and every write when the database id changed (see `check_write`)."""
    file = None
    if path is not None:
        st = os.stat(path)
        file = (st.st_dev, st.st_ino)
    _guarded[engine] = Identity(database_id, path, file)
    engines.WRITE_CHECKS[engine] = check_write
    if path is not None and not event.contains(engine, "begin", _check_file_on_begin):
        event.listen(engine, "begin", _check_file_on_begin, insert=True)   # before BEGIN


def problem(engine: Engine) -> str | None:
    """Why this engine's database must not be used any more (None: it is fine)."""
    identity = _guarded.get(engine)
    if identity is None or identity.path is None:
        return None
    try:
        st = os.stat(identity.path)
    except OSError:
        return (f"数据库文件 {identity.path} 不见了（被删除或移动），已停止写入，"
                "刚才的操作没有保存。" + RESTORE_HINT.format(memory=MEMORY_FILE))
    if (st.st_dev, st.st_ino) != identity.file:
        return _replaced_message("sqlite://", identity.path)
    return None


def _check_file_on_begin(conn: Connection) -> None:
    message = problem(conn.engine)
    if message:
        raise DatabaseGone(message)


def check_write(conn: Connection) -> None:
    """Inside a write transaction: refuse when the database is not the one opened."""
    identity = _guarded.get(conn.engine)
    if identity is None:
        return
    if read_database_id(conn) != identity.database_id:
        raise DatabaseGone(_replaced_message(str(conn.engine.url), identity.path))
