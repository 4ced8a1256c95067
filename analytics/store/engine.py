"""The database engine: SQLite by default, any SQLAlchemy URL otherwise.

The application creates and upgrades its own schema with alembic (the
revisions in `migrations/versions`), at start-up and by
`python -m analytics db upgrade`. Nobody runs DDL by hand.
"""
from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from analytics.store import tables
from analytics.errors import ConcurrentImport, StorageUnavailable

DEFAULT_URL = "sqlite:///data/league.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_LOCK_TIMEOUT = "30s"


def database_url(url: str | None = None) -> str:
    """`url`, else $LEAGUE_DB_URL, else the SQLite file data/league.db."""
    return url or os.environ.get("LEAGUE_DB_URL") or DEFAULT_URL


def get_engine(url: str | None = None, *, upgrade: bool = True) -> Engine:
    """An engine for `url` (see `database_url`) with the schema up to date
    (`upgrade=False` leaves the schema as it is, for `db current`).

    >>> engine = get_engine("sqlite:///:memory:")
    """
    url = database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed)
    else:
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, pool_pre_ping=True)
    if upgrade:
        upgrade_schema(engine)
    return engine


def _sqlite_engine(parsed) -> Engine:
    database = parsed.database
    if database and os.path.exists(database) and not _writable_folder(database):
        return _read_only_sqlite_engine(database)
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        # accounts (password hashes) and every upload: readable by the server's user only;
        # SQLite gives its -wal and -shm files the database file's mode
        if not os.path.exists(database):
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
    engine = create_engine(parsed)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # let SQLAlchemy's "begin" event decide how transactions start
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _writable_folder(database: str) -> bool:
    return os.access(Path(database).resolve().parent, os.W_OK)


def _read_only_sqlite_engine(database: str) -> Engine:
    """A database on a read-only disk: opened `immutable` (WAL needs to write its -shm file
    even to read), so the dashboards still show; every write fails as `StorageUnavailable`."""
    import sqlite3

    uri = Path(database).resolve().as_uri() + "?immutable=1"
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True,
                                                                       check_same_thread=False))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA query_only=ON")

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN")

    _read_only_files[engine] = Path(database).resolve()
    return engine


_read_only_files: "weakref.WeakKeyDictionary[Engine, Path]" = weakref.WeakKeyDictionary()


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory ones)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" \
            or database.startswith("file:"):
        return None
    return Path(database).resolve()


# per engine, a check every write transaction runs first (`identity.guard` sets it)
WRITE_CHECKS: "weakref.WeakKeyDictionary[Engine, Callable[[Connection], None]]" = \
    weakref.WeakKeyDictionary()


STORAGE_MESSAGE = ("服务器磁盘已满或只读，{what}没有保存。看板仍可查看；请联系管理员清理磁盘"
                   "或恢复写入权限后再试。")
MIN_FREE_BYTES = 4 * 1024 * 1024


def is_storage_error(exc: BaseException) -> bool:
    """A write that failed because the disk is full or read-only (not a bug, not a lock)."""
    message = str(getattr(exc, "orig", exc)).lower()
    return any(m in message for m in ("readonly database", "read-only", "disk is full",
                                      "no space left", "disk i/o error",
                                      "attempt to write a readonly"))


@contextmanager
def storage_errors(what: str = "数据") -> Iterator[None]:
    """Turn a full or read-only disk into `StorageUnavailable` with a Chinese message."""
    try:
        yield
    except (OperationalError, OSError) as exc:
        if isinstance(exc, OSError) and exc.errno not in (28, 30):     # ENOSPC, EROFS
            raise
        if isinstance(exc, OperationalError) and not is_storage_error(exc):
            raise
        raise StorageUnavailable(STORAGE_MESSAGE.format(what=what)) from exc


def storage_problem(engine: Engine) -> str | None:
    """Why nothing can be saved now (SQLite: its folder read-only, or under 4 MB free); None if fine."""
    if engine.dialect.name != "sqlite":
        return None
    path = _read_only_files.get(engine) or sqlite_path(str(engine.url))
    if path is None:
        return None
    import shutil

    folder = path.parent
    if not os.access(folder, os.W_OK):
        return "服务器磁盘只读：看板仅供查看，上传、修改目标和账号等操作暂不可用，请联系管理员。"
    try:
        if shutil.disk_usage(folder).free < MIN_FREE_BYTES:
            return "服务器磁盘已满：看板仅供查看，上传、修改目标和账号等操作暂不可用，请联系管理员清理磁盘。"
    except OSError:
        return None
    return None


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the write lock from its first statement.

    SQLite: BEGIN IMMEDIATE; PostgreSQL: the `data_version` counter row is
    locked first. Writers therefore queue up instead of failing half-way, and
    a writer that waited sees what the previous one committed. A writer that
    waits too long gets `ConcurrentImport`.
    """
    is_sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as conn:
            if is_sqlite:
                conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                if not is_sqlite:
                    if engine.dialect.name == "postgresql":
                        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{PG_LOCK_TIMEOUT}'")
                    conn.execute(
                        tables.counters.update()
                        .where(tables.counters.c.name == "data_version")
                        .values(value=tables.counters.c.value))
                check = WRITE_CHECKS.get(engine)
                if check is not None:      # `identity.guard`: is it still the same database?
                    check(conn)
                yield conn
    except OperationalError as exc:
        if _is_lock_timeout(exc):
            raise ConcurrentImport("另一个导入或撤销正在进行，请稍后再试。") from exc
        if is_storage_error(exc):
            raise StorageUnavailable(STORAGE_MESSAGE.format(what="数据")) from exc
        raise


def _is_lock_timeout(exc: DBAPIError) -> bool:
    message = str(exc.orig).lower()
    return "database is locked" in message or "lock timeout" in message


def bump_data_version(conn: Connection) -> None:
    """Mark the data as changed (in the caller's transaction)."""
    conn.execute(tables.counters.update()
                 .where(tables.counters.c.name == "data_version")
                 .values(value=tables.counters.c.value + 1))


def data_version(engine: Engine) -> int:
    """A number that changes whenever stored data changes: the UI's cache key."""
    with engine.connect() as conn:
        value = conn.execute(select(tables.counters.c.value)
                             .where(tables.counters.c.name == "data_version")).scalar()
    return int(value or 0)


# --- migrations ---------------------------------------------------------------

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BASELINE = "0001"          # the schema before alembic, when `schema_version` held 1
_UPGRADE_LOCK = 4242001    # PostgreSQL advisory lock id: one start-up upgrades at a time


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code (no alembic.ini): the revisions in migrations/."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    """The newest revision in migrations/versions."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at (None: empty, or made before alembic)."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade_schema(engine: Engine) -> str:
    """Bring the database to the newest revision; returns it.

    One transaction holds the write lock while it runs, so two processes
    starting together upgrade once. A database made before alembic (it has
    the `schema_version` table) is stamped with the baseline first.
    """
    with engine.connect() as conn:
        if current_revision(conn) == head_revision():
            return head_revision()
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_UPGRADE_LOCK})")
            config = alembic_config(conn)
            if current_revision(conn) is None and conn.dialect.has_table(conn, "schema_version"):
                command.stamp(config, BASELINE)
            command.upgrade(config, "head")
    return head_revision()


def fetch_all(conn: Connection, query) -> list[tuple]:
    """The rows of `query` as plain tuples, straight through the DBAPI cursor: for 10⁴–10⁶
    rows SQLAlchemy's Row objects cost more than the query itself."""
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()
