"""三力一度 scores per district: 引领力, 组织力, 服务力, 大局贡献度.

Definition (one place, shown on the radar's help text):

1. **团员 (members)** of a district = Σ study members of the latest month
   that district reported in the frames given (the current size of the
   league, not a sum over months).
2. **value** of a dimension = activity participants (人次) in that
   dimension's categories (categories.csv) per 100 团员. For 大局贡献度 the
   volunteer service hours of the district are added to the participants
   (one hour counts as one 人次), so record-keeping volunteers count too
   (`with_volunteer_hours=False` leaves them out).
3. **score** = value / the highest value among the districts compared × 100
   ("share of max", 0–100): the leading district scores 100 and the others
   keep their proportion to it (min–max would push the last district to 0
   even when it is close). All values 0 → all scores 0. A district without
   团员 has no value and no score (NaN).

Pass frames already selected for the period (`indicators.select`).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from analytics import schema

BIG_PICTURE = schema.DIMENSIONS[-1]  # 大局贡献度
SCORE_COLUMNS = ["district", "dimension", "participants", "volunteer_hours", "members",
                 "value", "score"]


def latest_members(study: pd.DataFrame | None) -> pd.Series:
    """Σ members of each district's latest reported month (index: district)."""
    if study is None or len(study) == 0:
        return pd.Series(dtype="int64")
    last = study.groupby("district", observed=True)["month"].transform("max")
    latest = study[study["month"] == last]
    return latest.groupby("district", observed=True)["members"].sum().astype("int64")


def three_forces(frames: Mapping[str, pd.DataFrame], *,
                 districts: Iterable[str] | None = None,
                 with_volunteer_hours: bool = True) -> pd.DataFrame:
    """Tidy 三力一度 table: one row per (district, dimension), DIMENSIONS order.

    Columns: district, dimension, participants, volunteer_hours, members,
    value (per 100 团员), score (0–100, share of the max across districts).
    """
    acts = frames.get("activities")
    vol = frames.get("volunteer")
    members = latest_members(frames.get("study"))
    if acts is not None and len(acts):
        part = acts.groupby(["district", "dimension"], observed=True)["participants"].sum()
    else:
        part = pd.Series(dtype="int64")
    hours = (vol.groupby("district", observed=True)["hours"].sum()
             if vol is not None and len(vol) and with_volunteer_hours else pd.Series(dtype="float64"))
    if districts is None:
        seen = set(members.index) | set(hours.index)
        seen |= {d for d, _ in part.index} if len(part) else set()
        names = sorted(seen)
    else:
        names = list(dict.fromkeys(districts))
    grid = pd.MultiIndex.from_product([names, list(schema.DIMENSIONS)],
                                      names=["district", "dimension"]).to_frame(index=False)
    if grid.empty:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    grid["participants"] = part.reindex(pd.MultiIndex.from_frame(grid[["district", "dimension"]])
                                        ).fillna(0).astype("int64").to_numpy()
    big = grid["dimension"] == BIG_PICTURE
    grid["volunteer_hours"] = np.where(big, grid["district"].map(hours).fillna(0.0), 0.0)
    grid["members"] = grid["district"].map(members).astype("float64")
    per_capita = grid["members"].where(grid["members"] > 0)
    grid["value"] = (grid["participants"] + grid["volunteer_hours"]) / per_capita * 100
    best = grid.groupby("dimension", sort=False)["value"].transform("max")
    grid["score"] = np.where(best > 0, grid["value"] / best * 100,
                             np.where(grid["value"].notna(), 0.0, np.nan))
    grid["members"] = grid["members"].astype("Int64")
    return grid[SCORE_COLUMNS]


def score_table(scores: pd.DataFrame, values: str = "score") -> pd.DataFrame:
    """`three_forces` as district × dimension (`values`: "score" or "value"), districts in
    their order, every dimension a column (NaN where there is none)."""
    if scores is None or not len(scores):
        return pd.DataFrame(columns=list(schema.DIMENSIONS)).rename_axis("district")
    table = scores.pivot(index="district", columns="dimension", values=values)
    return table.reindex(index=list(dict.fromkeys(scores["district"])),
                         columns=list(schema.DIMENSIONS)).rename_axis(columns=None)


def dimension_leaders(scores: pd.DataFrame) -> dict[str, list[str]]:
    """{district: the dimensions whose score it leads}, for dimensions anyone scores in."""
    leaders: dict[str, list[str]] = {}
    if scores is None or not len(scores):
        return leaders
    for dim in schema.DIMENSIONS:
        rows = scores[(scores["dimension"] == dim) & scores["score"].notna()]
        if len(rows) and rows["score"].max() > 0:
            leaders.setdefault(rows.loc[rows["score"].idxmax(), "district"], []).append(dim)
    return leaders
