"""The 工作总结 figures beyond the four indicator kinds: 评优表彰, 组织建设, 新媒体, 专项.

Pure functions over canonical frames, one table per section of a summary;
`report.build_report` gathers them into the report so the drafted text and
the exports read them from one place.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import pandas as pd

from analytics import periods, schema

HONOUR_COLUMNS = ["honour", "level", "recipient_type", "count"]
ORGANISATION_COLUMNS = ["item", "measure", "count"]
MEDIA_COLUMNS = ["column", "platform", "articles", "reads", "shares", "participants"]
PROJECT_FIGURES = ["sessions", "participants", "reached", "volunteers", "service_hours",
                   "funds", "beneficiaries"]
PROJECT_COLUMNS = ["project", "category", *PROJECT_FIGURES]


def _of(frames: Mapping[str, pd.DataFrame], kind: str) -> pd.DataFrame:
    df = frames.get(kind)
    if df is None:
        return pd.DataFrame(columns=list(schema.KINDS[kind].columns))
    return df


def _in_districts(df: pd.DataFrame, districts: Iterable[str] | None) -> pd.DataFrame:
    return df if districts is None else df[df["district"].isin(list(districts))]


def select_summary_kinds(frames: Mapping[str, pd.DataFrame], *, year: int,
                         months: tuple[int, int], until: date | None,
                         districts: Iterable[str] | None) -> dict[str, pd.DataFrame]:
    """The rows of honours (of the year), organisation and media (of the months, up to `until`)."""
    districts = None if districts is None else list(districts)
    wanted = periods.months_of(year, months)
    if until is not None:
        wanted = [m for m in wanted if m <= f"{until.year:04d}-{until.month:02d}"]
    honours = _of(frames, "honours")
    out = {"honours": _in_districts(honours[honours["year"] == year], districts)}
    for kind in ("organisation", "media"):
        df = _of(frames, kind)
        df = df[df["month"].isin(wanted)]
        if kind == "media" and until is not None and len(df):
            df = df[df["date"] <= pd.Timestamp(until)]
        out[kind] = _in_districts(df, districts)
    return out


def honours_table(honours: pd.DataFrame) -> pd.DataFrame:
    """Per honour (and level, 集体/个人): how many, in the order of honour_names.csv then level."""
    if not len(honours):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "count" else "object")
                             for c in HONOUR_COLUMNS})
    table = (honours.groupby(["honour", "level", "recipient_type"], sort=False)["count"]
             .sum().astype("int64").reset_index())
    order = {c.name: i for i, c in enumerate(schema.choice_list("honour_names"))}
    ranks = {c.name: int(c.get("rank", "9")) for c in schema.choice_list("honour_levels")}
    table["_o"] = table["honour"].map(order).fillna(len(order))
    table["_r"] = table["level"].map(ranks).fillna(9)
    return table.sort_values(["_r", "_o"], kind="stable").drop(columns=["_o", "_r"]
                                                                ).reset_index(drop=True)


def honours_totals(honours: pd.DataFrame) -> dict[str, int]:
    """集体, 个人 and all honours (每个集体、每名个人计一次)."""
    by_type = honours.groupby("recipient_type")["count"].sum() if len(honours) else pd.Series()
    out = {t.name: int(by_type.get(t.name, 0)) for t in schema.choice_list("recipient_types")}
    out["total"] = int(sum(out.values()))
    return out


def organisation_table(organisation: pd.DataFrame) -> pd.DataFrame:
    """Per 组织建设 item: the summed count and its measure word, in the list's order."""
    if not len(organisation):
        return pd.DataFrame({"item": pd.Series(dtype="object"),
                             "measure": pd.Series(dtype="object"),
                             "count": pd.Series(dtype="float64")})
    table = organisation.groupby("item", sort=False).agg(
        count=("count", "sum"), measure=("measure", "first")).reset_index()
    order = {c.name: i for i, c in enumerate(schema.choice_list("organisation_items"))}
    table["_o"] = table["item"].map(order).fillna(len(order))
    table = table.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
    return table[ORGANISATION_COLUMNS]


