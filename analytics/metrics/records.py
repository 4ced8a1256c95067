"""青年大学习 from the platform's per-person records and the 团员名单 (pure, no I/O).

The records say who studied; the roster in force says who should have. Per
(district, unit, 团支部, 期, month) the learners are the distinct persons of
the records and the members the roster's members of that 团支部: these rows
join the per-unit study rows, so `study_rate` stays Σ learners / Σ members
whichever way a district reports.

A roster is in force from its month on, per (district, unit) it lists — a
roster without a 单位 column is the whole district's — until a later roster
of the same district (or unit) takes over. Where no roster is in force the
members come from the unit's latest per-unit study sheet; failing that they
are 0, which the indicators read as "unknown" (never as a rate of 0).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from analytics import schema
from analytics.metrics import indicators

NO_UNIT = "未填单位"            # a roster row without 单位 whose 团支部 has no records either
ABSENT_COLUMNS = ["district", "unit", "branch", "period", "name", "member_id"]
UNMATCHED_COLUMNS = ["district", "unit", "branch", "period", "name", "member_id"]
BRANCH_COLUMNS = ["district", "unit", "branch", "period", "month", "learners", "members",
                  "study_rate", "band"]
_GROUP = list(schema.STUDY_GROUP)
# False on a derived study row whose members are unknown (no roster, no study sheet):
# its learners count as 参学人次 but stay out of 参学率 (a rate of 0 would be a lie)
MEMBERS_KNOWN = indicators.MEMBERS_KNOWN


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def roster_in_force(roster: pd.DataFrame | None, month: str,
                    records: pd.DataFrame | None = None) -> pd.DataFrame:
    """The members on the roster in force in `month`: for each (district, unit) listed,
    the rows of its latest roster month ≤ `month`, without those whose 状态 says they
    left. A blank 单位 is filled from the records of that 团支部 (else `NO_UNIT`)."""
    columns = list(schema.KINDS["roster"].columns)
    if roster is None or not len(roster):
        return _empty(columns)
    held = roster[roster["month"] <= month]
    if not len(held):
        return held.reset_index(drop=True)
    scope_unit = held["unit"].fillna("")
    latest = held.groupby([held["district"], scope_unit], sort=False)["month"].transform("max")
    current = held[(held["month"] == latest).to_numpy()]
    current = current[~current["status"].isin(schema.NOT_MEMBER_STATUSES).to_numpy()]
    current = current.drop_duplicates(["district", "person_key"]).copy()
    missing = current["unit"].isna()
    if missing.any():
        units = _branch_units(records)
        filled = pd.MultiIndex.from_frame(current.loc[missing, ["district", "branch"]]).map(
            lambda key: units.get(key, NO_UNIT))
        current.loc[missing, "unit"] = np.asarray(filled, dtype=object)
    return current.reset_index(drop=True)


def _branch_units(records: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    """(district, 团支部) -> the unit most of its records name."""
    if records is None or not len(records):
        return {}
    counts = records.groupby(["district", "branch", "unit"], sort=False).size()
    best = counts.sort_values(ascending=False).reset_index().drop_duplicates(["district", "branch"])
    return {(d, b): u for d, b, u in zip(best["district"], best["branch"], best["unit"])}


def _record_months(records: pd.DataFrame | None) -> list[str]:
    return [] if records is None or not len(records) else sorted(records["month"].unique())


def study_from_records(records: pd.DataFrame | None, roster: pd.DataFrame | None,
                       study: pd.DataFrame | None = None) -> pd.DataFrame:
    """Study rows (the `study` columns plus `branch`) from learner records.

    One row per (district, unit, 团支部, 期, month) that has records, and one per
    团支部 on the roster in force that has none in a 期 its district studied
    (learners 0). Units without a roster in force become one row per unit and
    期 with the members of their latest per-unit study sheet, or 0 (unknown).
    """
    study_columns = [*schema.KINDS["study"].columns, "branch", MEMBERS_KNOWN]
    if records is None or not len(records):
        return _empty(study_columns)
    learners = (records.drop_duplicates([*_GROUP, "person_key"])
                .groupby(_GROUP, sort=False).size().rename("learners").reset_index())
    parts = []
    for month in _record_months(records):
        found = learners[learners["month"] == month]
        members = roster_in_force(roster, month, records)
        parts.append(_month_rows(found, members, month, study))
    out = pd.concat(parts, ignore_index=True)
    out["rate"] = np.nan
    out["source_row"] = 0
    return out.astype({"members": "int64", "learners": "int64", "source_row": "int64"})[study_columns]


def _month_rows(found: pd.DataFrame, members: pd.DataFrame, month: str,
                study: pd.DataFrame | None) -> pd.DataFrame:
    """The study rows of one month: learners joined with the roster in force."""
    counts = members.groupby(["district", "unit", "branch"], sort=False).size().rename("members")
    periods = found[["district", "period"]].drop_duplicates()
    expected = counts.reset_index().merge(periods, on="district")      # branch × 期 studied
    expected["month"] = month
    rows = expected.merge(found, on=_GROUP, how="outer")
    rows["learners"] = rows["learners"].fillna(0)
    on_roster = pd.MultiIndex.from_frame(rows[["district", "unit"]]).isin(
        pd.MultiIndex.from_frame(members[["district", "unit"]])) if len(members) else \
        np.zeros(len(rows), dtype=bool)
    rows["members"] = rows["members"].fillna(0)
    known, unknown = rows[on_roster].copy(), rows[~on_roster]
    known[MEMBERS_KNOWN] = True
    if len(unknown):       # no roster: one row per unit and 期, members from a study sheet
        unknown = (unknown.groupby(["district", "unit", "period", "month"], sort=False)["learners"]
                   .sum().reset_index())
        unknown["branch"] = None
        sheet = _sheet_members(study, month)
        keys = list(zip(unknown["district"], unknown["unit"]))
        unknown["members"] = [sheet.get(k, 0) for k in keys]
        unknown[MEMBERS_KNOWN] = [k in sheet for k in keys]
    return pd.concat([known, unknown], ignore_index=True)


def _sheet_members(study: pd.DataFrame | None, month: str) -> dict[tuple[str, str], int]:
    """(district, unit) -> 团员数 of its latest per-unit study row up to `month`."""
    if study is None or not len(study):
        return {}
    sheet = study[(study["month"] <= month).to_numpy()]
    if "branch" in sheet:            # only the sheets users uploaded, not derived rows
        sheet = sheet[sheet["branch"].isna().to_numpy()]
    if not len(sheet):
        return {}
    latest = sheet.sort_values("month").groupby(["district", "unit"], sort=False).tail(1)
    return {(d, u): int(m) for d, u, m in zip(latest["district"], latest["unit"], latest["members"])}


def with_record_study(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """`frames` with the study rows of the records added to the `study` frame."""
    out = dict(frames)
    records = frames.get("study_records")
    if records is None or not len(records):
        return out
    study = frames.get("study")
    derived = study_from_records(records, frames.get("roster"), study)
    if study is None or not len(study):
        out["study"] = derived
    else:
        out["study"] = pd.concat([study.assign(branch=None) if "branch" not in study else study,
                                  derived], ignore_index=True)
    return out


# --- names: who has not studied, who studied without being on the roster -------------

def _filtered(df: pd.DataFrame | None, *, month: str | None = None, period: str | None = None,
              districts: Iterable[str] | None = None,
              units: Iterable[str] | None = None) -> pd.DataFrame | None:
    if df is None or not len(df):
        return df
    mask = np.ones(len(df), dtype=bool)
    if month is not None and "period" in df:       # the roster is chosen by month separately
        mask &= (df["month"] == month).to_numpy()
    if period is not None and "period" in df:
        mask &= (df["period"] == period).to_numpy()
    if districts is not None:
        mask &= df["district"].isin(list(districts)).to_numpy()
    if units is not None:
        mask &= df["unit"].isin(list(units)).to_numpy()
    return df[mask]


def _match_keys(df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(by id, by name) match keys within a district and 期: the id where given, and 姓名+团支部."""
    by_id = df["district"] + "\x1f" + df["period"] + "\x1fid\x1f" + df["member_id"].astype(str)
    by_id = by_id.where(df["member_id"].notna(), None)
    by_name = (df["district"] + "\x1f" + df["period"] + "\x1f" + df["branch"] + "\x1f"
               + df["name"].astype(str))
    by_name = by_name.where(df["name"].notna(), None)
    return by_id, by_name


