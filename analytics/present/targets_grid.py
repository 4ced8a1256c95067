"""The 目标管理 editor's grid as shown: stored targets → one row per district, and the
targets sheet a user downloads (its columns are `ingest.targets_editor`'s)."""
from __future__ import annotations

import io
import math
from collections.abc import Sequence

import pandas as pd

from analytics.present.fmt import csv_text
from analytics.ingest.targets_editor import DISTRICT_COLUMN, TARGET_COLUMNS
from analytics.schema import ALL_DISTRICTS, KINDS, SUMMARY_TARGET_INDICATORS, TARGET_INDICATORS


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


def split_target_columns(grid: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(区 and the indicators' columns, 区 and the 工作总结 targets' columns: 获评荣誉 and the
    组织建设 items): two grids that each fit the page, joined again by `join_target_columns`."""
    summary = {i.name for i in SUMMARY_TARGET_INDICATORS}
    later = [c for c, i in TARGET_COLUMNS.items() if i.name in summary and c in grid]
    return (grid[[c for c in grid.columns if c not in later]].reset_index(drop=True),
            grid[[DISTRICT_COLUMN, *later]].reset_index(drop=True))


def join_target_columns(indicators: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """The one grid again (same rows, in the same order) from `split_target_columns`' parts."""
    return pd.concat([indicators.reset_index(drop=True),
                      summary.drop(columns=[DISTRICT_COLUMN]).reset_index(drop=True)], axis=1)


def split_targets_grid(grid: pd.DataFrame, editable: frozenset[str] | None
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows `editable` districts may change, the other rows); None edits every row."""
    if editable is None:
        return grid, grid.iloc[:0]
    mine = grid[DISTRICT_COLUMN].isin(list(editable))
    return grid[mine].reset_index(drop=True), grid[~mine].reset_index(drop=True)


def targets_sheet_bytes(rows: pd.DataFrame, *, note: str) -> bytes:
    """A targets sheet (UTF-8 CSV, headers as in the template) for the loader.

    `note` goes on a 注： line under the table (skipped by the loader), e.g.
    where the file came from.
    """
    labels = {i.name: i.label for i in TARGET_INDICATORS}
    fields = KINDS["targets"].fields
    out = io.StringIO()
    sheet = pd.DataFrame({
        fields[0].label: rows["year"].astype(int),
        fields[1].label: rows["district"].map(csv_text),     # never a formula in Excel/WPS
        fields[2].label: rows["indicator"].map(labels),
        fields[3].label: rows["value"].map(lambda v: f"{float(v):.10g}"),
    })
    sheet.to_csv(out, index=False, lineterminator="\n")
    out.write(f"注：{note}\n")
    return out.getvalue().encode("utf-8-sig")
