"""Storing checked sheets as batches, replacing, rolling back, reading back.

Every sheet with a table becomes a batch; a file is stored in ONE write
transaction (all its sheets or nothing). A batch covers scopes
(kind, district, unit, period) — period is the month, or the year for
targets; unit is the 基层团组织 for a `unit_scoped` kind and "" otherwise, so
a file adds the units it holds and replaces only those units.
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
from sqlalchemy import Connection, Engine, Table, and_, func, select, true, tuple_
from sqlalchemy.exc import IntegrityError

from analytics import schema
from analytics.store import tables
from analytics.store.audit import append_audit
from analytics.store.engine import bump_data_version, fetch_all, write_transaction
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
    scopes: list[tuple[str, str, str]] = field(default_factory=list)   # (district, unit, period)
    replaced: list[int] = field(default_factory=list)   # batches whose rows this one replaced
    message: str = ""
    rejected: list[dict] = field(default_factory=list)  # the rows left out, as in the batch record


@dataclass(frozen=True, order=True)
class Conflict:
    """A scope the file covers that an active batch already holds."""

    kind: str
    district: str
    unit: str
    period: str
    batch_id: int

    def describe(self) -> str:
        return describe_conflicts([self])


def describe_conflicts(conflicts: list[Conflict]) -> str:
    """青山区 2026-03 东关街道、西关街道 的活动台账已导入（批次 #1）: one clause per stored batch."""
    groups: dict[tuple[str, str, str, int], list[str]] = {}
    for c in sorted(conflicts):
        groups.setdefault((c.kind, c.district, c.period, c.batch_id), []).append(c.unit)
    return "；".join(
        f"{district} {period} {'、'.join(u for u in units if u)}{' ' if any(units) else ''}"
        f"的{schema.KINDS[kind].label}已导入（批次 #{batch_id}）"
        for (kind, district, period, batch_id), units in groups.items())


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
                    _authorize_scopes(actor, _store_action(kind, replacing=True), kind,
                                      [(c.district, c.unit) for c in conflicts if c.kind == kind])
            results = [_store_plan(conn, plan, file_check, actor, is_sample) for plan in plans]
            if any(r.batch_id for r in results):
                bump_data_version(conn)
            return results
    except IntegrityError as exc:
        raise ConcurrentImport("另一个导入刚刚写入了同一区县、同一单位、同一月份的数据，请刷新后重试"
                               "（如需替换原数据，请勾选“确认替换”）。") from exc


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
    scopes: list[tuple[str, str, str]]
    denied: list[str]                    # what the actor may not store: "临江区", "青山区 西关街道"
    denied_frame: pd.DataFrame


def _authorize_scopes(actor: User | None, action: str, kind: str,
                      places: Iterable[tuple[str, str]]) -> None:
    """`authorize` on (district, unit) places: by unit for a unit-scoped kind, else by district."""
    from analytics.access import authorize

    places = list(places)
    if schema.KINDS[kind].unit_scoped:
        authorize(actor, action, units=places)
    else:
        authorize(actor, action, sorted({d for d, _ in places}))


def _store_action(kind: str, *, replacing: bool = False) -> str:
    if kind == "targets":
        return "edit_targets"
    return "replace" if replacing else "store"