def _expected(records: pd.DataFrame, roster: pd.DataFrame | None, month: str) -> pd.DataFrame:
    """Roster members in force × the 期 their district studied in `month`."""
    members = roster_in_force(roster, month, records)
    periods = records[["district", "period"]].drop_duplicates()
    return members.merge(periods, on="district")


def absent_members(records: pd.DataFrame | None, roster: pd.DataFrame | None, *, month: str,
                   period: str | None = None, districts: Iterable[str] | None = None,
                   units: Iterable[str] | None = None) -> pd.DataFrame:
    """未学名单: members on the roster in force with no record in a 期 of `month`.

    A member counts as having studied when a record of the same district and 期
    has their 学号/编号, or their 姓名 in their 团支部. Columns `ABSENT_COLUMNS`,
    sorted by district, unit, 团支部, 期, 姓名.
    """
    recs = _filtered(records, month=month, period=period, districts=districts)
    if recs is None or not len(recs):
        return _empty(ABSENT_COLUMNS)
    expected = _filtered(_expected(recs, roster, month), districts=districts, units=units)
    if not len(expected):
        return _empty(ABSENT_COLUMNS)
    rec_id, rec_name = _match_keys(recs)
    mem_id, mem_name = _match_keys(expected)
    studied = mem_id.isin(set(rec_id.dropna())) | mem_name.isin(set(rec_name.dropna()))
    absent = expected[~studied.to_numpy()]
    return (absent[ABSENT_COLUMNS].sort_values(["district", "unit", "branch", "period", "name"])
            .reset_index(drop=True))


