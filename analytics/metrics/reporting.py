"""报送情况: which 基层团组织 have reported which kinds for a month, and which have not.

Pure functions over the active unit scopes (`store.batches.reporting_scopes`:
kind, district, unit, period, batch_id, username, created_at, file_name) and
the editable unit list (`analytics/data/units.csv`: district, unit, expected).

A unit is expected to report a kind for a month when it reported that kind in
an earlier month, or when the unit list names it (then for every kind its
district has reported in any month). `expected` = 否 in the list takes a unit
off the list of expected units (a unit merged or dissolved).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from analytics import schema

STATUS_COLUMNS = ("district", "unit", "kind", "month", "reported", "listed", "batch_id",
                  "username", "created_at")
PROGRESS_COLUMNS = ("district", "month", "expected_units", "reported_units", "complete_units",
                    "rate", "missing", "by_kind")


def unit_scoped_kinds() -> tuple[str, ...]:
    return tuple(name for name, kind in schema.KINDS.items() if kind.unit_scoped)


def unit_list(path: Path | None = None) -> pd.DataFrame:
    """The editable unit list per district (district, unit, expected: bool), see `schema.listed_units`."""
    frame = pd.DataFrame([(u.district, u.unit, u.expected) for u in schema.listed_units(path)],
                         columns=["district", "unit", "expected"])
    return frame.drop_duplicates(["district", "unit"], keep="last").reset_index(drop=True)


def reporting_status(scopes: pd.DataFrame, units: pd.DataFrame, *, month: str,
                     districts: Iterable[str] | None = None,
                     kinds: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per expected (district, unit, kind) for `month` ("YYYY-MM"), reported or not.

    Columns `STATUS_COLUMNS`: `reported` with the batch, who uploaded it and when;
    `listed` when the unit list names the unit. Units that reported without
    being expected (a new unit) are included as reported.
    """
    kinds = tuple(kinds or unit_scoped_kinds())
    scopes = scopes[scopes["kind"].isin(kinds)]
    units = units if len(units) else pd.DataFrame(columns=["district", "unit", "expected"])
    if districts is not None:
        wanted = set(districts)
        scopes = scopes[scopes["district"].isin(wanted)]
        units = units[units["district"].isin(wanted)]
    earlier = scopes[scopes["period"] < month]
    now = scopes[scopes["period"] == month]
    expected = set(zip(earlier["district"], earlier["unit"], earlier["kind"]))
    district_kinds = scopes.groupby("district")["kind"].agg(set).to_dict() if len(scopes) else {}
    listed = set(zip(units["district"], units["unit"]))
    dropped = set(zip(units.loc[~units["expected"].astype(bool), "district"],
                      units.loc[~units["expected"].astype(bool), "unit"]))
    for district, unit in listed - dropped:
        expected |= {(district, unit, k) for k in district_kinds.get(district, ())}
    expected = {e for e in expected if (e[0], e[1]) not in dropped}
    held = {(d, u, k): (b, who, at) for d, u, k, b, who, at in zip(
        now["district"], now["unit"], now["kind"], now["batch_id"], now["username"],
        now["created_at"])}
    rows = []
    for district, unit, kind in sorted(expected | set(held)):
        batch = held.get((district, unit, kind))
        rows.append((district, unit, kind, month, batch is not None,
                     (district, unit) in listed, *(batch or (None, None, pd.NaT))))
    frame = pd.DataFrame(rows, columns=list(STATUS_COLUMNS))
    frame["batch_id"] = frame["batch_id"].astype("Int64")
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    return frame


def reporting_progress(status: pd.DataFrame) -> pd.DataFrame:
    """报送进度 per district and month (columns `PROGRESS_COLUMNS`).

    `reported_units` sent at least one kind, `complete_units` every kind
    expected of them; `missing` lists the units that sent nothing yet;
    `by_kind` maps each kind to (units reported, units expected).
    """
    rows = []
    for (district, month), group in status.groupby(["district", "month"], sort=True):
        per_unit = group.groupby("unit")["reported"]
        some, every = per_unit.any(), per_unit.all()
        by_kind = {kind: (int(g["reported"].sum()), len(g))
                   for kind, g in group.groupby("kind", sort=False)}
        rows.append((district, month, len(some), int(some.sum()), int(every.sum()),
                     float(some.mean()) if len(some) else None, sorted(some.index[~some]),
                     {k: by_kind[k] for k in unit_scoped_kinds() if k in by_kind}))
    return pd.DataFrame(rows, columns=list(PROGRESS_COLUMNS))


def latest_month(scopes: pd.DataFrame, *, until: str | None = None) -> str | None:
    """The newest month any unit reported (not after `until`), the 报送情况 page's default."""
    periods = scopes["period"] if len(scopes) else pd.Series(dtype=object)
    if until is not None:
        periods = periods[periods <= until]
    return None if periods.empty else str(periods.max())
