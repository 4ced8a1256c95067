"""Tiny canonical frames for the indicator, progress, star, dimension and chart tests."""
from __future__ import annotations

import pandas as pd

from analytics import schema


def _canonical(kind: str, rows: list[dict]) -> pd.DataFrame:
    cols = schema.KINDS[kind].columns
    df = pd.DataFrame(rows, columns=list(cols))
    df["source_row"] = range(2, len(df) + 2)
    return df


def study(*rows: tuple) -> pd.DataFrame:
    """rows: (month, district, unit, members, learners)."""
    return _canonical("study", [
        {"period": None, "month": m, "district": d, "unit": u, "members": mem,
         "learners": lea, "rate": lea / mem}
        for m, d, u, mem, lea in rows]).astype({"members": "int64", "learners": "int64"})


def activities(*rows: tuple) -> pd.DataFrame:
    """rows: (date, district, unit, category, sessions, participants)."""
    dims = {c.name: c.dimension for c in schema.categories()}
    df = _canonical("activities", [
        {"date": pd.Timestamp(day), "month": day[:7], "district": d, "unit": u,
         "title": f"{cat}活动", "category": cat, "dimension": dims.get(cat),
         "sessions": s, "participants": p}
        for day, d, u, cat, s, p in rows])
    return df.astype({"sessions": "int64", "participants": "int64"})


def volunteer(*rows: tuple) -> pd.DataFrame:
    """rows: (volunteer_id or None, name, district, unit, date, hours)."""
    return _canonical("volunteer", [
        {"volunteer_id": vid, "name": name, "district": d, "unit": u, "project": None,
         "date": pd.Timestamp(day), "hours": float(h), "month": day[:7],
         "person_key": f"id:{vid}" if vid else f"name:{name}|{u}"}
        for vid, name, d, u, day, h in rows])


def targets(*rows: tuple) -> pd.DataFrame:
    """rows: (year, district, indicator, value)."""
    return _canonical("targets", [
        {"year": y, "district": d, "indicator": i, "value": float(v)} for y, d, i, v in rows
    ]).astype({"year": "int64"})