def learners_not_on_roster(records: pd.DataFrame | None, roster: pd.DataFrame | None, *,
                           month: str, period: str | None = None,
                           districts: Iterable[str] | None = None,
                           units: Iterable[str] | None = None) -> pd.DataFrame:
    """Learners of units with a roster in force who match no member on it (非团员青年, or a
    name typed differently): listed apart, never dropped. One row per person and 期."""
    recs = _filtered(records, month=month, period=period, districts=districts, units=units)
    if recs is None or not len(recs):
        return _empty(UNMATCHED_COLUMNS)
    expected = _expected(recs, roster, month)
    if not len(expected):
        return _empty(UNMATCHED_COLUMNS)
    recs = recs.drop_duplicates(["district", "period", "person_key"])
    covered = pd.MultiIndex.from_frame(recs[["district", "unit"]]).isin(
        pd.MultiIndex.from_frame(expected[["district", "unit"]]))
    recs = recs[covered]
    mem_id, mem_name = _match_keys(expected)
    rec_id, rec_name = _match_keys(recs)
    matched = rec_id.isin(set(mem_id.dropna())) | rec_name.isin(set(mem_name.dropna()))
    out = recs[~matched.to_numpy()]
    return (out[UNMATCHED_COLUMNS].sort_values(["district", "unit", "branch", "period", "name"])
            .reset_index(drop=True))


def branch_rates(study: pd.DataFrame | None, *, month: str | None = None,
                 period: str | None = None, districts: Iterable[str] | None = None,
                 units: Iterable[str] | None = None) -> pd.DataFrame:
    """参学率 per 团支部 (rows derived from records; weighted over 期 when several), with its
    band. A 团支部 without members reads NaN (unknown). Columns `BRANCH_COLUMNS`."""
    if study is None or "branch" not in study:
        return _empty(BRANCH_COLUMNS)
    rows = _filtered(study[study["branch"].notna().to_numpy()], month=month, period=period,
                     districts=districts, units=units)
    if rows is None or not len(rows):
        return _empty(BRANCH_COLUMNS)
    keys = ["district", "unit", "branch", "period", "month"]
    table = rows.groupby(keys, sort=True)[["learners", "members"]].sum().reset_index()
    table["study_rate"] = table["learners"] / table["members"].where(table["members"] > 0)
    table["band"] = indicators.study_bands_of(table["study_rate"])
    return table[BRANCH_COLUMNS]


def periods_of(records: pd.DataFrame | None, month: str | None = None) -> list[str]:
    """The 期 labels of the records (of `month`), sorted."""
    recs = _filtered(records, month=month)
    return [] if recs is None or not len(recs) else sorted(recs["period"].unique())


def _people(table: pd.DataFrame) -> list[dict]:
    return [{k: (None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
             for k, v in row.items()} for row in table.to_dict("records")]


def absent_report(frames: Mapping[str, pd.DataFrame], *, month: str, period: str | None = None,
                  districts: Iterable[str] | None = None,
                  units: Iterable[str] | None = None) -> dict:
    """The `absent --json` object: `month`, `absent` (未学名单) and `not_on_roster`
    (learners on no roster in force), each a list of
    {district, unit, branch, period, name, member_id}."""
    records, roster = frames.get("study_records"), frames.get("roster")
    absent = absent_members(records, roster, month=month, period=period,
                            districts=districts, units=units)
    others = learners_not_on_roster(records, roster, month=month, period=period,
                                    districts=districts, units=units)
    return {"month": month, "absent": _people(absent), "not_on_roster": _people(others)}