def _plan_sheet(sheet: SheetCheck, actor: User | None) -> _SheetPlan:
    """Split a sheet's accepted rows into those the actor may store and the rest
    (a unit account's rows of other units, a district account's of other districts)."""
    from analytics.access import is_allowed, reachable_districts

    kind = schema.KINDS[sheet.kind]
    frame = sheet.frame
    rejected = list(sheet.rejected)
    action = _store_action(sheet.kind)
    places = _places(sheet.kind, frame)
    allowed = {(d, u): is_allowed(actor, action, d, u if kind.unit_scoped else None)
               for d, u in set(zip(*places))} if len(frame) else {}
    denied_places = sorted(p for p, ok in allowed.items() if not ok)
    denied_frame = frame.iloc[0:0]
    denied: list[str] = []
    if denied_places:
        mask = pd.Series(list(zip(*places)), index=frame.index).isin(denied_places)
        denied_frame = frame[mask]
        # refused for the whole district, or (a unit account in its own district) for some units
        reach = reachable_districts(actor)
        whole = {d for d, _ in denied_places if not kind.unit_scoped or d not in reach}
        denied = sorted(whole) + [f"{d} {u}" for d, u in denied_places if d not in whole]
        rejected += _denied_rows(sheet.kind, denied_frame, whole)
        frame = frame[~mask]
    return _SheetPlan(sheet.sheet, sheet.kind, frame, rejected,
                      _scopes_of(sheet.kind, frame), denied, denied_frame)


