"""Indicators over the canonical frames: each defined once, as data.

An indicator is a `Measure` — which frame, which column, which aggregation —
so the scalar functions (`study_learners(study)`), the grouped table
(`summarize(frames, by=[...])`) and the report share one definition.
`study_rate` is always Σ learners / Σ members (weighted), never a mean of
unit rates.

Everything here is pure: DataFrames in, DataFrames / numbers out, no I/O.
Grouping is vectorised (groupby), so a year of a city (10⁶ volunteer rows)
stays well under a second.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from analytics import periods, schema
from analytics.metrics import progress

Frames = Mapping[str, pd.DataFrame]

DATA_KINDS = ("activities", "study", "volunteer")


@dataclass(frozen=True)
class Measure:
    """A count indicator: `how` ("sum" | "nunique") of `column` in frame `kind`."""

    name: str
    kind: str
    column: str
    how: str
    integer: bool = True


MEASURES: dict[str, Measure] = {m.name: m for m in (
    Measure("study_learners", "study", "learners", "sum"),
    Measure("study_members", "study", "members", "sum"),
    Measure("activity_sessions", "activities", "sessions", "sum"),
    Measure("activity_participants", "activities", "participants", "sum"),
    Measure("volunteer_count", "volunteer", "person_key", "nunique"),
    Measure("volunteer_hours", "volunteer", "hours", "sum", integer=False),
)}

# column order of every indicator table: schema order (study_rate first)
INDICATOR_NAMES: tuple[str, ...] = tuple(i.name for i in schema.INDICATORS)
COUNT_INDICATORS: tuple[str, ...] = tuple(n for n in INDICATOR_NAMES if n in MEASURES)


def frame(frames: Frames, kind: str) -> pd.DataFrame:
    """The frame of `kind`, or an empty one with the canonical columns."""
    df = frames.get(kind)
    if df is None:
        return pd.DataFrame(columns=list(schema.KINDS[kind].columns))
    return df


# --- scalar indicators ------------------------------------------------------

def _total(df: pd.DataFrame, measure: Measure) -> int | float:
    if df is None or len(df) == 0 or measure.column not in df:
        return 0 if measure.integer else 0.0
    col = df[measure.column]
    if measure.how == "nunique":
        return int(col.nunique())
    value = col.sum()
    return int(value) if measure.integer else float(value)


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, None when the denominator is 0 or missing."""
    if denominator is None or pd.isna(denominator) or denominator == 0:
        return None
    return float(numerator) / float(denominator)


def study_learners(study: pd.DataFrame) -> int:
    """参学人次 = Σ learners."""
    return _total(study, MEASURES["study_learners"])


def study_members(study: pd.DataFrame) -> int:
    """应学团员数 = Σ members (summed over every row: units × periods)."""
    return _total(study, MEASURES["study_members"])


# study rows derived from learner records whose members are unknown carry False here
MEMBERS_KNOWN = "members_known"


def rated_learners(study: pd.DataFrame | None) -> pd.Series | None:
    """The learners that count towards 参学率: all of them, except on rows whose members
    are unknown (records of a unit with no roster and no study sheet)."""
    if study is None or "learners" not in study:
        return None
    if MEMBERS_KNOWN not in study:
        return study["learners"]
    return study["learners"].where(study[MEMBERS_KNOWN].ne(False), 0)


def study_rate(study: pd.DataFrame) -> float | None:
    """参学率 = Σ learners / Σ members; None when there are no members.

    >>> study_rate(pd.DataFrame({"learners": [10, 90], "members": [10, 100]}))
    0.9090909090909091
    """
    learners = rated_learners(study)
    return ratio(0 if learners is None else int(learners.sum()), study_members(study))


def activity_sessions(activities: pd.DataFrame) -> int:
    """活动场次 = Σ sessions."""
    return _total(activities, MEASURES["activity_sessions"])


def activity_participants(activities: pd.DataFrame) -> int:
    """参与人次 = Σ participants."""
    return _total(activities, MEASURES["activity_participants"])


def volunteer_count(volunteer: pd.DataFrame) -> int:
    """志愿者人数 = distinct person_key (id when given, else name + unit)."""
    return _total(volunteer, MEASURES["volunteer_count"])


