"""Reading stored rows back as canonical frames, one per kind.

Only active rows are read, of the years and districts asked for, all kinds
in one snapshot (a file's sheets commit together, so a reader sees all of
them or none). Column dtypes come from `schema`; rows come in stored order
(batch, then row id).

The rows a batch stored never change: a store, replace or rollback only
switches whole scopes of batches on or off (`batch_scopes.active`). So the
frames of a (years, districts) selection are kept between data versions
with the batch and active scopes each row came from, and a new version
costs only what changed: the rows of new (or re-activated) batches are
read, those of switched-off scopes dropped. After an upload that is one
batch, not the whole year. The SQL database stays the only source of
truth: what is kept is rebuilt from it whenever the active set says so.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, select, true

from analytics import schema
from analytics.metrics.compact import INDICATOR_COLUMNS, concat_indicator_rows, indicator_frames
from analytics.metrics.records import with_record_study
from analytics.store import tables
from analytics.store.engine import fetch_all

_KEPT_SELECTIONS = 8          # (database, years, districts) selections kept between versions
_KEPT: dict[tuple, "_Kept"] = {}
_KEPT_LOCK = threading.Lock()


@dataclass(frozen=True)
class _KindRows:
    """The rows of one kind of a selection, in batch order, and where each batch's run is."""

    frame: pd.DataFrame
    batch_ids: np.ndarray                    # one per row, ascending
    signatures: dict[int, object]            # batch id -> its active scopes when read
    compact: pd.DataFrame | None = None      # `metrics.compact.indicator_frames`, row for row


@dataclass(frozen=True)
class _Kept:
    version: int
    kinds: dict[str, _KindRows]
    frames: dict[str, pd.DataFrame]          # with_record_study of the kinds' frames
    compact: dict[str, pd.DataFrame]         # `frames` as the indicators read them


def load_frames(engine: Engine, *, years: Iterable[int] | None = None,
                districts: Iterable[str] | None = None,
                copy: bool = True, compact: bool = False) -> dict[str, pd.DataFrame]:
    """The active rows as canonical frames, keyed by kind.

    The `study` frame also holds the study rows derived from learner records
    and the roster (`metrics.records.with_record_study`, rows with a `branch`).

    Only the given years (months of those years; targets of those years) and
    districts are read. The frames are kept per (database, years, districts):
    a repeated read at the same data version costs a copy, and a new version
    reads only the batches whose active scopes changed (`_active_batches`).
    `copy=False` hands out the kept frames themselves, for a caller that
    never modifies them (the dashboard's shared cache): a year of a city is
    ~10⁶ rows and a copy of them costs ~0.4 s. `compact=True` (implies
    `copy=False`) hands out the frames as the indicators read them
    (`metrics.compact.indicator_frames`), kept and extended per batch too.
    """
    kept = _kept(engine, years, districts)
    if compact:
        return dict(kept.compact)
    if not copy:
        return dict(kept.frames)
    return {kind: frame.copy() for kind, frame in kept.frames.items()}


def load_frame_pair(engine: Engine, *, years: Iterable[int] | None = None,
                    districts: Iterable[str] | None = None
                    ) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """(`load_frames(copy=False)`, `load_frames(compact=True)`) of one data version: the
    full and the compact frames row for row, for a caller reading both (the star list:
    hours from the codes, names from the full rows). Shared read-only like `copy=False`."""
    kept = _kept(engine, years, districts)
    return dict(kept.frames), dict(kept.compact)


def _kept(engine: Engine, years: Iterable[int] | None,
          districts: Iterable[str] | None) -> _Kept:
    """The kept frames of a selection at the current data version (only changes read)."""
    years_key = tuple(sorted(set(years))) if years is not None else None
    districts_key = tuple(sorted(set(districts))) if districts is not None else None
    key = (str(engine.url), id(engine), years_key, districts_key)
    with _snapshot(engine) as conn:
        version = int(conn.execute(select(tables.counters.c.value)
                                   .where(tables.counters.c.name == "data_version")).scalar() or 0)
        with _KEPT_LOCK:
            kept = _KEPT.get(key)
        if kept is None or kept.version != version:
            active = _active_batches(conn, years_key, districts_key)
            kinds = {kind: _kind_rows(conn, kind, years_key, districts_key,
                                      kept.kinds.get(kind) if kept else None, active[kind])
                     for kind in schema.KINDS}
            frames = with_record_study({kind: rows.frame for kind, rows in kinds.items()})
            small = {**frames, **{kind: kinds[kind].compact for kind in INDICATOR_COLUMNS
                                  if kinds[kind].compact is not None}}
            kept = _Kept(version, kinds, frames, small)
            with _KEPT_LOCK:
                _KEPT.pop(key, None)
                while len(_KEPT) >= _KEPT_SELECTIONS:
                    _KEPT.pop(next(iter(_KEPT)))
                _KEPT[key] = kept
    return kept


