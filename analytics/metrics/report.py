"""The numbers of one selection (year, months, districts), gathered in one place.

`build_report` is the only place the exports (Excel, HTML, Markdown) and the
drafted 工作总结 paragraph get their figures from, and it defines no
indicator itself: every figure comes from the single definitions in
`indicators`, `progress`, `dimensions` and `stars`. The exports only lay it out.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from analytics import periods
from analytics.metrics import dimensions, indicators, progress, stars, summary_figures
from analytics import schema

TOTAL = "合计"
INDICATOR_NAMES = indicators.INDICATOR_NAMES
# the columns of `Report.targets` and `Report.summary_targets`
TARGET_COLUMNS = ["district", "indicator", "actual", "target", "completion", "expected", "status"]


@dataclass(frozen=True)
class Selection:
    """What the report covers: year, inclusive month range, districts, as-of day."""

    year: int
    months: tuple[int, int]
    districts: tuple[str, ...]     # the districts reported on, in order
    as_of: date
    whole_area: bool               # True when no districts were chosen (the whole area)
    as_of_basis: str = periods.GIVEN   # why `as_of` is that day (see `periods.as_of`)
    cut_offs: periods.CutOffs | None = None   # each district's own as-of (`periods.cut_offs`)

    @property
    def period_label(self) -> str:
        """"2026年1—10月", "2026年3月" or "2026年" (whole year)."""
        return periods.period_label(self.year, self.months)

    @property
    def as_of_text(self) -> str:
        """"数据截至 2026年10月31日（已上报数据的最后一个月）"."""
        return periods.AsOf(self.as_of, self.as_of_basis).text

    @property
    def reported_text(self) -> str:
        """Who reported how far when districts differ ("青山区已报至11月，其余区县至10月"), else ""."""
        return self.cut_offs.reported_text if self.cut_offs else ""

    def as_of_of(self, district: str) -> date:
        """The as-of day of one district (its own last reported month), or the area's."""
        return self.cut_offs.of(district).day if self.cut_offs else self.as_of

    @property
    def area_label(self) -> str:
        """The area as prose: one district's committee speaks of "全区"."""
        if len(self.districts) == 1:
            return self.districts[0]
        return schema.WHOLE_AREA if self.whole_area else "、".join(self.districts)


