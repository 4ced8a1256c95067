"""Storing checked sheets as batches, replacing, rolling back, reading back.

Every sheet with a table becomes a batch; a file is stored in ONE write
transaction (all its sheets or nothing). A batch covers scopes
(kind, district, period) — period is the month, or the year for targets.
Replacing marks the old rows `active=false, replaced_by=<new batch>`;
rolling a batch back deactivates its rows and re-activates what it replaced.

`store_checked` is the core (it takes a `FileCheck` from the loader);
`store_file` is `check_file` + `store_checked`.

Test-only fault hook: with $LEAGUE_TEST_FAULT set to `sleep:SECONDS[:MARKER]`
or `raise`, an import pauses (writing the file MARKER first) or fails after
inserting half of a sheet's rows, inside its transaction — the fault tests
kill or break it there.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Table, and_, func, select, true
from sqlalchemy.exc import IntegrityError

from analytics import schema
from analytics.store import tables
from analytics.store.audit import append_audit
from analytics.store.engine import bump_data_version, write_transaction
from analytics.errors import (
    AlreadyRolledBack, ConcurrentImport, NotFound, PermissionDenied, RowsRejected,
    ScopeConflict,
)

if TYPE_CHECKING:
    from analytics.access import User
    from analytics.ingest.results import FileCheck, SheetCheck


BATCH_COLUMNS = ("id", "kind", "districts", "periods", "file_name", "sha256", "username",
                 "created_at", "rows_accepted", "rows_rejected", "status")
FAULT_ENV = "LEAGUE_TEST_FAULT"
SQLITE_MAX_PARAMS = 32_766
COPY_THRESHOLD = 1_000      # rows; PostgreSQL uses COPY above this


@dataclass
class StoreResult:
    """What happened to one sheet: `status` is stored | replaced | duplicate | empty."""

    sheet: str
    kind: str
    status: str
    batch_id: int | None
    rows_stored: int
    rows_rejected: int
    scopes: list[tuple[str, str]] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)   # batches whose rows this one replaced
    message: str = ""
    rejected: list[dict] = field(default_factory=list)  # the rows left out, as in the batch record


@dataclass(frozen=True)
class Conflict:
    """A scope the file covers that an active batch already holds."""

    kind: str
    district: str
    period: str
    batch_id: int

    def describe(self) -> str:
        return f"{self.district} {self.period} 的{schema.KINDS[self.kind].label}已导入（批次 #{self.batch_id}）"


# --- storing --------------------------------------------------------------------

def store_file(engine: Engine, source: str | Path | bytes, *, filename: str | None = None,
               actor: User | None = None, district: str | None = None,
               month: str | None = None, replace: bool = False,
               skip_bad_rows: bool = False, today: date | None = None,
               is_sample: bool = False, isolate: bool = True) -> list[StoreResult]:
    """Check a file and store every sheet that holds a table (see `store_checked`).

    `isolate=False` parses in this process: only for files we ship ourselves.
    """
    from analytics.ingest.check import check_file

    checked = check_file(source, filename=filename, district=district, month=month,
                         today=today, isolate=isolate)
    return store_checked(engine, checked, actor=actor, replace=replace,
                         skip_bad_rows=skip_bad_rows, is_sample=is_sample)


def store_checked(engine: Engine, file_check: FileCheck, *, actor: User | None,
                  replace: bool = False, skip_bad_rows: bool = False,
                  is_sample: bool = False) -> list[StoreResult]:
    """Store a checked file in one transaction; raise when it must not be stored.

    Raises `RowsRejected` (rejected rows and not `skip_bad_rows`),
    `ScopeConflict` (scope already stored and not `replace`),
    `PermissionDenied`, `ConcurrentImport`. The same import (file SHA-256 plus
    the 区/月份 given at upload, `FileCheck.import_key`) stored before and
    still active is a no-op whose results say so.
    """
    from analytics.access import authorize

    if actor is None:
        authorize(None, "store", [])
    plans = [_plan_sheet(sheet, actor) for sheet in file_check.sheets if sheet.kind]
    _refuse_denied(plans, actor)          # before "already there": a viewer is refused, not told so
    with engine.connect() as conn:        # a stored file is "already there", whatever its rows
        duplicate = _duplicate_batches(conn, file_check)
    if duplicate:
        return _duplicate_results(plans, duplicate)
    _refuse_overlaps(plans)
    _refuse_bad_rows(plans, skip_bad_rows)
    try:
        with write_transaction(engine) as conn:
            duplicate = _duplicate_batches(conn, file_check)
            if duplicate:                 # stored by someone else while we checked
                return _duplicate_results(plans, duplicate)
            conflicts = [c for p in plans for c in _conflicts(conn, p.kind, p.scopes)]
            if conflicts and not replace:
                raise _scope_conflict(conflicts)
            if conflicts:
                for kind in {c.kind for c in conflicts}:
                    authorize(actor, _store_action(kind, replacing=True),
                              sorted({c.district for c in conflicts if c.kind == kind}))
            results = [_store_plan(conn, plan, file_check, actor, is_sample) for plan in plans]
            if any(r.batch_id for r in results):
                bump_data_version(conn)
            return results
    except IntegrityError as exc:
        raise ConcurrentImport("另一个导入刚刚写入了同一区县、同一月份的数据，请刷新后重试"
                               "（如需覆盖请选择“替换”）。") from exc


def _duplicate_results(plans: list[_SheetPlan], duplicate: dict[str, int]) -> list[StoreResult]:
    first = min(duplicate.values())
    return [StoreResult(p.sheet, p.kind, "duplicate", duplicate.get(p.sheet, first), 0, 0,
                        p.scopes, message=f"文件已导入过（批次 #{first}），未重复导入")
            for p in plans]


@dataclass
class _SheetPlan:
    sheet: str
    kind: str
    frame: pd.DataFrame
    rejected: list[dict]
    scopes: list[tuple[str, str]]
    denied_districts: list[str]


def _store_action(kind: str, *, replacing: bool = False) -> str:
    if kind == "targets":
        return "edit_targets"
    return "replace" if replacing else "store"


def _plan_sheet(sheet: SheetCheck, actor: User | None) -> _SheetPlan:
    """Split a sheet's accepted rows into those the actor may store and the rest."""
    from analytics.access import authorize

    frame = sheet.frame
    rejected = list(sheet.rejected)
    denied: list[str] = []
    for district in sorted(frame["district"].dropna().unique()) if len(frame) else []:
        try:
            authorize(actor, _store_action(sheet.kind), [district])
        except PermissionDenied:
            denied.append(district)
    if denied:
        mask = frame["district"].isin(denied)
        rejected += _denied_rows(sheet.kind, frame[mask])
        frame = frame[~mask]
    return _SheetPlan(sheet.sheet, sheet.kind, frame, rejected,
                      _scopes_of(sheet.kind, frame), denied)


