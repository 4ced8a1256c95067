"""The database engine: SQLite by default, any SQLAlchemy URL otherwise.

The application creates and upgrades its own schema: `schema_version` holds
the applied version and `MIGRATIONS` are applied in order, each in the write
transaction that also records it. Nobody runs DDL by hand.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from analytics.store import tables
from analytics.errors import ConcurrentImport

DEFAULT_URL = "sqlite:///data/league.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_LOCK_TIMEOUT = "30s"


def database_url(url: str | None = None) -> str:
    """`url`, else $LEAGUE_DB_URL, else the SQLite file data/league.db."""
    return url or os.environ.get("LEAGUE_DB_URL") or DEFAULT_URL


def get_engine(url: str | None = None) -> Engine:
    """An engine for `url` (see `database_url`) with the schema up to date.

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
    upgrade_schema(engine)
    return engine


def _sqlite_engine(parsed) -> Engine:
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
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
                yield conn
    except OperationalError as exc:
        if _is_lock_timeout(exc):
            raise ConcurrentImport("另一个导入或撤销正在进行，请稍后再试。") from exc
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

def _v1_initial(conn: Connection) -> None:
    tables.metadata.create_all(conn)
    conn.execute(tables.counters.insert().values(name="data_version", value=0))


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_v1_initial,)


def schema_version_of(conn: Connection) -> int:
    if not conn.dialect.has_table(conn, "schema_version"):
        return 0
    return int(conn.execute(text("SELECT MAX(version) FROM schema_version")).scalar() or 0)


def upgrade_schema(engine: Engine) -> int:
    """Apply pending migrations in order; returns the schema version."""
    with engine.connect() as conn:
        if schema_version_of(conn) == len(MIGRATIONS):
            return len(MIGRATIONS)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242001)")
            current = schema_version_of(conn)
            for version, migrate in enumerate(MIGRATIONS[current:], start=current + 1):
                migrate(conn)
                conn.execute(tables.schema_version.insert().values(
                    version=version, applied_at=datetime.now()))
    return len(MIGRATIONS)