def by_district(frame: pd.DataFrame, by: str, districts: Iterable[str]) -> pd.DataFrame:
    """One row per district, one column per `by` value: the summed count (0 where none)."""
    names = list(districts)
    if not len(frame):
        return pd.DataFrame({"district": names})
    table = frame.pivot_table(index="district", columns=by, values="count", aggfunc="sum",
                              fill_value=0)
    return table.reindex(names, fill_value=0).rename_axis("district").reset_index() \
        .rename_axis(None, axis=1)


def media_table(media: pd.DataFrame) -> pd.DataFrame:
    """Per 栏目/专题 (and platform): articles, reads, shares, participants; busiest first."""
    if not len(media):
        return pd.DataFrame({c: pd.Series(dtype="object" if c in ("column", "platform")
                                          else "int64") for c in MEDIA_COLUMNS})
    df = media.assign(column=media["column"].fillna("其他"))
    table = df.groupby(["column", "platform"], sort=False).agg(
        articles=("title", "size"), reads=("reads", "sum"), shares=("shares", "sum"),
        participants=("participants", "sum")).reset_index()
    for col in ("articles", "reads", "shares", "participants"):
        table[col] = table[col].fillna(0).astype("int64")
    return table[MEDIA_COLUMNS]


def media_totals(media: pd.DataFrame) -> dict[str, int]:
    """Articles, reads, shares and participants of all new-media rows."""
    out = {"articles": int(len(media))}
    for col in ("reads", "shares", "participants"):
        out[col] = int(media[col].fillna(0).sum()) if len(media) else 0
    return out


def project_table(activities: pd.DataFrame | None) -> pd.DataFrame:
    """Per 专项 of the activities: its category and every summed figure (NaN where none given)."""
    if activities is None or "project" not in activities or not activities["project"].notna().any():
        return pd.DataFrame({c: pd.Series(dtype="object" if c in ("project", "category")
                                          else "float64") for c in PROJECT_COLUMNS})
    df = activities[activities["project"].notna()]
    table = df.groupby("project", sort=False).agg(
        category=("category", "first"),
        **{c: (c, lambda s: s.sum(min_count=1)) for c in PROJECT_FIGURES}).reset_index()
    order = {c.name: i for i, c in enumerate(schema.choice_list("special_projects"))}
    table["_o"] = table["project"].map(order).fillna(len(order))
    table = table.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
    for c in PROJECT_FIGURES:
        table[c] = table[c].astype("float64")
    return table[PROJECT_COLUMNS]


MEDIA_MEASURES = ("articles", "reads", "shares", "participants")
MEDIA_GROUPS = ("platform", "column", "month")


def media_by(media: pd.DataFrame, by: str) -> pd.DataFrame:
    """新媒体 per platform, per 栏目/专题 or per month: articles (篇数), reads, shares,
    participants. Platforms and 栏目 busiest first (by articles), months in order;
    a row without a 栏目 counts under 其他."""
    if by not in MEDIA_GROUPS:
        raise ValueError(f"media_by: unknown group {by!r}")
    cols = [by, *MEDIA_MEASURES]
    if media is None or not len(media):
        return pd.DataFrame({c: pd.Series(dtype="object" if c == by else "int64") for c in cols})
    df = media.assign(column=media["column"].fillna("其他")) if by == "column" else media
    table = df.groupby(by, sort=False).agg(
        articles=("title", "size"), reads=("reads", "sum"), shares=("shares", "sum"),
        participants=("participants", "sum")).reset_index()
    for col in MEDIA_MEASURES:
        table[col] = table[col].fillna(0).astype("int64")
    if by == "month":
        table = table.sort_values("month")
    else:
        table = table.sort_values("articles", ascending=False, kind="stable")
    return table[cols].reset_index(drop=True)


def honour_types_by_district(honours: pd.DataFrame, districts: Iterable[str]) -> pd.DataFrame:
    """Per district: how many 集体 and 个人 honours, and all of them (total); 0 where none."""
    types = [t.name for t in schema.choice_list("recipient_types")]
    table = by_district(honours, "recipient_type", districts)
    for name in types:
        if name not in table:
            table[name] = 0
    table = table[["district", *types]].astype({t: "int64" for t in types})
    return table.assign(total=table[types].sum(axis=1).astype("int64"))


__all__ = ["by_district", "honour_types_by_district", "honours_table", "honours_totals",
           "media_by", "media_table", "media_totals", "organisation_table", "project_table",
           "select_summary_kinds"]