def _denied_rows(kind: str, frame: pd.DataFrame) -> list[dict]:
    fields = schema.KINDS[kind].fields
    rows = []
    for record in frame.to_dict("records"):
        column = schema.KINDS[kind].field("district").label
        rows.append({
            "row": int(record.get("source_row") or 0),
            "values": {f.label: _text(record.get(f.name)) for f in fields},
            "errors": [f"{column}：无权导入 {record['district']} 的数据"],
        })
    return rows


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _refuse_denied(plans: list[_SheetPlan], actor: User | None) -> None:
    """When the actor may store none of the file's rows, refuse with `authorize`'s message
    (who they are, what they may not do): first the role, then the districts."""
    from analytics.access import authorize

    if any(len(p.frame) for p in plans):
        return
    for plan in plans:
        authorize(actor, _store_action(plan.kind))
    for plan in plans:
        if plan.denied_districts:
            authorize(actor, _store_action(plan.kind), plan.denied_districts)


def _refuse_bad_rows(plans: list[_SheetPlan], skip_bad_rows: bool) -> None:
    """All or nothing by default; a file with no storable row at all was refused
    earlier (`_refuse_denied`)."""
    denied = sorted({d for p in plans for d in p.denied_districts})
    count = sum(len(p.rejected) for p in plans)
    if count and not skip_bad_rows:
        extra = f"（其中无权导入 {'、'.join(denied)} 的数据）" if denied else ""
        raise RowsRejected(f"文件中有 {count} 行未通过检查{extra}，未导入任何数据。"
                           "请修正后重新导入，或选择“仅导入有效行”（--skip-bad-rows）。",
                           [(p.sheet, row) for p in plans for row in p.rejected])


def _refuse_overlaps(plans: list[_SheetPlan]) -> None:
    """Two sheets of one file must not hold the same (kind, district, period)."""
    seen: dict[tuple[str, str, str], str] = {}
    for plan in plans:
        for district, period in plan.scopes:
            other = seen.setdefault((plan.kind, district, period), plan.sheet)
            if other != plan.sheet:
                raise ScopeConflict(f"工作表“{other}”和“{plan.sheet}”都含有 {district} {period} 的"
                                    f"{schema.KINDS[plan.kind].label}，请合并为一个工作表后再导入。")


