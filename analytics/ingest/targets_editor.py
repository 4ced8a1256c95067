"""The targets editor's grid as input: its columns, the rows it holds, what changed.

The 目标管理 page edits one row per district and one column per indicator
(rates in %); saving turns the changed districts' cells back into canonical
targets rows, which go through the same row checks as an uploaded sheet.
"""
from __future__ import annotations

import math

import pandas as pd

from analytics.schema import TARGET_INDICATORS

DISTRICT_COLUMN = "区"


def indicator_column(indicator) -> str:
    """Editor column title: label with its unit, e.g. 参学率（%）."""
    return f"{indicator.label}（{indicator.unit}）"


TARGET_COLUMNS = {indicator_column(i): i for i in TARGET_INDICATORS}



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
