"""Reading stored rows back as canonical frames, one per kind.

Only active rows are read, of the years and districts asked for, all kinds
in one snapshot (a file's sheets commit together, so a reader sees all of
them or none); results are cached per data version, so any store, replace
or rollback invalidates them. Column dtypes come from `schema`.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, Engine, select, true

from analytics import schema
from analytics.metrics.records import with_record_study
from analytics.store import tables

if TYPE_CHECKING:
    pass


_FRAME_CACHE: dict[tuple, dict[str, pd.DataFrame]] = {}
_FRAME_CACHE_SIZE = 8
_FRAME_CACHE_LOCK = threading.Lock()


def load_frames(engine: Engine, *, years: Iterable[int] | None = None,
                districts: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """The active rows as canonical frames, keyed by kind.

    The `study` frame also holds the study rows derived from learner records
    and the roster (`metrics.records.with_record_study`, rows with a `branch`).

    Only the given years (months of those years; targets of those years) and
    districts are read. Results are cached per (database, data_version,
    years, districts), so a repeated read costs a copy, and any
    store/replace/rollback invalidates it.
    """
    years_key = tuple(sorted(set(years))) if years is not None else None
    districts_key = tuple(sorted(set(districts))) if districts is not None else None
    with _snapshot(engine) as conn:
        version = conn.execute(select(tables.counters.c.value)
                               .where(tables.counters.c.name == "data_version")).scalar()
        key = (str(engine.url), id(engine), int(version or 0), years_key, districts_key)
        with _FRAME_CACHE_LOCK:
            cached = _FRAME_CACHE.get(key)
        fresh = cached is None
        if fresh:
            cached = with_record_study({kind: _read_kind(conn, kind, years_key, districts_key)
                                        for kind in schema.KINDS})
    if fresh:
        with _FRAME_CACHE_LOCK:
            while len(_FRAME_CACHE) >= _FRAME_CACHE_SIZE:
                _FRAME_CACHE.pop(next(iter(_FRAME_CACHE)))
            _FRAME_CACHE[key] = cached
    return {kind: frame.copy() for kind, frame in cached.items()}


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A read transaction that sees one committed state from its first statement on.

    A file of several sheets commits in one transaction; reading the kinds in
    one snapshot means a reader sees all of it or none of it. SQLite (WAL):
    one deferred transaction; PostgreSQL: REPEATABLE READ.
    """
    with engine.connect() as conn:
        if engine.dialect.name != "sqlite":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _read_kind(conn: Connection, kind: str, years: tuple[int, ...] | None,
               districts: tuple[str, ...] | None) -> pd.DataFrame:
    table = tables.DATA_TABLES[kind]
    columns = list(schema.KINDS[kind].columns)
    query = select(*(table.c[c] for c in columns)).where(table.c.active == true())
    if years is not None:
        if schema.KINDS[kind].scope_field == "year":
            query = query.where(table.c.year.in_(years))
        elif schema.KINDS[kind].carried_forward:     # a roster of an earlier year still holds
            query = query.where(table.c.month <= f"{max(years)}-12")
        else:
            months = [f"{y}-{m:02d}" for y in years for m in range(1, 13)]
            query = query.where(table.c.month.in_(months))
    if districts is not None:
        query = query.where(table.c.district.in_(districts))
    # straight through the DBAPI cursor: SQLAlchemy's Row objects cost more than the query
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    frame = pd.DataFrame.from_records(rows, columns=columns, coerce_float=False) \
        if rows else pd.DataFrame({c: [] for c in columns}, dtype=object)
    return _canonical_dtypes(kind, frame)


def _canonical_dtypes(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    for name, dtype in schema.KINDS[kind].dtypes.items():
        if dtype in ("object", "datetime64[ns]"):
            continue
        column = frame[name]
        if dtype == "int64" and column.isna().any():
            dtype = "Int64"
        frame[name] = column.astype("float64" if dtype == "float64" else dtype) \
            if len(column) else column.astype(dtype)
    if "date" in frame:
        frame["date"] = pd.to_datetime(frame["date"].astype(str), format="%Y-%m-%d")
    return frame