def _scopes_of(kind: str, frame: pd.DataFrame) -> list[tuple[str, str]]:
    if not len(frame):
        return []
    periods = frame["year"].astype(str) if kind == "targets" else frame["month"]
    return sorted(set(zip(frame["district"].astype(str), periods.astype(str))))


def _duplicate_batches(conn: Connection, file_check: FileCheck) -> dict[str, int]:
    """Active batches of the same import; batches stored before `import_key` existed
    are matched by their file hash and count only when nothing was given at upload."""
    b = tables.batches
    same = b.c.import_key == file_check.import_key
    if not file_check.upload:
        same = same | (b.c.import_key.is_(None) & (b.c.sha256 == file_check.sha256))
    rows = conn.execute(select(b.c.sheet, b.c.id).where(same, b.c.status == "active")).all()
    return {sheet: batch_id for sheet, batch_id in rows}


def _conflicts(conn: Connection, kind: str, scopes: list[tuple[str, str]]) -> list[Conflict]:
    if not scopes:
        return []
    s = tables.batch_scopes
    wanted = set(scopes)
    rows = conn.execute(select(s.c.district, s.c.period, s.c.batch_id).where(
        s.c.active == true(), s.c.kind == kind,
        s.c.district.in_({d for d, _ in scopes}), s.c.period.in_({p for _, p in scopes}))).all()
    return sorted(Conflict(kind, d, p, b) for d, p, b in rows if (d, p) in wanted)


def _scope_conflict(conflicts: list[Conflict]) -> ScopeConflict:
    shown = "；".join(c.describe() for c in conflicts[:3])
    more = f"等 {len(conflicts)} 项" if len(conflicts) > 3 else ""
    exc = ScopeConflict(f"{shown}{more}；如需覆盖请选择“替换”（--replace）")
    exc.conflicts = conflicts
    return exc


def find_conflicts(engine: Engine, file_check: FileCheck) -> list[Conflict]:
    """Scopes of this checked file that are already stored: what a replace would overwrite."""
    with engine.connect() as conn:
        return [c for sheet in file_check.sheets if sheet.kind
                for c in _conflicts(conn, sheet.kind, _scopes_of(sheet.kind, sheet.frame))]


def _store_plan(conn: Connection, plan: _SheetPlan, file_check: FileCheck,
                actor: User, is_sample: bool) -> StoreResult:
    label = schema.KINDS[plan.kind].label
    if not len(plan.frame):
        return StoreResult(plan.sheet, plan.kind, "empty", None, 0, len(plan.rejected),
                           message=f"工作表“{plan.sheet}”（{label}）没有可导入的行",
                           rejected=plan.rejected)
    batch_id = conn.execute(tables.batches.insert().values(
        kind=plan.kind,
        districts=schema.join_names(d for d, _ in plan.scopes),
        periods=schema.join_names(p for _, p in plan.scopes),
        file_name=file_check.file, sheet=plan.sheet, sha256=file_check.sha256,
        import_key=file_check.import_key, username=actor.username, created_at=datetime.now(),
        rows_accepted=len(plan.frame), rows_rejected=len(plan.rejected),
        rejected_json=json.dumps(plan.rejected, ensure_ascii=False, default=str),
        status="active", is_sample=is_sample,
    )).inserted_primary_key[0]
    conflicts = _conflicts(conn, plan.kind, plan.scopes)
    for c in conflicts:
        _deactivate_scope(conn, c, batch_id)
    replaced = sorted({c.batch_id for c in conflicts})
    _refresh_status(conn, replaced)
    conn.execute(tables.batch_scopes.insert(), [
        {"batch_id": batch_id, "kind": plan.kind, "district": d, "period": p, "active": True}
        for d, p in plan.scopes])
    insert_rows(conn, tables.DATA_TABLES[plan.kind], plan.frame, batch_id)
    action = "replace" if replaced else "store"
    scope_text = "、".join(f"{d} {p}" for d, p in plan.scopes[:6]) + \
        (f" 等 {len(plan.scopes)} 项" if len(plan.scopes) > 6 else "")
    detail = f"{label}：{scope_text}，{len(plan.frame)} 行"
    if plan.rejected:
        detail += f"，跳过 {len(plan.rejected)} 行"
    if replaced:
        detail += "，替换批次 " + "、".join(f"#{b}" for b in replaced)
    append_audit(conn, user=actor.username, action=action, detail=detail, batch_id=batch_id,
                 file_name=file_check.file, sha256=file_check.sha256)
    verb = "已替换" if replaced else "已导入"
    return StoreResult(plan.sheet, plan.kind, "replaced" if replaced else "stored", batch_id,
                       len(plan.frame), len(plan.rejected), plan.scopes, replaced,
                       f"{verb}{label} {len(plan.frame)} 行（批次 #{batch_id}）", plan.rejected)