def volunteer_hours(volunteer: pd.DataFrame) -> float:
    """志愿服务时长 = Σ hours."""
    return _total(volunteer, MEASURES["volunteer_hours"])


def totals(frames: Frames) -> dict[str, int | float | None]:
    """Every indicator over all rows of `frames`, in schema order."""
    out: dict[str, int | float | None] = {}
    for name, m in MEASURES.items():
        out[name] = _total(frame(frames, m.kind), m)
    learners = rated_learners(frame(frames, "study"))
    out["study_rate"] = ratio(0 if learners is None else int(learners.sum()), out["study_members"])
    return {n: out[n] for n in INDICATOR_NAMES}


# --- per category / dimension -----------------------------------------------

_ACTIVITY_MEASURES = ("activity_sessions", "activity_participants")


def _activity_table(activities: pd.DataFrame, key: str, order: Iterable[str]) -> pd.DataFrame:
    cols = [key, *_ACTIVITY_MEASURES]
    if activities is None or len(activities) == 0:
        return pd.DataFrame({c: pd.Series(dtype="object" if c == key else "int64") for c in cols})
    grouped = activities.groupby(key, observed=True, sort=False).agg(
        activity_sessions=("sessions", "sum"),
        activity_participants=("participants", "sum"),
    )
    order = [o for o in order if o in grouped.index]
    rest = sorted(i for i in grouped.index if i not in order)
    out = grouped.reindex(order + rest).rename_axis(key).reset_index()
    return out.astype({m: "int64" for m in _ACTIVITY_MEASURES})


def activities_by_category(activities: pd.DataFrame) -> pd.DataFrame:
    """活动场次 and 参与人次 per category (categories.csv order), with its dimension.

    Columns: category, dimension, activity_sessions, activity_participants.
    Only categories that occur are listed.
    """
    table = _activity_table(activities, "category", [c.name for c in schema.categories()])
    dims = {c.name: c.dimension for c in schema.categories()}
    table.insert(1, "dimension", table["category"].map(dims).astype("object"))
    table["dimension"] = table["dimension"].where(table["dimension"].notna(), None)
    return table


def activities_by_dimension(activities: pd.DataFrame) -> pd.DataFrame:
    """活动场次 and 参与人次 per 三力一度 dimension (rows with no dimension: 其他)."""
    if activities is None or len(activities) == 0:
        return _activity_table(activities, "dimension", schema.DIMENSIONS)
    acts = activities.assign(dimension=activities["dimension"].fillna(schema.OTHER_CATEGORY))
    return _activity_table(acts, "dimension", [*schema.DIMENSIONS, schema.OTHER_CATEGORY])


# --- selecting rows -----------------------------------------------------------

def latest_month(frames: Frames, year: int) -> str | None:
    """The newest month key of `year` that any data frame has rows for, or None."""
    found = []
    for kind in DATA_KINDS:
        df = frames.get(kind)
        if df is not None and len(df):
            # the distinct months first: a city's year is 10⁶ rows of a dozen months
            months = pd.Series(pd.unique(df["month"].dropna()), dtype="object")
            months = months[months.str.startswith(f"{year:04d}-")]
            if len(months):
                found.append(months.max())
    return max(found) if found else None


def latest_months(frames: Frames, year: int) -> dict[str, str]:
    """district → the newest month key of `year` it has rows for (districts without data left out)."""
    found: dict[str, str] = {}
    for kind in DATA_KINDS:
        df = frames.get(kind)
        if df is None or not len(df):
            continue
        # the distinct (district, month) pairs first: a few hundred, not 10⁶ rows
        rows = df.groupby(["district", "month"], observed=True, sort=False).size() \
            .index.to_frame(index=False).astype("object")
        rows = rows[rows["month"].str.startswith(f"{year:04d}-")]
        if not len(rows):
            continue
        for district, month in rows.groupby("district", observed=True)["month"].max().items():
            if isinstance(month, str) and month > found.get(district, ""):
                found[district] = month
    return found