def _places(kind: str, frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(districts, units) of a frame's rows; units are "" for a kind that is not unit-scoped."""
    districts = frame["district"].astype(str).tolist()
    units = frame["unit"].astype(str).tolist() if schema.KINDS[kind].unit_scoped \
        else [""] * len(frame)
    return districts, units


def _denied_rows(kind: str, frame: pd.DataFrame, whole_districts: set[str]) -> list[dict]:
    """Rejected-row records naming what was refused: the district, or the unit of a district."""
    fields = schema.KINDS[kind].fields
    district_label = schema.KINDS[kind].field("district").label
    rows = []
    for record in frame.to_dict("records"):
        district = record["district"]
        if district in whole_districts:
            error = f"{district_label}：无权导入 {district} 的数据"
        else:
            error = (f"{schema.KINDS[kind].field('unit').label}：无权导入 {district} "
                     f"{record['unit']} 的数据")
        rows.append({
            "row": int(record.get("source_row") or 0),
            "values": {f.label: _text(record.get(f.name)) for f in fields},
            "errors": [error],
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
        if len(plan.denied_frame):
            _authorize_scopes(actor, _store_action(plan.kind), plan.kind,
                              zip(*_places(plan.kind, plan.denied_frame)))


def _refuse_bad_rows(plans: list[_SheetPlan], skip_bad_rows: bool) -> None:
    """All or nothing by default; a file with no storable row at all was refused
    earlier (`_refuse_denied`)."""
    denied = sorted({d for p in plans for d in p.denied})
    count = sum(len(p.rejected) for p in plans)
    if count and not skip_bad_rows:
        extra = f"（其中无权导入 {'、'.join(denied)} 的数据）" if denied else ""
        raise RowsRejected(f"文件中有 {count} 行未通过检查{extra}，未导入任何数据。"
                           "请修正后重新导入，或选择“仅导入有效行”（--skip-bad-rows）。",
                           [(p.sheet, row) for p in plans for row in p.rejected])


def scope_family(kind: str) -> tuple[str, ...]:
    """The kinds whose stored scopes conflict with `kind`'s: itself and `Kind.shares_scope_with`
    (per-unit 青年大学习 figures and the platform's records hold the same numbers)."""
    return (kind, *schema.KINDS[kind].shares_scope_with)


def _refuse_overlaps(plans: list[_SheetPlan]) -> None:
    """Two sheets of one file must not hold the same (kind, district, unit, period)."""
    seen: dict[tuple[str, str, str, str], str] = {}
    for plan in plans:
        family = min(scope_family(plan.kind))
        for district, unit, period in plan.scopes:
            other = seen.setdefault((family, district, unit, period), plan.sheet)
            if other != plan.sheet:
                where = f"{district} {period} {unit}" if unit else f"{district} {period}"
                raise ScopeConflict(f"工作表“{other}”和“{plan.sheet}”都含有 {where} 的"
                                    f"{schema.KINDS[plan.kind].label}，请合并为一个工作表后再导入。")


def _scopes_of(kind: str, frame: pd.DataFrame) -> list[tuple[str, str, str]]:
    """The (district, unit, period) scopes a frame's rows fall in."""
    if not len(frame):
        return []
    periods = frame[schema.KINDS[kind].scope_field].astype(str).tolist()
    return sorted(set(zip(*_places(kind, frame), periods)))


def scope_text(scopes: list[tuple[str, str, str]], limit: int = 6) -> str:
    """青山区 2026-03（东关街道、西关街道）、临江区 2026-03 等 N 项: scopes by district and period."""
    groups: dict[tuple[str, str], list[str]] = {}
    for district, unit, period in scopes:
        groups.setdefault((district, period), []).append(unit)
    parts = [f"{d} {p}" + (f"（{'、'.join(u for u in units if u)}）" if any(units) else "")
             for (d, p), units in groups.items()]
    return "、".join(parts[:limit]) + (f" 等 {len(parts)} 项" if len(parts) > limit else "")


def _duplicate_batches(conn: Connection, file_check: FileCheck) -> dict[str, int]:
    """Active batches of the same import; batches stored before `import_key` existed
    are matched by their file hash and count only when nothing was given at upload."""
    b = tables.batches
    same = b.c.import_key == file_check.import_key
    if not file_check.upload:
        same = same | (b.c.import_key.is_(None) & (b.c.sha256 == file_check.sha256))
    rows = conn.execute(select(b.c.sheet, b.c.id).where(same, b.c.status == "active")).all()
    return {sheet: batch_id for sheet, batch_id in rows}


def _conflicts(conn: Connection, kind: str, scopes: list[tuple[str, str, str]]) -> list[Conflict]:
    """Active scopes of other batches that `scopes` would replace (same unit, same period)."""
    if not scopes:
        return []
    s = tables.batch_scopes
    wanted = set(scopes)
    rows = conn.execute(select(s.c.kind, s.c.district, s.c.unit, s.c.period, s.c.batch_id).where(
        s.c.active == true(), s.c.kind.in_(scope_family(kind)),
        s.c.district.in_({d for d, _, _ in scopes}),
        s.c.period.in_({p for _, _, p in scopes}))).all()
    return sorted(Conflict(k, d, u, p, b) for k, d, u, p, b in rows if (d, u, p) in wanted)


SHOWN_CONFLICTS = 12   # units named in a refusal; the rest are counted


def _scope_conflict(conflicts: list[Conflict]) -> ScopeConflict:
    shown = describe_conflicts(conflicts[:SHOWN_CONFLICTS])
    more = f"等 {len(conflicts)} 项" if len(conflicts) > SHOWN_CONFLICTS else ""
    exc = ScopeConflict(f"{shown}{more}；如需替换原数据，请勾选“确认替换”（命令行加 --replace），"
                        "只替换这些单位")
    exc.conflicts = conflicts
    return exc


def find_conflicts(engine: Engine, file_check: FileCheck,
                   actor: User | None = None) -> list[Conflict]:
    """Scopes of this checked file that are already stored: what a replace would overwrite
    (with `actor`, only of the rows they may store: refused rows replace nothing)."""
    with engine.connect() as conn:
        return [c for sheet in file_check.sheets if sheet.kind
                for c in _conflicts(conn, sheet.kind, _scopes_of(
                    sheet.kind, sheet.frame if actor is None else _plan_sheet(sheet, actor).frame))]


PREVIEW_COLUMNS = ("sheet", "kind", "district", "unit", "period", "rows", "action", "batch_id")


def preview_file(engine: Engine, file_check: FileCheck, actor: User | None) -> pd.DataFrame:
    """What storing this checked file would do, per (sheet, district, unit, period), before
    storing: `action` is add | replace (the stored batch `batch_id`) | refused (no right).

    The same split as `store_checked` (`_plan_sheet`, `_conflicts`), so the upload page
    shows exactly what the store will do.
    """
    out = []
    with engine.connect() as conn:
        for sheet in file_check.sheets:
            if not sheet.kind:
                continue
            plan = _plan_sheet(sheet, actor)
            stored = {(c.district, c.unit, c.period): c.batch_id
                      for c in _conflicts(conn, plan.kind, plan.scopes)}
            for frame, refused in ((plan.frame, False), (plan.denied_frame, True)):
                for scope, rows in _rows_per_scope(plan.kind, frame).items():
                    batch_id = None if refused else stored.get(scope)
                    action = "refused" if refused else "replace" if batch_id else "add"
                    out.append((plan.sheet, plan.kind, *scope, rows, action, batch_id))
    frame = pd.DataFrame(out, columns=list(PREVIEW_COLUMNS))
    frame["batch_id"] = frame["batch_id"].astype("Int64")
    return frame


def _rows_per_scope(kind: str, frame: pd.DataFrame) -> dict[tuple[str, str, str], int]:
    if not len(frame):
        return {}
    periods = frame[schema.KINDS[kind].scope_field].astype(str).tolist()
    counts: dict[tuple[str, str, str], int] = {}
    for scope in zip(*_places(kind, frame), periods):
        counts[scope] = counts.get(scope, 0) + 1
    return dict(sorted(counts.items()))


def _store_plan(conn: Connection, plan: _SheetPlan, file_check: FileCheck,
                actor: User, is_sample: bool) -> StoreResult:
    label = schema.KINDS[plan.kind].label
    if not len(plan.frame):
        return StoreResult(plan.sheet, plan.kind, "empty", None, 0, len(plan.rejected),
                           message=f"工作表“{plan.sheet}”（{label}）没有可导入的行",
                           rejected=plan.rejected)
    batch_id = conn.execute(tables.batches.insert().values(
        kind=plan.kind,
        districts=schema.join_names(d for d, _, _ in plan.scopes),
        periods=schema.join_names(p for _, _, p in plan.scopes),
        file_name=file_check.file, sheet=plan.sheet, sha256=file_check.sha256,
        import_key=file_check.import_key, username=actor.username, created_at=datetime.now(),
        rows_accepted=len(plan.frame), rows_rejected=len(plan.rejected),
        rejected_json=json.dumps(plan.rejected, ensure_ascii=False, default=str),
        status="active", is_sample=is_sample,
    )).inserted_primary_key[0]
    conflicts = _conflicts(conn, plan.kind, plan.scopes)
    _deactivate_scopes(conn, plan.kind, conflicts, batch_id)
    replaced = sorted({c.batch_id for c in conflicts})
    _refresh_status(conn, replaced)
    conn.execute(tables.batch_scopes.insert(), [
        {"batch_id": batch_id, "kind": plan.kind, "district": d, "unit": u, "period": p,
         "active": True} for d, u, p in plan.scopes])
    insert_rows(conn, tables.DATA_TABLES[plan.kind], plan.frame, batch_id)
    action = "replace" if replaced else "store"
    detail = f"{label}：{scope_text(plan.scopes)}，{len(plan.frame)} 行"
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


SCOPES_PER_STATEMENT = 500    # (district, unit, period) keys in one UPDATE's IN list


def _rows_in_scopes(kind: str, keys: list[tuple[str, str, str]]):
    """The condition selecting a data table's rows of some scopes of one kind."""
    k = schema.KINDS[kind]
    t = tables.DATA_TABLES[kind]
    column = t.c[k.scope_field]
    as_period = int if column.type.python_type is int else str
    if k.unit_scoped:
        return tuple_(t.c.district, t.c.unit, column).in_(
            [(d, u, as_period(p)) for d, u, p in keys])
    return tuple_(t.c.district, column).in_(sorted({(d, as_period(p)) for d, _, p in keys}))


def _same_scope(kind: str, district: str, unit: str, period: str):
    s = tables.batch_scopes
    return and_(s.c.kind == kind, s.c.district == district, s.c.unit == unit,
                s.c.period == period)


def _chunks(keys: list, size: int = SCOPES_PER_STATEMENT) -> Iterable[list]:
    for start in range(0, len(keys), size):
        yield keys[start:start + size]


def _deactivate_scopes(conn: Connection, kind: str, conflicts: list[Conflict],
                       new_batch: int) -> None:
    """Mark the conflicting scopes and their rows replaced by `new_batch`: one UPDATE of
    scopes and one of rows per replaced batch (and per `SCOPES_PER_STATEMENT` keys)."""
    s = tables.batch_scopes
    by_batch: dict[tuple[int, str], list[tuple[str, str, str]]] = {}
    for c in conflicts:      # a conflict may be of another kind of the family (study / records)
        by_batch.setdefault((c.batch_id, c.kind), []).append((c.district, c.unit, c.period))
    for (old_batch, old_kind), keys in sorted(by_batch.items()):
        t = tables.DATA_TABLES[old_kind]
        for part in _chunks(keys):
            conn.execute(s.update().where(
                s.c.batch_id == old_batch, s.c.active == true(), s.c.kind == old_kind,
                tuple_(s.c.district, s.c.unit, s.c.period).in_(part))
                .values(active=False, replaced_by=new_batch))
            conn.execute(t.update().where(t.c.batch_id == old_batch, t.c.active == true(),
                                          _rows_in_scopes(old_kind, part))
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
    successor, so rolling that successor back restores the older data; so
    does a scope taken since by another batch (a unit stored after a
    migrated district-level batch). Returns the ids of batches whose rows
    were restored.
    """
    b, s = tables.batches, tables.batch_scopes
    with write_transaction(engine) as conn:
        batch = conn.execute(select(b).where(b.c.id == batch_id)).mappings().first()
        if batch is None:
            raise NotFound(f"批次 #{batch_id} 不存在")
        if batch["status"] == "rolled_back":
            raise AlreadyRolledBack(f"批次 #{batch_id} 已撤销过")
        kind = batch["kind"]
        own = conn.execute(select(s).where(s.c.batch_id == batch_id)).mappings().all()
        _authorize_scopes(actor, "rollback", kind,
                          _rollback_places(batch["districts"],
                                           [(r["district"], r["unit"]) for r in own]))
        table = tables.DATA_TABLES[kind]
        family = scope_family(kind)

        def key(scope) -> tuple[str, str, str]:
            return scope["district"], scope["unit"], scope["period"]

        successors = {key(r): None if r["active"] else r["replaced_by"] for r in own}
        conn.execute(s.update().where(s.c.batch_id == batch_id)
                     .values(active=False, replaced_by=None))
        conn.execute(table.update().where(table.c.batch_id == batch_id)
                     .values(active=False, replaced_by=None))
        # what this batch replaced: back to active, or on to the batch that holds the scope now
        groups: dict[tuple[int, str, int | None], list] = {}
        replaced = conn.execute(select(s).where(s.c.kind.in_(family), s.c.replaced_by == batch_id)
                                .order_by(s.c.id)).mappings().all()
        for scope in replaced:
            if key(scope) in successors:
                successor = successors[key(scope)]
            else:                     # a scope this batch does not hold (migrated data)
                successor = conn.execute(select(s.c.batch_id).where(
                    s.c.active == true(), _same_scope(scope["kind"], *key(scope)))).scalar()
            groups.setdefault((scope["batch_id"], scope["kind"], successor), []).append(scope)
        restored: set[int] = set()
        for (old_batch, old_kind, successor), scopes in sorted(groups.items(),
                                                               key=lambda g: g[0][0]):
            old_table = tables.DATA_TABLES[old_kind]
            for part in _chunks(scopes):
                conn.execute(s.update().where(s.c.id.in_([r["id"] for r in part]))
                             .values(active=successor is None, replaced_by=successor))
                conn.execute(old_table.update().where(
                    old_table.c.batch_id == old_batch, old_table.c.replaced_by == batch_id,
                    _rows_in_scopes(old_kind, [key(r) for r in part]))
                    .values(active=successor is None, replaced_by=successor))
            if successor is None:
                restored.add(old_batch)
        conn.execute(b.update().where(b.c.id == batch_id).values(status="rolled_back"))
        _refresh_status(conn, sorted(restored))
        detail = f"撤销批次 #{batch_id}（{schema.KINDS[kind].label}，{batch['file_name']}）"
        if restored:
            detail += "，恢复批次 " + "、".join(f"#{r}" for r in sorted(restored))
        append_audit(conn, user=actor.username, action="rollback", detail=detail,
                     batch_id=batch_id, file_name=batch["file_name"], sha256=batch["sha256"])
        bump_data_version(conn)
    return sorted(restored)


def _rollback_places(districts: str, scopes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (district, unit) places undoing a batch touches: its scopes, else (a batch
    without scope rows) its districts whole."""
    return scopes or [(d, "") for d in schema.split_names(districts)]


def rollback_refusals(engine: Engine, batch_ids: Iterable[int],
                      actor: User | None) -> dict[int, str]:
    """Why `actor` may not undo each of `batch_ids`, in Chinese: the batches it may undo
    are left out. The rule is `rollback_batch`'s own (already undone; another district's
    or another unit's data), read for many batches at once, so a page offers the undo
    only where it would succeed."""
    b, s = tables.batches, tables.batch_scopes
    ids = sorted({int(i) for i in batch_ids})
    batches: dict[int, dict] = {}
    scopes: dict[int, list[tuple[str, str]]] = {}
    with engine.connect() as conn:
        for part in _chunks(ids):
            for row in conn.execute(select(b.c.id, b.c.kind, b.c.districts, b.c.status)
                                    .where(b.c.id.in_(part))).mappings():
                batches[int(row["id"])] = dict(row)
            for batch_id, district, unit in conn.execute(
                    select(s.c.batch_id, s.c.district, s.c.unit).distinct()
                    .where(s.c.batch_id.in_(part))):
                scopes.setdefault(int(batch_id), []).append((district, unit))
    refusals = {i: f"批次 #{i} 不存在" for i in ids if i not in batches}
    for batch_id, batch in batches.items():
        if batch["status"] == "rolled_back":
            refusals[batch_id] = f"批次 #{batch_id} 已撤销过"
            continue
        try:
            _authorize_scopes(actor, "rollback", batch["kind"],
                              _rollback_places(batch["districts"], scopes.get(batch_id, [])))
        except PermissionDenied as exc:
            refusals[batch_id] = str(exc)
    return refusals


@dataclass(frozen=True)
class RollbackPreview:
    """What undoing a batch would do, before anyone confirms it."""

    batch_id: int
    kind: str
    districts: tuple[str, ...]
    periods: tuple[str, ...]
    file_name: str
    status: str
    rows_removed: int                       # this batch's rows that count now
    restored: tuple[tuple[int, int], ...]   # (batch id, rows) that come back

    @property
    def text(self) -> str:
        """"撤销后将移除 活动台账 青山区 2026-11 的 23 行数据；恢复批次 #12 的 20 行数据。"."""
        what = (f"{schema.KINDS[self.kind].label} {'、'.join(self.districts)} "
                f"{'、'.join(self.periods)}")
        if self.status == "rolled_back":
            return f"批次 #{self.batch_id}（{what}）已撤销过。"
        text = f"撤销批次 #{self.batch_id} 将移除 {what} 的 {self.rows_removed:,} 行数据"
        if self.restored:
            text += "；恢复" + "、".join(f"批次 #{b} 的 {n:,} 行" for b, n in self.restored)
        else:
            text += "；没有被它替换的数据需要恢复"
        return text + "。"


def rollback_preview(engine: Engine, batch_id: int) -> RollbackPreview:
    """What `rollback_batch(batch_id)` would remove and restore (reads only)."""
    b = tables.batches
    with engine.connect() as conn:
        batch = conn.execute(select(b).where(b.c.id == int(batch_id))).mappings().first()
        if batch is None:
            raise NotFound(f"批次 #{batch_id} 不存在")
        table = tables.DATA_TABLES[batch["kind"]]
        removed = conn.execute(select(func.count()).select_from(table).where(
            table.c.batch_id == batch["id"], table.c.active == true())).scalar()
        restored = conn.execute(
            select(table.c.batch_id, func.count()).where(table.c.replaced_by == batch["id"])
            .group_by(table.c.batch_id).order_by(table.c.batch_id)).all()
    return RollbackPreview(int(batch["id"]), batch["kind"],
                           tuple(schema.split_names(batch["districts"])),
                           tuple(schema.split_names(batch["periods"])), batch["file_name"],
                           batch["status"], int(removed or 0),
                           tuple((int(i), int(n)) for i, n in restored))


# --- reading ----------------------------------------------------------------------

def list_batches(engine: Engine, *, districts: Iterable[str] | None = None,
                 units: Iterable[tuple[str, str]] = (), limit: int = 200,
                 with_units: bool = False) -> pd.DataFrame:
    """The newest batches (columns `BATCH_COLUMNS`); with `districts` only those touching
    them, or (a unit account) touching one of `units` ((district, unit) pairs).

    `with_units` adds `units`, the (district, unit) pairs each batch covers ([] for a
    district-level kind): one more read, so only where a page shows or checks them.
    """
    b, s = tables.batches, tables.batch_scopes
    query = select(*(b.c[c] for c in BATCH_COLUMNS)).order_by(b.c.id.desc()).limit(limit)
    if districts is not None:
        touching = s.c.district.in_(list(districts))
        for district, unit in sorted(set(units)):
            touching = touching | and_(s.c.district == district, s.c.unit == unit)
        query = query.where(b.c.id.in_(select(s.c.batch_id).where(touching)))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        ids = [r[0] for r in rows]
        covered: dict[int, set[tuple[str, str]]] = {}
        for part in _chunks(ids if with_units else []):
            for batch_id, district, unit in conn.execute(
                    select(s.c.batch_id, s.c.district, s.c.unit)
                    .where(s.c.batch_id.in_(part), s.c.unit != "")):
                covered.setdefault(batch_id, set()).add((district, unit))
    frame = pd.DataFrame(rows, columns=list(BATCH_COLUMNS))
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    if with_units:
        frame["units"] = pd.Series([sorted(covered.get(i, ())) for i in ids], index=frame.index,
                                   dtype=object)
    return frame


REPORTING_COLUMNS = ("kind", "district", "unit", "period", "batch_id", "username",
                     "created_at", "file_name")


def reporting_scopes(engine: Engine, *, districts: Iterable[str] | None = None) -> pd.DataFrame:
    """Every active unit scope with the batch that holds it (who uploaded it, when):
    the input of `metrics.reporting` (报送情况). Columns `REPORTING_COLUMNS`.

    A city holds ~10⁵ scopes of ~10³ batches: the scopes are read straight through the
    DBAPI cursor and each batch's uploader, time and file looked up once, not joined onto
    every scope (the 总览 page reads this after every upload)."""
    b, s = tables.batches, tables.batch_scopes
    kinds = [name for name, kind in schema.KINDS.items() if kind.unit_scoped]
    query = (select(s.c.kind, s.c.district, s.c.unit, s.c.period, s.c.batch_id)
             .where(s.c.active == true(), s.c.kind.in_(kinds), s.c.unit != "")
             .order_by(s.c.district, s.c.period, s.c.unit, s.c.kind))
    if districts is not None:
        query = query.where(s.c.district.in_(list(districts)))
    with engine.connect() as conn:
        with conn.begin():            # one snapshot: every scope's batch is there
            rows = fetch_all(conn, query)
            held = (select(b.c.id, b.c.username, b.c.created_at, b.c.file_name)
                    .where(b.c.id.in_(select(s.c.batch_id).where(
                        s.c.active == true(), s.c.kind.in_(kinds), s.c.unit != "")
                        .distinct().scalar_subquery())))
            about = {row[0]: row[1:] for row in conn.execute(held)}
    scope_columns = list(REPORTING_COLUMNS[:5])
    frame = pd.DataFrame.from_records(rows, columns=scope_columns) if rows \
        else pd.DataFrame(columns=scope_columns)
    ids = frame["batch_id"].tolist()
    for i, name in enumerate(("username", "created_at", "file_name")):
        frame[name] = [about[batch][i] for batch in ids]
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    return frame


SAMPLE_CLEARED = "sample_cleared"     # counters row: the sample was cleared, never reload it


def has_data(engine: Engine) -> bool:
    """Whether any batch was ever stored (a fresh database has none), or the sample was
    cleared — then an empty database stays empty instead of getting the sample again."""
    c = tables.counters
    with engine.connect() as conn:
        if conn.execute(select(tables.batches.c.id).limit(1)).first() is not None:
            return True
        return conn.execute(select(c.c.value).where(c.c.name == SAMPLE_CLEARED)).first() is not None


def has_sample(engine: Engine) -> bool:
    """Whether sample data (from `analytics.sample.load_sample`) is currently live."""
    b = tables.batches
    with engine.connect() as conn:
        return conn.execute(select(b.c.id).where(b.c.is_sample == true(),
                                                 b.c.status == "active").limit(1)).first() is not None


def clear_sample(engine: Engine, actor: User | None) -> int:
    """Remove the sample entirely: its rows, scopes and batches (rolled back ones too),
    so nothing of it shows anywhere — not in 导入记录, not as districts in 目标管理.

    Real data a sample batch had replaced comes back; real data that replaced a
    sample month stays. One transaction, audited, admins only. Returns the
    number of sample batches removed.
    """
    from analytics.access import require_role

    actor = require_role(actor, "admin")
    b, s = tables.batches, tables.batch_scopes
    with write_transaction(engine) as conn:
        ids = conn.execute(select(b.c.id).where(b.c.is_sample == true())).scalars().all()
        if not ids:
            return 0
        restored = set(conn.execute(select(s.c.batch_id).where(
            s.c.replaced_by.in_(ids), s.c.batch_id.notin_(ids))).scalars())
        conn.execute(s.update().where(s.c.replaced_by.in_(ids), s.c.batch_id.notin_(ids))
                     .values(active=True, replaced_by=None))
        for table in tables.DATA_TABLES.values():
            conn.execute(table.update().where(table.c.replaced_by.in_(ids),
                                              table.c.batch_id.notin_(ids))
                         .values(active=True, replaced_by=None))
            conn.execute(table.delete().where(table.c.batch_id.in_(ids)))
        conn.execute(s.delete().where(s.c.batch_id.in_(ids)))
        conn.execute(b.delete().where(b.c.id.in_(ids)))
        _refresh_status(conn, sorted(restored))
        marker = tables.counters
        if conn.execute(select(marker.c.value).where(marker.c.name == SAMPLE_CLEARED)).first() is None:
            conn.execute(marker.insert().values(name=SAMPLE_CLEARED, value=1))
        append_audit(conn, user=actor.username, action="clear_sample",
                     detail=f"清除示例数据（{len(ids)} 个批次）")
        bump_data_version(conn)
    return len(ids)


def stored_batches_of(engine, file_check: FileCheck) -> list[int]:
    """Active batches already stored by the same import (file hash plus the values given
    at upload, see `_duplicate_batches`): storing it again is a no-op."""
    with engine.connect() as conn:
        return sorted(set(_duplicate_batches(conn, file_check).values()))