def _kind_rows(conn: Connection, kind: str, years: tuple[int, ...] | None,
               districts: tuple[str, ...] | None, before: _KindRows | None,
               wanted: dict[int, object]) -> _KindRows:
    """The selection's rows of `kind`: runs of `before` whose batch is unchanged, the rest
    read. `wanted`: the kind's active batches (`_active_batches`)."""
    old = before.signatures if before is not None else {}
    missing = {b for b, sig in wanted.items() if sig is None or old.get(b) != sig}
    if before is not None and not missing and list(wanted) == list(old):
        return before                                     # nothing of this kind changed
    if before is None:                                    # the first read: every active row
        fresh = _read_kind(conn, kind, years, districts, batch_ids=None)
        # rows of a batch the scopes do not name (should not happen): read again every time
        stray = set(np.unique(fresh.batch_ids).tolist()) - set(wanted)
        return _KindRows(fresh.frame, fresh.batch_ids,
                         dict(sorted({**wanted, **dict.fromkeys(stray)}.items())), fresh.compact)
    fresh = _read_kind(conn, kind, years, districts, batch_ids=sorted(missing)) \
        if missing else None
    runs: list[tuple[_KindRows, int, int]] = []           # (source, first row, end row)
    for batch in wanted:                                  # ascending batch ids
        source = fresh if batch in missing else before
        lo, hi = (int(i) for i in np.searchsorted(source.batch_ids, [batch, batch + 1]))
        if runs and runs[-1][0] is source and runs[-1][2] == lo:
            runs[-1] = (source, runs[-1][1], hi)
        elif hi > lo:
            runs.append((source, lo, hi))
    if not runs:
        empty = _read_kind(conn, kind, years, districts, batch_ids=[])
        return _KindRows(empty.frame, empty.batch_ids, wanted, empty.compact)
    frame = pd.concat([src.frame.iloc[lo:hi] for src, lo, hi in runs], ignore_index=True)
    batch_ids = np.concatenate([src.batch_ids[lo:hi] for src, lo, hi in runs])
    small = concat_indicator_rows([src.compact.iloc[lo:hi] for src, lo, hi in runs]) \
        if kind in INDICATOR_COLUMNS else None
    return _KindRows(_integer_dtypes(kind, frame), batch_ids, wanted, small)


def _compact_of(kind: str, frame: pd.DataFrame) -> pd.DataFrame | None:
    return indicator_frames({kind: frame})[kind] if kind in INDICATOR_COLUMNS else None


def _integer_dtypes(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Integer columns as a whole read gives them: int64 unless a value is missing (Int64)."""
    for name, dtype in schema.KINDS[kind].dtypes.items():
        if dtype == "int64" and len(frame):
            has_na = bool(frame[name].isna().any())
            if str(frame[name].dtype) != ("Int64" if has_na else "int64"):
                frame[name] = frame[name].astype("Int64" if has_na else "int64")
    return frame


def _active_batches(conn: Connection, years: tuple[int, ...] | None,
                    districts: tuple[str, ...] | None) -> dict[str, dict[int, object]]:
    """Per kind: batch id -> its active scope ids (None: a batch without scopes, read every
    time), for the batches with an active scope in the years and districts, ascending.

    Two queries for every kind (the active scopes of the districts, the scope-less active
    batches), each kind's periods picked here: the scopes are a few 10⁴ rows, nine queries
    of them cost more than one."""
    s, b = tables.batch_scopes, tables.batches
    query = select(s.c.kind, s.c.period, s.c.batch_id, s.c.id).where(s.c.active == true())
    if districts is not None:
        query = query.where(s.c.district.in_(districts))
    wanted_periods: dict[str, object] = {}
    for kind, k in schema.KINDS.items():
        if years is None:
            wanted_periods[kind] = None
        elif k.scope_field == "year":
            wanted_periods[kind] = {str(y) for y in years}
        elif k.carried_forward:
            wanted_periods[kind] = f"{max(years)}-12"          # every period up to it
        else:
            wanted_periods[kind] = {f"{y}-{m:02d}" for y in years for m in range(1, 13)}
    found: dict[str, dict[int, list[int]]] = {kind: {} for kind in schema.KINDS}
    for kind, period, batch_id, scope_id in fetch_all(conn, query.order_by(s.c.batch_id,
                                                                             s.c.id)):
        if kind not in found:
            continue
        allowed = wanted_periods[kind]
        if allowed is not None and not (period <= allowed if isinstance(allowed, str)
                                        else period in allowed):
            continue
        found[kind].setdefault(batch_id, []).append(scope_id)
    # batches stored before scopes were recorded: no scope rows at all, rows read every time
    bare = conn.execute(select(b.c.kind, b.c.id).where(
        b.c.status == "active",
        ~select(s.c.id).where(s.c.batch_id == b.c.id).exists())).all()
    out: dict[str, dict[int, object]] = {}
    for kind in schema.KINDS:
        batches: dict[int, object] = {batch: tuple(scopes)
                                      for batch, scopes in found[kind].items()}
        batches.update({batch: None for k, batch in bare if k == kind})
        out[kind] = dict(sorted(batches.items()))
    return out


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
               districts: tuple[str, ...] | None, *, batch_ids: list[int] | None) -> _KindRows:
    """The active rows of some batches (None: all) of `kind` in the years and districts,
    in stored order: by batch, then row id (sorted here: an ORDER BY costs SQLite a temp
    B-tree over the whole year)."""
    table = tables.DATA_TABLES[kind]
    columns = list(schema.KINDS[kind].columns)
    query = select(table.c.batch_id, table.c.id, *(table.c[c] for c in columns)).where(
        table.c.active == true())
    if batch_ids is not None:
        query = query.where(table.c.batch_id.in_(batch_ids))
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
    rows = fetch_all(conn, query)
    names = ["batch_id", "id", *columns]
    frame = pd.DataFrame.from_records(rows, columns=names, coerce_float=False) \
        if rows else pd.DataFrame({c: [] for c in names}, dtype=object)
    del rows
    batch_of_row = frame.pop("batch_id").to_numpy(dtype="int64")
    row_ids = frame.pop("id").to_numpy(dtype="int64")
    order = np.lexsort((row_ids, batch_of_row))
    if len(order) and not (order == np.arange(len(order))).all():
        frame = frame.take(order).reset_index(drop=True)
        batch_of_row = batch_of_row[order]
    # one copy consolidates the columns set one by one into a block per dtype: otherwise
    # every later filter of the frame merges them again
    frame = _canonical_dtypes(kind, frame).copy()
    return _KindRows(frame, batch_of_row, {}, _compact_of(kind, frame))


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