def _period_column(table: Table):
    return table.c.year if table.name == "targets" else table.c.month


def _period_value(kind: str, period: str) -> object:
    return int(period) if kind == "targets" else period


def _deactivate_scope(conn: Connection, c: Conflict, new_batch: int) -> None:
    s = tables.batch_scopes
    conn.execute(s.update().where(s.c.active == true(), s.c.kind == c.kind,
                                  s.c.district == c.district, s.c.period == c.period)
                 .values(active=False, replaced_by=new_batch))
    t = tables.DATA_TABLES[c.kind]
    conn.execute(t.update().where(t.c.batch_id == c.batch_id, t.c.active == true(),
                                  t.c.district == c.district,
                                  _period_column(t) == _period_value(c.kind, c.period))
                 .values(active=False, replaced_by=new_batch))


def _refresh_status(conn: Connection, batch_ids: Iterable[int]) -> None:
    """active while any scope is active; else replaced (rolled back stays rolled back)."""
    b, s = tables.batches, tables.batch_scopes
    for batch_id in batch_ids:
        live = conn.execute(select(func.count()).select_from(s).where(
            s.c.batch_id == batch_id, s.c.active == true())).scalar()
        conn.execute(b.update().where(b.c.id == batch_id, b.c.status != "rolled_back")
                     .values(status="active" if live else "replaced"))


# --- bulk insert ----------------------------------------------------------------

def insert_rows(conn: Connection, table: Table, frame: pd.DataFrame, batch_id: int) -> None:
    """Insert a canonical frame as active rows of `batch_id`, as fast as the backend allows.

    SQLite: plain executemany in chunks; PostgreSQL: COPY for large frames.
    """
    columns = [c.name for c in table.columns
               if c.name not in ("id", "batch_id", "active", "replaced_by")]
    values = [_db_values(frame[name]) if name in frame else [None] * len(frame)
              for name in columns]
    n = len(frame)
    rows = list(zip([batch_id] * n, [True] * n, *values))
    names = ["batch_id", "active", *columns]
    half = n // 2
    _insert_tuples(conn, table, names, rows[:half])
    _fault_point()
    _insert_tuples(conn, table, names, rows[half:])


