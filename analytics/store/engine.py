"""The database engine: SQLite by default, any SQLAlchemy URL otherwise.

The application creates and upgrades its own schema with alembic (the
revisions in `migrations/versions`), at start-up and by
`python -m analytics db upgrade`. Nobody runs DDL by hand.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
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
from analytics.errors import ConcurrentImport

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
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        # accounts (password hashes) and every upload: readable by the server's user only;
        # SQLite gives its -wal and -shm files the database file's mode
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
                from analytics.store.identity import check_write

                check_write(conn)
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
