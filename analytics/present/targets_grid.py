"""Shaping for the admin-side pages: login gate, upload preview, batches,
accounts, audit log and targets.

Pure functions over DataFrames and the loader/auth/store objects, so the
pages stay thin (read widgets, call these, render) and this is tested
without Streamlit. Every table a page shows gets Chinese column names here.
"""
from __future__ import annotations

import io

import math
from collections.abc import Sequence

import pandas as pd

from analytics.schema import ALL_DISTRICTS, INDICATORS, KINDS


# --- targets -------------------------------------------------------------------

DISTRICT_COLUMN = "区"


def indicator_column(indicator) -> str:
    """Editor column title: label with its unit, e.g. 参学率（%）."""
    return f"{indicator.label}（{indicator.unit}）"


TARGET_COLUMNS = {indicator_column(i): i for i in INDICATORS}


def targets_grid(targets: pd.DataFrame, *, year: int, districts: Sequence[str]) -> pd.DataFrame:
    """One row per district (全部 first), one column per indicator; rates in %.

    Blank cells are indicators without a target. `districts` lists the rows to
    show (districts with targets stored are added).
    """
    rows = targets[targets["year"] == year]
    names = [ALL_DISTRICTS] + sorted((set(districts) | set(rows["district"])) - {ALL_DISTRICTS})
    wide = (rows.pivot_table(index="district", columns="indicator", values="value", aggfunc="last")
            if len(rows) else pd.DataFrame())
    grid = pd.DataFrame({DISTRICT_COLUMN: names})
    for column, indicator in TARGET_COLUMNS.items():
        values = (wide[indicator.name].reindex(names) if indicator.name in wide
                  else pd.Series(math.nan, index=names))
        grid[column] = ((values * 100).round(6) if indicator.is_rate else values).to_numpy(float)
    return grid


def grid_targets(grid: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """The canonical targets rows (year, district, indicator, value) of a grid."""
    long = grid.melt(id_vars=[DISTRICT_COLUMN], var_name="column", value_name="value")
    long = long.dropna(subset=["value"])
    long = long[long["column"].isin(list(TARGET_COLUMNS))]
    indicators = long["column"].map(TARGET_COLUMNS)
    value = long["value"].astype(float)
    value = value.where(~indicators.map(lambda i: i.is_rate), value / 100)
    return pd.DataFrame({
        "year": year,
        "district": long[DISTRICT_COLUMN].astype(str).to_numpy(),
        "indicator": indicators.map(lambda i: i.name).to_numpy(),
        "value": value.to_numpy(),
    })


def split_targets_grid(grid: pd.DataFrame, editable: frozenset[str] | None
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows `editable` districts may change, the other rows); None edits every row."""
    if editable is None:
        return grid, grid.iloc[:0]
    mine = grid[DISTRICT_COLUMN].isin(list(editable))
    return grid[mine].reset_index(drop=True), grid[~mine].reset_index(drop=True)


def changed_districts(before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    """Districts whose row of targets differs between two grids (same rows)."""
    old = before.set_index(DISTRICT_COLUMN)
    new = after.set_index(DISTRICT_COLUMN)
    changed = []
    for district in new.index:
        if district not in old.index:
            if new.loc[district].notna().any():
                changed.append(district)
            continue
        a, b = old.loc[district], new.loc[district]
        same = all((pd.isna(x) and pd.isna(y)) or (not pd.isna(x) and not pd.isna(y)
                                                  and math.isclose(float(x), float(y)))
                   for x, y in zip(a, b))
        if not same:
            changed.append(district)
    return changed


def targets_sheet_bytes(rows: pd.DataFrame, *, note: str) -> bytes:
    """A targets sheet (UTF-8 CSV, headers as in the template) for the loader.

    `note` goes on a 注： line under the table (skipped by the loader), e.g.
    where the file came from.
    """
    labels = {i.name: i.label for i in INDICATORS}
    fields = KINDS["targets"].fields
    out = io.StringIO()
    sheet = pd.DataFrame({
        fields[0].label: rows["year"].astype(int),
        fields[1].label: rows["district"],
        fields[2].label: rows["indicator"].map(labels),
        fields[3].label: rows["value"].map(lambda v: f"{float(v):.10g}"),
    })
    sheet.to_csv(out, index=False, lineterminator="\n")
    out.write(f"注：{note}\n")
    return out.getvalue().encode("utf-8-sig")