def _insert_tuples(conn: Connection, table: Table, names: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    dialect = conn.dialect.name
    if dialect == "postgresql" and len(rows) >= COPY_THRESHOLD:
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f'COPY {table.name} ({", ".join(names)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        return
    if dialect == "sqlite":
        sql = (f'INSERT INTO {table.name} ({", ".join(names)}) '
               f'VALUES ({", ".join("?" * len(names))})')
        step = max(1, SQLITE_MAX_PARAMS // len(names))
        for start in range(0, len(rows), step):
            conn.exec_driver_sql(sql, rows[start:start + step])
        return
    date_columns = {c.name for c in table.columns if c.type.python_type is date}
    conn.execute(table.insert(), [
        {k: (date.fromisoformat(v) if k in date_columns and v else v) for k, v in zip(names, row)}
        for row in rows])


def _db_values(series: pd.Series) -> list:
    """Plain python values, None for missing, dates as ISO text."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d").astype(object).where(series.notna(), None).tolist()
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iub":
        return series.tolist()
    return series.astype(object).where(series.notna(), None).tolist()


def _fault_point() -> None:
    fault = os.environ.get(FAULT_ENV, "")
    if fault.startswith("sleep:"):
        _, seconds, *marker = fault.split(":", 2)
        if marker:
            Path(marker[0]).write_text("half-way")
        time.sleep(float(seconds))
    elif fault == "raise":
        raise RuntimeError("injected fault (LEAGUE_TEST_FAULT=raise)")


# --- rollback ---------------------------------------------------------------------

def rollback_batch(engine: Engine, batch_id: int, *, actor: User | None = None) -> list[int]:
    """Undo a batch: its rows go inactive, the rows it replaced come back.

    A batch that was itself replaced later hands what it replaced on to its
    successor, so rolling that successor back restores the older data.
    Returns the ids of batches whose rows were restored.
    """
    from analytics.access import authorize

    b, s = tables.batches, tables.batch_scopes
    with write_transaction(engine) as conn:
        batch = conn.execute(select(b).where(b.c.id == batch_id)).mappings().first()
        if batch is None:
            raise NotFound(f"批次 #{batch_id} 不存在")
        if batch["status"] == "rolled_back":
            raise AlreadyRolledBack(f"批次 #{batch_id} 已撤销过")
        authorize(actor, "rollback", schema.split_names(batch["districts"]))
        kind = batch["kind"]
        table = tables.DATA_TABLES[kind]
        restored: set[int] = set()
        for scope in conn.execute(select(s).where(s.c.batch_id == batch_id)).mappings().all():
            successor = None if scope["active"] else scope["replaced_by"]
            same = and_(s.c.kind == kind, s.c.district == scope["district"],
                        s.c.period == scope["period"], s.c.replaced_by == batch_id)
            if successor is None:     # else the rows stay replaced, now by the successor
                restored.update(conn.execute(select(s.c.batch_id).where(same)).scalars())
            conn.execute(s.update().where(s.c.id == scope["id"])
                         .values(active=False, replaced_by=None))
            conn.execute(s.update().where(same).values(active=successor is None,
                                                       replaced_by=successor))
            rows_in_scope = and_(table.c.district == scope["district"],
                                 _period_column(table) == _period_value(kind, scope["period"]))
            conn.execute(table.update().where(rows_in_scope, table.c.replaced_by == batch_id)
                         .values(active=successor is None, replaced_by=successor))
        conn.execute(table.update().where(table.c.batch_id == batch_id)
                     .values(active=False, replaced_by=None))
        conn.execute(b.update().where(b.c.id == batch_id).values(status="rolled_back"))
        _refresh_status(conn, sorted(restored))
        detail = f"撤销批次 #{batch_id}（{schema.KINDS[kind].label}，{batch['file_name']}）"
        if restored:
            detail += "，恢复批次 " + "、".join(f"#{r}" for r in sorted(restored))
        append_audit(conn, user=actor.username, action="rollback", detail=detail,
                     batch_id=batch_id, file_name=batch["file_name"], sha256=batch["sha256"])
        bump_data_version(conn)
    return sorted(restored)


# --- reading ----------------------------------------------------------------------

def list_batches(engine: Engine, *, districts: Iterable[str] | None = None,
                 limit: int = 200) -> pd.DataFrame:
    """The newest batches (columns `BATCH_COLUMNS`), optionally only those touching `districts`."""
    b, s = tables.batches, tables.batch_scopes
    query = select(*(b.c[c] for c in BATCH_COLUMNS)).order_by(b.c.id.desc()).limit(limit)
    if districts is not None:
        touching = select(s.c.batch_id).where(s.c.district.in_(list(districts)))
        query = query.where(b.c.id.in_(touching))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=list(BATCH_COLUMNS))
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    return frame


def has_data(engine: Engine) -> bool:
    """Whether any batch was ever stored (a fresh database has none)."""
    with engine.connect() as conn:
        return conn.execute(select(tables.batches.c.id).limit(1)).first() is not None


def has_sample(engine: Engine) -> bool:
    """Whether sample data (from `analytics.sample.load_sample`) is currently live."""
    b = tables.batches
    with engine.connect() as conn:
        return conn.execute(select(b.c.id).where(b.c.is_sample == true(),
                                                 b.c.status == "active").limit(1)).first() is not None


def clear_sample(engine: Engine, actor: User | None) -> int:
    """Roll back every sample batch still live; returns how many were rolled back.

    The actor is checked before the first rollback, so a refused one changes nothing.
    """
    from analytics.access import authorize

    authorize(actor, "rollback")
    b = tables.batches
    with engine.connect() as conn:
        ids = conn.execute(select(b.c.id).where(b.c.is_sample == true(),
                                                b.c.status != "rolled_back")
                           .order_by(b.c.id.desc())).scalars().all()
    for batch_id in ids:
        rollback_batch(engine, batch_id, actor=actor)
    return len(ids)


def stored_batches_of(engine, file_check: FileCheck) -> list[int]:
    """Active batches already stored by the same import (file hash plus the values given
    at upload, see `_duplicate_batches`): storing it again is a no-op."""
    with engine.connect() as conn:
        return sorted(set(_duplicate_batches(conn, file_check).values()))