@dataclass
class Report:
    """Every table an export shows, all for one `Selection`.

    - `comparison`: one row per district (selection order) with every
      indicator and `rank_<indicator>` (1 = highest; no rank without a value).
    - `total`: the indicators over the whole selection (distinct volunteers
      across districts, weighted 参学率).
    - `monthly`: month, district, indicators, cum_* (indicators.monthly), for
      the selected months; `monthly_total` the same with district "全部".
    - `targets`: district (or 合计), indicator, actual, target, completion,
      expected (序时进度, counted from the first selected month),
      status — only indicators that have a target.
    - `target_pace`: month, indicator, target — the cumulative target line of
      the whole selection for count indicators with a target (from the first
      selected month, like the cum_* series).
    - `yoy`: district (or 合计), indicator, current, previous, change,
      change_rel — `previous` NaN where last year has no data.
    - `mom`: 环比 of the last month read (each district its own as-of month,
      合计 the common cut-off month) against the month before: district (or
      合计), indicator, month, current, previous, change, change_rel — NaN
      where the month before is outside the selected months.
    - `three_forces`: dimensions.three_forces (district, dimension, value, score ...).
    - `dimensions`: activity_sessions and activity_participants per 三力一度 dimension
      (indicators.activities_by_dimension; 其他 last).
    - `categories`: per category: dimension, activity_sessions,
      activity_participants, reached, volunteers, service_hours, funds.
    - `stars`: star level distribution (level, label, count) of the volunteers
      who served in the selection, by their hours of every year up to `as_of`.
    - `lagging_units`: units with the lowest 参学率 (indicators.lagging_units).
    - `honours`, `organisation`, `media`, `projects`: the 工作总结 sections
      beyond the indicators (summary_figures: 评优表彰 per honour, 组织建设 per
      item, 新媒体 per 栏目, activities per 专项); `honours_by_district` and
      `organisation_by_district` the counts per district (区县对比);
      `honour_totals` 集体/个人/total, `media_totals` articles/reads/....
      `honour_types_by_district`: district, 集体, 个人, total;
      `summary_targets`: the `targets` columns for 获评荣誉 and the 组织建设 items
      that have a target (schema.SUMMARY_TARGET_INDICATORS);
      `media_by_platform`, `media_by_column`, `media_by_month`: 新媒体 篇数, 阅读量,
      转发, 参与人数 per platform, per 栏目/专题 and per month (summary_figures.media_by).
    """

    selection: Selection
    comparison: pd.DataFrame
    total: dict[str, int | float | None]
    monthly: pd.DataFrame
    monthly_total: pd.DataFrame
    targets: pd.DataFrame
    target_pace: pd.DataFrame
    yoy: pd.DataFrame
    three_forces: pd.DataFrame
    categories: pd.DataFrame
    dimensions: pd.DataFrame
    stars: pd.DataFrame
    lagging_units: pd.DataFrame
    mom: pd.DataFrame | None = None
    honours: pd.DataFrame = field(default_factory=pd.DataFrame)
    honour_totals: dict[str, int] = field(default_factory=dict)
    honours_by_district: pd.DataFrame = field(default_factory=pd.DataFrame)
    honour_types_by_district: pd.DataFrame = field(default_factory=pd.DataFrame)
    organisation: pd.DataFrame = field(default_factory=pd.DataFrame)
    organisation_by_district: pd.DataFrame = field(default_factory=pd.DataFrame)
    media: pd.DataFrame = field(default_factory=pd.DataFrame)
    media_totals: dict[str, int] = field(default_factory=dict)
    media_by_platform: pd.DataFrame = field(default_factory=pd.DataFrame)
    media_by_column: pd.DataFrame = field(default_factory=pd.DataFrame)
    media_by_month: pd.DataFrame = field(default_factory=pd.DataFrame)
    projects: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary_targets: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=TARGET_COLUMNS))

    @property
    def has_last_year(self) -> bool:
        """Whether any indicator has last-year data to compare with (同比)."""
        return bool(len(self.yoy)) and bool(self.yoy["previous"].notna().any())

    def mom_of(self, indicator: str, district: str = TOTAL) -> dict | None:
        """The 环比 row of one indicator and district (or 合计) when the month before has data."""
        if self.mom is None:
            return None
        rows = self.mom[(self.mom["indicator"] == indicator) & (self.mom["district"] == district)]
        if rows.empty or pd.isna(rows.iloc[0]["previous"]):
            return None
        return rows.iloc[0].to_dict()

    def target_of(self, indicator: str, district: str = TOTAL) -> dict | None:
        """The targets row of one indicator (or 工作总结 target such as 获评荣誉) and
        district (or 合计), or None."""
        for table in (self.targets, self.summary_targets):
            if table is None or not len(table):
                continue
            rows = table[(table["indicator"] == indicator) & (table["district"] == district)]
            if not rows.empty:
                return rows.iloc[0].to_dict()
        return None

    def yoy_of(self, indicator: str, district: str = TOTAL) -> dict | None:
        """The 同比 row of one indicator and district (or 合计) when last year has data."""
        rows = self.yoy[(self.yoy["indicator"] == indicator) & (self.yoy["district"] == district)]
        if rows.empty or pd.isna(rows.iloc[0]["previous"]):
            return None
        return rows.iloc[0].to_dict()


def _district_names(frames: Mapping[str, pd.DataFrame], sel: Mapping[str, pd.DataFrame],
                    districts: Iterable[str] | None) -> tuple[str, ...]:
    if districts is not None:
        return tuple(dict.fromkeys(districts))
    names: set[str] = set()
    for kind in indicators.DATA_KINDS:
        df = sel.get(kind)
        if df is not None and len(df):
            names |= set(df["district"].dropna().unique())
    targets = sel.get("targets")
    if targets is not None and len(targets):
        names |= set(targets["district"]) - {schema.ALL_DISTRICTS}
    return tuple(sorted(names))


def _ranked(table: pd.DataFrame) -> pd.DataFrame:
    """Add rank_<indicator> columns: 1 = highest value, ties share the best rank."""
    out = table.copy()
    for name in INDICATOR_NAMES:
        out[f"rank_{name}"] = out[name].rank(method="min", ascending=False).astype("Int64")
    return out


