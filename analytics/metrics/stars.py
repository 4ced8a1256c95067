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


def served_star_distribution(volunteer: pd.DataFrame | None, served: pd.Series | None, *,
                              as_of: date) -> pd.DataFrame:
    """`star_distribution(volunteer_stars(...))` of the people in `served` (person keys,
    e.g. those who served in the selection), counting all their hours up to `as_of`.

    Only the level per person is needed, not the latest record, so this is a weighted
    count per person code: with `volunteer` compact (`metrics.compact`, person_key coded)
    and `served` coded alike, no key is hashed.
    """
    if volunteer is None or served is None or not len(volunteer) or not len(served):
        return star_distribution(volunteer_stars(None))
    keys = volunteer["person_key"]
    mask = volunteer["date"].to_numpy() <= np.datetime64(pd.Timestamp(as_of))
    if (isinstance(keys.dtype, pd.CategoricalDtype) and isinstance(served.dtype, pd.CategoricalDtype)
            and keys.cat.categories.equals(served.cat.categories)):
        codes, count = keys.cat.codes.to_numpy(), len(keys.cat.categories)
        wanted = np.zeros(count, dtype=bool)
        own = served.cat.codes.to_numpy()
        wanted[own[own >= 0]] = True
    else:
        codes, uniques = pd.factorize(keys)
        count = len(uniques)
        wanted = pd.Index(uniques).isin(served.unique())
    mask &= codes >= 0
    mask &= wanted[np.maximum(codes, 0)]
    chosen = codes[mask]
    hours = np.bincount(chosen, weights=volunteer["hours"].to_numpy(dtype="float64")[mask],
                        minlength=count)
    present = np.bincount(chosen, minlength=count) > 0
    levels = star_level_of(pd.Series(hours[present], dtype="float64"))
    return star_distribution(pd.DataFrame({"level": levels}))


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


def stars_over_years(volunteer_parts: Iterable[pd.DataFrame | None], *,
                     as_of: date | None = None,
                     districts: Iterable[str] | None = None,
                     units: Iterable[str] | None = None,
                     details: Iterable[pd.DataFrame | None] | None = None) -> pd.DataFrame:
    """`volunteer_stars` over volunteer rows read in parts (e.g. the loaded years and the
    older ones), limited to some districts and units: stars count the hours of every year.

    The parts may be compact frames (`metrics.compact`: person, unit and district coded,
    no names) with `details` the same rows in full, part for part and row for row: the
    hours and the latest record per person come from the codes, and only the latest
    records' id, name, unit and district are read from `details`. The result equals `volunteer_stars`
    over the parts one under the other (tests/test_compact.py compares them): no string
    is hashed and no text column copied for the ~10⁶ rows of a city.
    """
    parts = list(volunteer_parts)
    full = list(details) if details is not None else parts
    if len(full) != len(parts):
        raise ValueError("details must hold one frame per part")
    pairs = [(p, d) for p, d in zip(parts, full) if p is not None]
    if not pairs or sum(len(p) for p, _ in pairs) == 0:
        return volunteer_stars(None)
    for p, d in pairs:
        if d is None or len(d) != len(p):
            raise ValueError("details must hold the parts' rows, row for row")
    wanted_districts = None if districts is None else list(districts)
    wanted_units = None if units is None else list(units)
    limit = np.datetime64(pd.Timestamp(as_of)) if as_of is not None else None
    chosen = []                   # per part: the positions of its rows that count
    for p, _ in pairs:
        mask = np.ones(len(p), dtype=bool)
        if limit is not None:
            mask &= p["date"].to_numpy() <= limit
        if wanted_districts is not None:
            mask &= p["district"].isin(wanted_districts).to_numpy()
        if wanted_units is not None:
            mask &= p["unit"].isin(wanted_units).to_numpy()
        chosen.append(np.flatnonzero(mask))
    if sum(len(c) for c in chosen) == 0:
        return volunteer_stars(None)
    persons, person_keys = _person_codes([p["person_key"] for p, _ in pairs], chosen)
    # labels in order of first appearance, as `volunteer_stars`' factorize of the keys
    codes, first_seen = pd.factorize(persons)
    keys = person_keys[first_seen]
    hours = np.bincount(codes, weights=np.concatenate(
        [p["hours"].to_numpy(dtype="float64")[c] for (p, _), c in zip(pairs, chosen)]),
        minlength=len(keys))
    dates = np.concatenate([p["date"].to_numpy()[c] for (p, _), c in zip(pairs, chosen)])
    order = np.lexsort((dates, codes))
    last = order[np.r_[codes[order][1:] != codes[order][:-1], True]]   # latest row per person
    part_of = np.repeat(np.arange(len(pairs)), [len(c) for c in chosen])[last]
    row_of = np.concatenate(chosen)[last]

    def latest(name: str) -> np.ndarray:
        """`name` of each person's latest record, from the full rows."""
        out = np.full(len(keys), None, dtype=object)
        for i, (_, frame) in enumerate(pairs):
            if name not in frame:
                continue
            at = np.flatnonzero(part_of == i)
            out[at] = np.asarray(frame[name].iloc[row_of[at]].astype("object"), dtype=object)
        return out

    table = pd.DataFrame({
        "person_key": np.asarray(keys, dtype=object),
        "volunteer_id": latest("volunteer_id"),
        "name": latest("name"),
        "unit": latest("unit"),
        "district": latest("district"),
        "hours": hours,
    })
    table["level"] = star_level_of(table["hours"])
    table["label"] = table["level"].map(star_labels()).astype("object")
    return table.iloc[np.argsort(-table["hours"].to_numpy(), kind="stable")].reset_index(drop=True)


def _person_codes(columns: list[pd.Series], chosen: list[np.ndarray]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(an integer per chosen row, the person key of each integer) over the parts' chosen
    rows: categorical parts by their codes mapped onto the union of their categories
    (no string hashed per row), others by factorizing the keys."""
    if all(isinstance(c.dtype, pd.CategoricalDtype) for c in columns):
        union = pd.Index(columns[0].cat.categories, dtype="object")
        for c in columns[1:]:
            if not c.cat.categories.equals(union):
                union = union.append(pd.Index(c.cat.categories, dtype="object")).unique()
        coded = []
        for c, rows in zip(columns, chosen):
            onto = union.get_indexer(c.cat.categories)
            own = c.cat.codes.to_numpy()[rows]
            if (own < 0).any():
                raise ValueError("a volunteer record without person_key")
            coded.append(onto[own])
        return np.concatenate(coded), np.asarray(union, dtype=object)
    values = np.concatenate([c.to_numpy(dtype=object)[rows] for c, rows in zip(columns, chosen)])
    codes, keys = pd.factorize(values)
    return codes, np.asarray(keys, dtype=object)
