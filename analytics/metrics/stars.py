"""星级志愿者: cumulative service hours per volunteer against the star thresholds.

Cumulative means every recorded hour up to the as-of day, across years (a
star is earned over a volunteering life, not per year). The thresholds are
data (analytics/data/star_levels.csv): a volunteer with hours ≥ a level's
`min_hours` holds that level; exactly 100 hours is 一星级 when 一星级 starts
at 100. Below the first threshold: level 0, 未达星级.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from analytics import schema

NO_STAR = "未达星级"
STAR_COLUMNS = ["person_key", "volunteer_id", "name", "unit", "district", "hours",
                "level", "label"]


def star_level_of(hours: pd.Series,
                  levels: tuple[schema.StarLevel, ...] | None = None) -> pd.Series:
    """Star level (0 = none) for each cumulative-hours value; boundaries inclusive."""
    levels = tuple(sorted(levels or schema.star_levels(), key=lambda s: s.min_hours))
    edges = np.array([s.min_hours for s in levels], dtype="float64")
    numbers = np.array([0, *(s.level for s in levels)], dtype="int64")
    reached = np.searchsorted(edges, hours.to_numpy(dtype="float64"), side="right")
    return pd.Series(numbers[reached], index=hours.index, dtype="int64")


def star_labels(levels: tuple[schema.StarLevel, ...] | None = None) -> dict[int, str]:
    """{level: label} including 0 → 未达星级, in level order."""
    return {0: NO_STAR, **{s.level: s.label for s in sorted(levels or schema.star_levels(),
                                                             key=lambda s: s.level)}}


def volunteer_stars(volunteer: pd.DataFrame,
                    levels: tuple[schema.StarLevel, ...] | None = None, *,
                    as_of: date | None = None) -> pd.DataFrame:
    """One row per volunteer (person_key): cumulative hours and star level.

    Pass the volunteer frame of every year (not only the selected one);
    `as_of` drops services after that day. name, unit and district come from
    the volunteer's latest record. Sorted by hours, highest first (ties: first seen first).
    Columns: person_key, volunteer_id, name, unit, district, hours, level, label.
    """
    if volunteer is not None and as_of is not None:
        volunteer = volunteer[volunteer["date"] <= pd.Timestamp(as_of)]
    if volunteer is None or len(volunteer) == 0:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "hours" else
                                          "int64" if c == "level" else "object")
                             for c in STAR_COLUMNS})
    # integer person codes, then numpy: a string groupby would hash twice
    codes, keys = pd.factorize(volunteer["person_key"])
    hours = np.bincount(codes, weights=volunteer["hours"].to_numpy(dtype="float64"),
                        minlength=len(keys))
    order = np.lexsort((volunteer["date"].to_numpy(), codes))
    last = order[np.r_[codes[order][1:] != codes[order][:-1], True]]   # latest row per person
    latest = volunteer.iloc[last]
    blank = np.full(len(keys), None, dtype=object)
    table = pd.DataFrame({
        "person_key": np.asarray(keys, dtype=object),
        "volunteer_id": latest["volunteer_id"].to_numpy(dtype=object) if "volunteer_id" in latest
        else blank,
        "name": latest["name"].to_numpy(dtype=object) if "name" in latest else blank,
        "unit": latest["unit"].to_numpy(dtype=object),
        "district": latest["district"].to_numpy(dtype=object),
        "hours": hours,
    })
    table["level"] = star_level_of(table["hours"], levels)
    table["label"] = table["level"].map(star_labels(levels)).astype("object")
    # most hours first; ties keep the order of first appearance (stable)
    return table.iloc[np.argsort(-table["hours"].to_numpy(), kind="stable")].reset_index(drop=True)


def star_distribution(stars: pd.DataFrame,
                      levels: tuple[schema.StarLevel, ...] | None = None, *,
                      by: str | None = None) -> pd.DataFrame:
    """Volunteers per star level, every level listed (0 included) in level order.

    Columns: level, label, count — with `by` ("district", "unit") first and
    one block of levels per group.
    """
    labels = star_labels(levels)
    grid = pd.DataFrame({"level": list(labels), "label": list(labels.values())})
    if by is None:
        counts = stars.groupby("level").size() if len(stars) else pd.Series(dtype="int64")
        grid["count"] = grid["level"].map(counts).fillna(0).astype("int64")
        return grid
    groups = sorted(stars[by].dropna().unique()) if len(stars) else []
    counts = stars.groupby([by, "level"]).size().rename("count").reset_index()
    full = pd.DataFrame({by: groups}).merge(grid, how="cross")
    full = full.merge(counts, on=[by, "level"], how="left")
    full["count"] = full["count"].fillna(0).astype("int64")
    return full[[by, "level", "label", "count"]]


def stars_over_years(volunteer_parts: Iterable[pd.DataFrame], *, as_of: date | None = None,
                     districts: Iterable[str] | None = None,
                     units: Iterable[str] | None = None) -> pd.DataFrame:
    """`volunteer_stars` over volunteer rows read in parts (e.g. the loaded years and the
    older ones), limited to some districts and units: stars count the hours of every year."""
    from analytics.metrics.indicators import select

    parts = [p for p in volunteer_parts if p is not None]
    if len(parts) > 1:            # only what `volunteer_stars` reads: fewer columns to copy
        wanted = ["person_key", "volunteer_id", "name", "unit", "district", "date", "hours"]
        parts = [p[[c for c in wanted if c in p]] for p in parts]
    volunteer = (parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)) \
        if parts else None
    if volunteer is not None:
        volunteer = select({"volunteer": volunteer}, districts=districts, units=units)["volunteer"]
    return volunteer_stars(volunteer, as_of=as_of)