def _comparison(sel: Mapping[str, pd.DataFrame], names: tuple[str, ...]) -> pd.DataFrame:
    table = indicators.summarize(sel, by=["district"]).set_index("district")
    table = table.reindex(list(names))
    for name in indicators.COUNT_INDICATORS:
        dtype = "float64" if name == "volunteer_hours" else "int64"
        table[name] = table[name].fillna(0).astype(dtype)
    table["study_rate"] = table["study_rate"].astype("float64")
    return _ranked(table.rename_axis("district").reset_index())


def _judged(name: str, entries, selection: Selection) -> list[dict]:
    """The targets rows of one indicator: (district or 合计, target, actual) judged
    against 序时进度 at that district's as-of day; entries without a target are left out."""
    rows = []
    for district, target, actual in entries:
        if target is None:
            continue
        actual = None if actual is None or pd.isna(actual) else actual
        day = selection.as_of if district == TOTAL else selection.as_of_of(district)
        status = progress.target_status(name, actual, target, selection.year,
                                        day, first_month=selection.months[0])
        rows.append({"district": district, "indicator": name, "actual": actual, **status})
    return rows


def _target_table(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    for col in ("actual", "target", "completion", "expected"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    return out


def _targets(sel: Mapping[str, pd.DataFrame], comparison: pd.DataFrame,
             total: Mapping[str, float | None], selection: Selection) -> pd.DataFrame:
    targets = sel.get("targets")
    rows = []
    area = None if selection.whole_area else list(selection.districts)
    first = {d: i for i, d in reversed(list(enumerate(comparison["district"].tolist())))}
    for name in INDICATOR_NAMES:
        own = progress.target_values(targets, name, selection.year)
        column = comparison[name]
        entries = [(d, own.get(d), column.iloc[first[d]]) for d in selection.districts]
        entries.append((TOTAL, progress.area_target(targets, name, selection.year, area),
                        total[name]))
        rows += _judged(name, entries, selection)
    return _target_table(rows)


def _summary_targets(sel: Mapping[str, pd.DataFrame], selection: Selection,
                     honour_types: pd.DataFrame, organisation: pd.DataFrame) -> pd.DataFrame:
    """Targets of 获评荣誉 and the 组织建设 items (schema.SUMMARY_TARGET_INDICATORS), per
    district and 合计, like `_targets`: the counts are the report's per-district tables."""
    targets = sel.get("targets")
    area = None if selection.whole_area else list(selection.districts)
    counts = {schema.HONOURS_TARGET: honour_types.set_index("district")["total"]}
    by_item = organisation.set_index("district")
    for column in by_item.columns:
        counts[schema.organisation_target(column)] = by_item[column]
    rows = []
    for ind in schema.SUMMARY_TARGET_INDICATORS:
        values = counts.get(ind.name, pd.Series(dtype="float64"))
        own = progress.target_values(targets, ind.name, selection.year)
        entries = [(d, own.get(d), float(values.get(d, 0))) for d in selection.districts]
        entries.append((TOTAL, progress.area_target(targets, ind.name, selection.year, area),
                        float(values.sum())))
        rows += _judged(ind.name, entries, selection)
    return _target_table(rows)


def _target_pace(targets: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    parts = []
    wanted = set(periods.months_of(selection.year, selection.months))
    for row in targets[targets["district"] == TOTAL].itertuples():
        if progress.is_rate(row.indicator):
            continue
        pace = progress.target_pace(row.target, selection.year)
        if selection.months[0] > 1:
            # the cumulative series (cum_*) start at the first selected month
            start = pace["target"].iloc[selection.months[0] - 2]
            pace = pace.assign(target=pace["target"] - start)
        pace = pace[pace["month"].isin(wanted)]
        parts.append(pace.assign(indicator=row.indicator)[["month", "indicator", "target"]])
    if not parts:
        return pd.DataFrame({"month": pd.Series(dtype="object"),
                             "indicator": pd.Series(dtype="object"),
                             "target": pd.Series(dtype="float64")})
    return pd.concat(parts, ignore_index=True)


def _yoy(frames: Mapping[str, pd.DataFrame], selection: Selection) -> pd.DataFrame:
    districts = None if selection.whole_area else list(selection.districts)
    kwargs = dict(year=selection.year, months=selection.months, districts=districts)
    per = indicators.yoy_table(frames, by=["district"], cut=selection.cut_offs, **kwargs)
    per = per[per["district"].isin(selection.districts)]
    whole = indicators.yoy_table(frames, by=[], until=selection.as_of, **kwargs
                                 ).assign(district=TOTAL)
    return pd.concat([per, whole[per.columns]], ignore_index=True)


def _mom(monthly: pd.DataFrame, monthly_total: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    """环比 from the month-by-month tables: each district's own last month, 合计's cut-off month."""
    rows = []
    parts = [(d, monthly[monthly["district"] == d], selection.as_of_of(d)) for d in selection.districts]
    parts.append((TOTAL, monthly_total, selection.as_of))
    for district, table, day in parts:
        if day.year != selection.year:
            continue
        by_month = table.set_index("month")
        key = periods.month_key(day.year, day.month)
        before = periods.month_key(*periods.previous_month(day.year, day.month))
        for name in INDICATOR_NAMES:
            now = by_month[name].get(key) if key in by_month.index else None
            prev = by_month[name].get(before) if before in by_month.index else None
            c = progress.change(now, prev, rate=progress.is_rate(name))
            rows.append({"district": district, "indicator": name, "month": key,
                         "current": c.current, "previous": c.previous, "change": c.absolute,
                         "change_rel": c.relative})
    cols = ["district", "indicator", "month", "current", "previous", "change", "change_rel"]
    out = pd.DataFrame(rows, columns=cols)
    for col in cols[3:]:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    return out


def _categories(activities: pd.DataFrame | None) -> pd.DataFrame:
    base = indicators.activities_by_category(activities)
    extra = ["reached", "volunteers", "service_hours", "funds"]
    if activities is None or len(activities) == 0:
        for col in extra:
            base[col] = pd.Series(dtype="float64")
        return base
    sums = activities.groupby("category", observed=True)[extra].sum(min_count=1)
    out = base.merge(sums, how="left", left_on="category", right_index=True)
    for col in ("reached", "volunteers"):
        out[col] = out[col].astype("Int64")
    for col in ("service_hours", "funds"):
        out[col] = out[col].astype("float64")
    return out


def _stars(frames: Mapping[str, pd.DataFrame], sel: Mapping[str, pd.DataFrame],
           as_of: date) -> pd.DataFrame:
    """Star levels of the volunteers who served in the selection, by all their hours so far."""
    active = sel.get("volunteer")
    volunteer = frames.get("volunteer")
    if active is None or not len(active) or volunteer is None:
        return stars.star_distribution(stars.volunteer_stars(None))
    return stars.served_star_distribution(volunteer, active["person_key"], as_of=as_of)


def _monthly(sel: Mapping[str, pd.DataFrame], selection: Selection, *,
             by_district: bool) -> pd.DataFrame:
    """indicators.monthly over the selected months (empty without districts).

    By district, each district runs to its own as-of month; the months after
    it (another district reported further) are blank (NaN), not 0.
    """
    year = selection.year
    as_of = max([selection.as_of, *(selection.cut_offs.days.values() if selection.cut_offs
                                    else ())]) if by_district else selection.as_of
    if not selection.districts:
        return indicators.monthly({}, year, None, until=date(year, 1, 1), by_district=False
                                  ).iloc[0:0]
    table = indicators.monthly(sel, year, list(selection.districts), by_district=by_district,
                               until=as_of if as_of.year == year else None)
    wanted = periods.months_of(year, selection.months)
    table = table[table["month"].isin(wanted)].reset_index(drop=True)
    if by_district and selection.cut_offs:
        own = table["district"].map(lambda d: periods.month_key(
            selection.as_of_of(d).year, selection.as_of_of(d).month))
        later = (table["month"] > own) & (own.str.startswith(f"{year:04d}-"))
        values = [c for c in table.columns if c not in ("month", "district")]
        table[values] = table[values].astype("float64")
        table.loc[later, values] = float("nan")
    return table


def build_report(frames: Mapping[str, pd.DataFrame], *, year: int,
                 months: tuple[int, int] = (1, 12),
                 districts: Iterable[str] | None = None,
                 as_of: date | None = None, cutoff_month: int | None = None,
                 today: date | None = None) -> Report:
    """Gather every figure of the selection for the exports and the drafted paragraph.

    `frames` are the canonical frames of any years (last year's rows give
    同比; earlier years count towards 星级 hours). `districts=None` means the
    whole area: every district with data or a target in the year. `as_of`
    defaults by the as-of rule (`periods.cut_offs`): each district reads at
    its own last reported month (or the admin's `cutoff_month`), the whole
    area (`total`, `monthly_total`, categories, stars, lagging units and the
    合计 rows) at the common cut-off; rows dated after it are left out and
    序时进度 is taken at it.

    >>> report = build_report(frames, year=2026, months=(1, 10))   # doctest: +SKIP
    >>> report.total["study_rate"]                                  # doctest: +SKIP
    0.9746
    """
    months = periods.check_month_range(months)
    chosen = None if districts is None else list(dict.fromkeys(districts))
    cut = indicators.cut_offs(frames, year, months, today=today or date.today(),
                              districts=chosen, given=as_of, cutoff_month=cutoff_month)
    as_of = cut.area.day
    sel = indicators.select_cut(frames, cut, year=year, months=months, districts=chosen)
    area_sel = indicators.select(frames, year=year, months=months, until=as_of,
                                 districts=chosen)
    names = _district_names(frames, sel, chosen)
    selection = Selection(year=year, months=months, districts=names, as_of=as_of,
                          whole_area=chosen is None, as_of_basis=cut.area.basis,
                          cut_offs=cut)
    comparison = _comparison(sel, names)
    total = indicators.totals(area_sel)
    monthly = _monthly(sel, selection, by_district=True)
    monthly_total = _monthly(area_sel, selection, by_district=False)
    targets = _targets(sel, comparison, total, selection)
    extra = summary_figures.select_summary_kinds(frames, year=year, months=months,
                                                 until=as_of, districts=chosen)
    sections = _summary_sections(extra, sel, names)
    sections["summary_targets"] = _summary_targets(
        sel, selection, sections["honour_types_by_district"],
        sections["organisation_by_district"])
    return Report(
        selection=selection,
        comparison=comparison,
        total=total,
        monthly=monthly,
        monthly_total=monthly_total,
        targets=targets,
        target_pace=_target_pace(targets, selection),
        yoy=_yoy(frames, selection),
        three_forces=dimensions.three_forces(sel, districts=names),
        categories=_categories(area_sel.get("activities")),
        dimensions=indicators.activities_by_dimension(area_sel.get("activities")),
        stars=_stars(frames, area_sel, as_of),
        lagging_units=indicators.lagging_units(
            area_sel.get("study", indicators.frame(area_sel, "study")), limit=10),
        mom=_mom(monthly, monthly_total, selection),
        **sections,
    )


def _summary_sections(extra: Mapping[str, pd.DataFrame], sel: Mapping[str, pd.DataFrame],
                      names: tuple[str, ...]) -> dict:
    """The 工作总结 sections of the report (评优表彰, 组织建设, 新媒体, 专项)."""
    honours, organisation, media = extra["honours"], extra["organisation"], extra["media"]
    return dict(
        honours=summary_figures.honours_table(honours),
        honour_totals=summary_figures.honours_totals(honours),
        honours_by_district=summary_figures.by_district(honours, "honour", names),
        honour_types_by_district=summary_figures.honour_types_by_district(honours, names),
        organisation=summary_figures.organisation_table(organisation),
        organisation_by_district=summary_figures.by_district(organisation, "item", names),
        media=summary_figures.media_table(media),
        media_totals=summary_figures.media_totals(media),
        media_by_platform=summary_figures.media_by(media, "platform"),
        media_by_column=summary_figures.media_by(media, "column"),
        media_by_month=summary_figures.media_by(media, "month"),
        projects=summary_figures.project_table(sel.get("activities")),
    )


__all__ = ["Report", "Selection", "TOTAL", "build_report"]