def cut_offs(frames: Frames, year: int, months: tuple[int, int] = periods.WHOLE_YEAR, *,
             today: date, districts: Iterable[str] | None = None, given: date | None = None,
             cutoff_month: int | None = None) -> periods.CutOffs:
    """The as-of rule (`periods.cut_offs`) applied to the data: each district at its own
    last reported month, the area at the common cut-off of `districts` (all when None)."""
    latest = latest_months(frames, year)
    if districts is not None:
        wanted = set(districts)
        latest = {d: m for d, m in latest.items() if d in wanted}
    return periods.cut_offs(year, months, today=today, latest_by_district=latest, given=given,
                            cutoff_month=cutoff_month)


def select_cut(frames: Frames, cut: periods.CutOffs, *, year: int,
               months: tuple[int, int] | None = None,
               districts: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """`select` with each district's rows up to its own as-of day (`cut.of(district)`)."""
    days = cut.days
    if len(set(days.values())) <= 1:
        return select(frames, year=year, months=months, until=cut.area.day, districts=districts)
    latest = max(days.values())
    sel = select(frames, year=year, months=months, until=latest, districts=districts)
    for kind in DATA_KINDS:
        df = sel.get(kind)
        if df is None or not len(df):
            continue
        district = df["district"].astype("object")
        if "date" in df and pd.api.types.is_datetime64_any_dtype(df["date"]):
            limit = district.map({d: pd.Timestamp(v) for d, v in days.items()})
            limit = pd.to_datetime(limit.fillna(pd.Timestamp(cut.area.day)))
            keep = (df["date"] <= limit).to_numpy()
        else:
            limit = district.map({d: periods.month_key(v.year, v.month) for d, v in days.items()})
            limit = limit.fillna(periods.month_key(cut.area.day.year, cut.area.day.month))
            keep = (df["month"].astype("object") <= limit).to_numpy()
        sel[kind] = df if keep.all() else df[keep]
    return sel


def select(frames: Frames, *, year: int | None = None,
           months: tuple[int, int] | None = None, until: date | None = None,
           districts: Iterable[str] | None = None,
           units: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """The rows of `frames` in a period and set of districts/units (pure, copies nothing else).

    `months=(1, 10)` keeps January to October of `year`; `until` also drops
    dated rows after that day (and study months after its month). The
    targets frame is filtered by year and district only (its "全部" rows are
    always kept).
    """
    district_set = None if districts is None else list(districts)
    unit_set = None if units is None else list(units)
    allowed = periods.months_of(year, months) if year is not None else None
    first = last = None       # day range for dated frames (fast datetime compare)
    if year is not None:
        lo, hi = months or (1, 12)
        first = pd.Timestamp(year, lo, 1)
        last = pd.Timestamp(year, hi, calendar.monthrange(year, hi)[1])
    if until is not None:
        cut = f"{until.year:04d}-{until.month:02d}"
        allowed = [m for m in allowed if m <= cut] if allowed is not None else None
        last = pd.Timestamp(until) if last is None else min(last, pd.Timestamp(until))
    out: dict[str, pd.DataFrame] = {}
    for kind in DATA_KINDS:
        df = frames.get(kind)
        if df is None:
            continue
        mask = np.ones(len(df), dtype=bool)
        if "date" in df and pd.api.types.is_datetime64_any_dtype(df["date"]):
            if first is not None:
                mask &= (df["date"] >= first).to_numpy()
            if last is not None:
                mask &= (df["date"] <= last).to_numpy()
        else:
            if allowed is not None:
                mask &= df["month"].isin(allowed).to_numpy()
            elif until is not None:
                mask &= (df["month"] <= f"{until.year:04d}-{until.month:02d}").to_numpy()
        if district_set is not None:
            mask &= df["district"].isin(district_set).to_numpy()
        if unit_set is not None:
            mask &= df["unit"].isin(unit_set).to_numpy()
        out[kind] = df if mask.all() else df[mask]
    targets = frames.get("targets")
    if targets is not None:
        mask = np.ones(len(targets), dtype=bool)
        if year is not None:
            mask &= (targets["year"] == year).to_numpy()
        if district_set is not None:
            mask &= targets["district"].isin([*district_set, schema.ALL_DISTRICTS]).to_numpy()
        out["targets"] = targets[mask]
    return out


# --- grouped tables -----------------------------------------------------------

def _with_person_codes(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """person_key replaced by integer codes: one string hash instead of one per count."""
    vol = frames.get("volunteer")
    if vol is None or len(vol) == 0:
        return frames
    return {**frames, "volunteer": vol.assign(person_key=pd.factorize(vol["person_key"])[0])}


def summarize(frames: Frames, by: Iterable[str] = ("district",)) -> pd.DataFrame:
    """One row per group, one column per indicator (schema order).

    `by` names columns of the data frames ("district", "unit", "month", ...);
    a frame lacking one of them (e.g. "category" only exists in activities)
    contributes nothing, so its indicators read 0. Groups are sorted by `by`.
    `by=[]` gives the single total row.

    >>> summarize(frames, by=["district", "unit"])   # doctest: +SKIP
    """
    by = list(by)
    if not by:
        return pd.DataFrame([totals(frames)])
    parts = []
    for kind in DATA_KINDS:
        df = frames.get(kind)
        if df is None or len(df) == 0 or not set(by) <= set(df.columns):
            continue
        spec = {m.name: (m.column, m.how) for m in MEASURES.values() if m.kind == kind}
        if kind == "study":
            df = df.assign(_rated=rated_learners(df))
            spec["_rated"] = ("_rated", "sum")
        parts.append(df.groupby(by, observed=True, sort=False).agg(**spec))
    if parts:
        table = pd.concat(parts, axis=1, join="outer")
    else:
        table = pd.DataFrame(index=pd.MultiIndex.from_tuples([], names=by) if len(by) > 1
                             else pd.Index([], name=by[0], dtype="object"))
    for m in MEASURES.values():
        col = table[m.name] if m.name in table else pd.Series(0, index=table.index)
        table[m.name] = col.fillna(0).astype("int64" if m.integer else "float64")
    members = table["study_members"].where(table["study_members"] > 0)
    rated = table["_rated"].fillna(0) if "_rated" in table else table["study_learners"]
    table["study_rate"] = (rated / members).astype("float64")
    table = table[list(INDICATOR_NAMES)].sort_index().reset_index()
    return table


def _month_grid(year: int, last_month: int, keys: list) -> pd.DataFrame:
    months = periods.months_of(year, (1, last_month))
    if not keys:
        return pd.DataFrame({"month": months})
    return pd.MultiIndex.from_product([keys, months], names=["district", "month"]).to_frame(index=False)


def monthly(frames: Frames, year: int, districts: Iterable[str] | None = None, *,
            until: date | None = None, by_district: bool = True) -> pd.DataFrame:
    """Month-by-month indicators of `year` for trend charts.

    Columns: month, district ("全部" when `by_district=False`), every
    indicator, then `cum_<name>` year-to-date columns for the counts and
    `cum_study_rate`. Every month from January to the last month with data
    (or `until`'s month) is present, filled with 0, so cumulative lines are
    continuous. `cum_volunteer_count` counts distinct volunteers so far in
    the year (not a sum of monthly distinct counts).
    """
    districts = None if districts is None else list(dict.fromkeys(districts))
    sel = _with_person_codes(select(frames, year=year, until=until, districts=districts))
    keys = ["district", "month"] if by_district else ["month"]
    table = summarize(sel, by=keys)
    present = [m for kind in DATA_KINDS if kind in sel and len(sel[kind])
               for m in (sel[kind]["month"].max(),)]
    if until is not None and until.year != year:
        last = 12 if until.year > year else 0
    elif until is not None:
        last = until.month
    else:
        last = int(max(present)[5:7]) if present else 0
    if last == 0 and not len(table):
        return pd.DataFrame(columns=["month", "district", *INDICATOR_NAMES,
                                     *(f"cum_{n}" for n in COUNT_INDICATORS), "cum_study_rate"])
    if by_district:
        names = districts if districts is not None else sorted(table["district"].unique())
    else:
        names = []
    grid = _month_grid(year, max(last, 1), names)
    table = grid.merge(table, on=keys, how="left")
    for m in MEASURES.values():
        table[m.name] = table[m.name].fillna(0).astype("int64" if m.integer else "float64")
    if not by_district:
        table.insert(1, "district", schema.ALL_DISTRICTS)
    table = table[["month", "district", *INDICATOR_NAMES]].sort_values(["district", "month"])
    group = table.groupby("district", sort=False)
    for name in COUNT_INDICATORS:
        if name != "volunteer_count":
            table[f"cum_{name}"] = group[name].cumsum()
    table["cum_volunteer_count"] = _cumulative_distinct(sel.get("volunteer"), table, by_district)
    members = table["cum_study_members"].where(table["cum_study_members"] > 0)
    # the learners that count towards the rate (`rated_learners`): rate × members per month
    rated = (table["study_rate"].fillna(0) * table["study_members"]).round()
    table["cum_study_rate"] = (rated.groupby(table["district"], sort=False).cumsum()
                               / members).astype("float64")
    ordered = ["month", "district", *INDICATOR_NAMES,
               *(f"cum_{n}" for n in COUNT_INDICATORS), "cum_study_rate"]
    return table[ordered].reset_index(drop=True)


def _cumulative_distinct(volunteer: pd.DataFrame | None, table: pd.DataFrame,
                         by_district: bool) -> pd.Series:
    """Distinct volunteers seen up to each (district, month) row of `table`."""
    if volunteer is None or len(volunteer) == 0:
        return pd.Series(0, index=table.index, dtype="int64")
    keys = ["district", "person_key"] if by_district else ["person_key"]
    # min over factorised month codes: a string min would fall back to python
    codes, months = pd.factorize(volunteer["month"], sort=True)
    first = pd.Series(codes, index=volunteer.index, name="month").groupby(
        [volunteer[k] for k in keys], observed=True, sort=False).min()
    new = first.reset_index()
    new["month"] = np.asarray(months, dtype=object)[new["month"].to_numpy()]
    if not by_district:
        new["district"] = schema.ALL_DISTRICTS
    counts = new.groupby(["district", "month"], observed=True).size().rename("new")
    merged = table[["district", "month"]].merge(counts.reset_index(), how="left",
                                                 on=["district", "month"])
    merged["new"] = merged["new"].fillna(0).astype("int64")
    merged.index = table.index
    return merged.groupby("district", sort=False)["new"].cumsum()


# --- units and bands ----------------------------------------------------------

def study_band(rate: float | None,
               bands: tuple[schema.StudyBand, ...] | None = None) -> schema.StudyBand | None:
    """The 参学率 band (优秀/达标/关注/预警) a rate falls in; None for no rate."""
    if rate is None or pd.isna(rate):
        return None
    for band in bands or schema.study_bands():  # highest first
        if rate >= band.min_rate:
            return band
    return (bands or schema.study_bands())[-1]


def study_band_levels(rates, bands: tuple[schema.StudyBand, ...] | None = None) -> np.ndarray:
    """The band index of each rate, 0 = the lowest band (NaN where there is no rate)."""
    ascending = sorted(bands or schema.study_bands(), key=lambda b: b.min_rate)
    edges = np.array([b.min_rate for b in ascending])
    values = np.asarray(rates, dtype="float64")
    idx = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 1)
    return np.where(np.isnan(values), np.nan, idx.astype("float64"))


def study_bands_of(rates: pd.Series,
                   bands: tuple[schema.StudyBand, ...] | None = None) -> pd.Series:
    """Vectorised `study_band(...).band` for a Series of rates (None where NaN)."""
    ascending = sorted(bands or schema.study_bands(), key=lambda b: b.min_rate)
    levels = study_band_levels(rates, ascending)
    names = np.array([b.band for b in ascending], dtype=object)
    labels = np.where(np.isnan(levels), None, names[np.nan_to_num(levels).astype(int)])
    return pd.Series(labels, index=rates.index, dtype="object")


def unit_month_rates(study: pd.DataFrame | None) -> pd.DataFrame:
    """Weighted 参学率 per (district, unit, month) with its band level (0 = lowest band):
    district, unit, month, learners, members, study_rate, band_level."""
    cols = ["district", "unit", "month", "learners", "members", "study_rate", "band_level"]
    if study is None or not len(study):
        return pd.DataFrame(columns=cols)
    rated = study.assign(_rated=rated_learners(study))
    cells = rated.groupby(["district", "unit", "month"], observed=True)[
        ["learners", "members", "_rated"]].sum()
    cells["study_rate"] = cells["_rated"] / cells["members"].where(cells["members"] > 0)
    cells["band_level"] = study_band_levels(cells["study_rate"])
    return cells.reset_index()[cols]


def activity_totals(activities: pd.DataFrame | None) -> dict[str, float]:
    """Σ sessions, participants, reached and service_hours of some activity rows (0 for none)."""
    names = ("sessions", "participants", "reached", "service_hours")
    if activities is None or not len(activities):
        return {c: 0.0 for c in names}
    return {c: float(pd.to_numeric(activities[c], errors="coerce").sum()) for c in names}


def lagging_units(study: pd.DataFrame, *, min_members: int = 30,
                  limit: int | None = 10) -> pd.DataFrame:
    """Units with the lowest weighted 参学率, lowest first.

    Units whose Σ members is below `min_members` are left out: a branch of
    three members with one absentee says little. Columns: district, unit,
    study_learners, study_members, study_rate, band.
    """
    cols = ["district", "unit", "study_learners", "study_members", "study_rate", "band"]
    table = summarize({"study": study}, by=["district", "unit"])
    table = table[table["study_members"] >= max(min_members, 1)]
    table = table.sort_values(["study_rate", "study_members"], ascending=[True, False])
    if limit is not None:
        table = table.head(limit)
    table = table.assign(band=study_bands_of(table["study_rate"]))
    return table[cols].reset_index(drop=True)



# --- 同比 / 环比 ------------------------------------------------------------------

def _same_day_last_year(day: date) -> date:
    return day.replace(year=day.year - 1, day=28) if (day.month, day.day) == (2, 29) \
        else day.replace(year=day.year - 1)


def _has_rows(frames: Frames, indicator: str) -> bool:
    kind = "study" if indicator == "study_rate" else MEASURES[indicator].kind
    df = frames.get(kind)
    return df is not None and len(df) > 0


def period_value(frames: Frames, indicator: str) -> int | float | None:
    """The indicator over `frames`, None when its frame has no rows (no data ≠ 0)."""
    if not _has_rows(frames, indicator):
        return None
    if indicator == "study_rate":
        return study_rate(frame(frames, "study"))
    return _total(frame(frames, MEASURES[indicator].kind), MEASURES[indicator])


def yoy(frames: Frames, indicator: str, *, year: int,
        months: tuple[int, int] | None = None, until: date | None = None,
        districts: Iterable[str] | None = None) -> progress.Change:
    """同比: the period against the same months (up to the same day) of year − 1."""
    districts = None if districts is None else list(districts)
    now = select(frames, year=year, months=months, until=until, districts=districts)
    before = select(frames, year=year - 1, months=months, districts=districts,
                    until=None if until is None else _same_day_last_year(until))
    return progress.change(period_value(now, indicator), period_value(before, indicator),
                           rate=progress.is_rate(indicator))


def _year_before(cut: periods.CutOffs) -> periods.CutOffs:
    """The same cut-offs a year earlier (同比 compares up to the same day)."""
    def back(a: periods.AsOf) -> periods.AsOf:
        return periods.AsOf(_same_day_last_year(a.day), a.basis)
    return periods.CutOffs(back(cut.area), tuple((d, back(a)) for d, a in cut.districts))


def yoy_table(frames: Frames, *, year: int, months: tuple[int, int] | None = None,
              until: date | None = None, by: Iterable[str] = ("district",),
              districts: Iterable[str] | None = None,
              indicators: Iterable[str] = INDICATOR_NAMES,
              cut: periods.CutOffs | None = None) -> pd.DataFrame:
    """同比 per group: *by, indicator, current, previous, change, change_rel.

    `previous` is NaN (not 0) for a group absent last year, and for every
    group when last year's frame of that indicator holds no rows at all.
    With `cut`, each district's rows run to its own as-of day this year and
    to the same day last year (`until` is then ignored).
    """
    by, indicators = list(by), list(indicators)
    districts = None if districts is None else list(districts)
    if cut is not None:
        now = select_cut(frames, cut, year=year, months=months, districts=districts)
        before = select_cut(frames, _year_before(cut), year=year - 1, months=months,
                            districts=districts)
    else:
        now = select(frames, year=year, months=months, until=until, districts=districts)
        before = select(frames, year=year - 1, months=months, districts=districts,
                        until=None if until is None else _same_day_last_year(until))
    table = progress.compare_tables(summarize(now, by), summarize(before, by), by, indicators)
    missing = [i for i in indicators if not _has_rows(before, i)]
    table.loc[table["indicator"].isin(missing), ["previous", "change", "change_rel"]] = np.nan
    return table


# --- the report ---------------------------------------------------------------

def _json_number(value, digits: int = 6):
    """A JSON-safe python number: int stays int, NaN → None, floats rounded."""
    if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    return round(float(value), digits)


def _entry(values: Mapping, targets: pd.DataFrame | None, year: int, as_of: date,
           target_of) -> dict:
    entry = {name: _json_number(values[name]) for name in INDICATOR_NAMES}
    entry["targets"] = {}
    for name in INDICATOR_NAMES:
        target = target_of(name)
        if target is None:
            continue
        actual = values[name]
        actual = None if actual is None or pd.isna(actual) else actual
        status = progress.target_status(name, actual, target, year, as_of)
        entry["targets"][name] = {k: v if isinstance(v, str) else _json_number(v)
                                  for k, v in status.items()}
    return entry


def indicator_report(frames: Frames, *, year: int, as_of: date | None = None,
                     districts: list[str] | None = None, today: date | None = None,
                     cutoff_month: int | None = None) -> dict:
    """The `indicators --json` object (DESIGN.md) for `year` up to `as_of`.

    `as_of` defaults by the as-of rule (`cut_offs` → `periods.cut_offs`), the
    same rule the pages and the report use: each district reads at its own
    last reported month (its entry's `as_of`), the total at the common
    cut-off (the top-level `as_of`); `as_of_basis` / `as_of_text` say which
    applied and `reported_text` who reported how far.

    Per district and in total: every indicator over the months of the year
    up to that as-of (dated rows up to that day), plus a `targets` entry for
    each indicator with a target. Districts listed: `districts` when given
    (in that order, even without data), else every district with data or a
    target in the year, sorted. `total` counts distinct volunteers across
    districts and weights study_rate overall; its targets follow
    `progress.area_target`. Values are plain python numbers.
    """
    cut = cut_offs(frames, year, today=today or date.today(), districts=districts,
                   given=as_of, cutoff_month=cutoff_month)
    area_day = cut.area.day
    sel = _with_person_codes(select_cut(frames, cut, year=year, districts=districts))
    table = summarize(sel, by=["district"]).set_index("district")
    targets = sel.get("targets")
    if districts is None:
        names = set(table.index)
        if targets is not None:
            names |= set(targets["district"]) - {schema.ALL_DISTRICTS}
        names = sorted(names)
    else:
        names = list(dict.fromkeys(districts))
    zero = {name: (None if name == "study_rate" else 0 if MEASURES[name].integer else 0.0)
            for name in INDICATOR_NAMES}
    rows = []
    for name in names:
        values = ({c: table.at[name, c] for c in INDICATOR_NAMES}
                  if name in table.index else zero)
        own = cut.of(name)
        rows.append({"district": name, "as_of": own.day.isoformat(), **_entry(
            values, targets, year, own.day,
            lambda ind, d=name: progress.target_value(targets, ind, year, d))})
    area = _with_person_codes(select(frames, year=year, until=area_day, districts=districts))
    total = _entry(totals(area), targets, year, area_day,
                   lambda ind: progress.area_target(targets, ind, year, districts))
    return {"year": int(year), "as_of": area_day.isoformat(), "as_of_basis": cut.area.basis,
            "as_of_text": cut.area.text, "reported_text": cut.reported_text, "districts": rows,
            "total": {"district": schema.ALL_DISTRICTS, "as_of": area_day.isoformat(), **total}}
