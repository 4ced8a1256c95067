"""Shaping for the dashboard pages (总览, 青年大学习, 活动开展, 志愿服务, 区县对比).

The pages only read widgets, call these and render; every DataFrame a page
shows gets its Chinese column names here, and every filter expression lives
here, so this is tested without Streamlit. Indicators themselves are never
recomputed: they come from `analytics.indicators` (one definition each).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics import periods, schema
from analytics.metrics import progress
from analytics.present import fmt, labels

Frames = Mapping[str, pd.DataFrame]
DATA_KINDS = ("activities", "study", "volunteer")

# --- the selection ---------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the sidebar selected: a year, a month range, districts and units.

    Empty `districts` / `units` mean "all that the user may see".
    """

    year: int
    months: tuple[int, int] = (1, 12)
    districts: tuple[str, ...] = ()
    units: tuple[str, ...] = ()

    @property
    def period_label(self) -> str:
        """The period in Chinese, e.g. "2026年1—10月" or "2026年3月" (`periods.period_label`)."""
        return periods.period_label(self.year, self.months)


def years_of_batches(batches: pd.DataFrame) -> list[int]:
    """Years that stored (not rolled back) batches cover, from their "|"-joined periods."""
    if batches is None or not len(batches):
        return []
    live = batches[batches["status"] != "rolled_back"]
    keys = live["periods"].dropna().astype(str).map(schema.split_names).explode().dropna()
    years = keys.str.slice(0, 4)
    return sorted({int(y) for y in years if y.isdigit()})


def year_options(years: Iterable[int], today: date) -> list[int]:
    """Years to offer, newest first: those with data plus the current year."""
    return sorted({int(y) for y in years} | {today.year}, reverse=True)


def default_year(years: Iterable[int], today: date) -> int:
    """The newest year with data not after this year, else this year."""
    past = [int(y) for y in years if int(y) <= today.year]
    return max(past) if past else today.year


def visible_districts(known: Iterable[str], allowed: frozenset[str] | None) -> list[str]:
    """The districts a user may pick: every known one, or only `allowed` (sorted)."""
    names = set(known) if allowed is None else set(allowed)
    names.discard(schema.ALL_DISTRICTS)
    return sorted(names)


def effective_districts(chosen: Sequence[str], allowed: frozenset[str] | None) -> list[str] | None:
    """The districts to show: the chosen ones the user may see, or all they may see.

    None means "every district" (no restriction at all). A user limited to some
    districts never gets rows of others, whatever the URL says.
    """
    if allowed is None:
        return list(chosen) or None
    picked = [d for d in chosen if d in allowed]
    return picked or sorted(allowed)


# --- lists of names found in the data ----------------------------------------------


def districts_in(frames: Frames) -> list[str]:
    """Every district that has rows in the data frames (targets' 全部 left out)."""
    names: set[str] = set()
    for kind in (*DATA_KINDS, "targets"):
        df = frames.get(kind)
        if df is not None and len(df):
            names.update(df["district"].dropna().unique())
    names.discard(schema.ALL_DISTRICTS)
    return sorted(names)


def units_in(frames: Frames, districts: Iterable[str] | None = None) -> list[str]:
    """Every unit of `districts` (all when None) found in the data frames, sorted."""
    wanted = None if districts is None else set(districts)
    names: set[str] = set()
    for kind in DATA_KINDS:
        df = frames.get(kind)
        if df is None or not len(df):
            continue
        if wanted is not None:
            df = df[df["district"].isin(wanted)]
        names.update(df["unit"].dropna().unique())
    return sorted(names)


def has_rows(frames: Frames, kinds: Iterable[str] = DATA_KINDS) -> bool:
    """Whether any of `kinds` has at least one row."""
    return any(frames.get(k) is not None and len(frames[k]) for k in kinds)


# --- searchable lists ----------------------------------------------------------------


def search(df: pd.DataFrame, text: str, columns: Sequence[str]) -> pd.DataFrame:
    """Rows whose text in any of `columns` contains every word of `text`.

    Case-insensitive, plain substring (no regex), words split on spaces:
    "防溺水 青山" keeps rows that mention both.
    """
    words = [w.casefold() for w in (text or "").split()]
    if not words or not len(df):
        return df
    cols = [c for c in columns if c in df.columns]
    haystack = df[cols].astype("string").fillna("").agg(" ".join, axis=1).str.casefold()
    mask = pd.Series(True, index=df.index)
    for w in words:
        mask &= haystack.str.contains(w, regex=False)
    return df[mask]


ACTIVITY_MEASURES = ("activity_sessions", "activity_participants")
ACTIVITY_LIST_COLUMNS = ("date", "district", "unit", "title", "date_span", "category", "dimension",
                         "sessions", "participants", "volunteers", "service_hours",
                         "reached", "funds")


ACTIVITY_SEARCH_COLUMNS = ("district", "unit", "title", "category", "dimension")


def matching_activities(activities: pd.DataFrame | None, text: str = "") -> pd.DataFrame:
    """The canonical activity rows whose text matches every word of `text`."""
    if activities is None or not len(activities):
        return pd.DataFrame(columns=list(ACTIVITY_LIST_COLUMNS))
    return search(activities, text, ACTIVITY_SEARCH_COLUMNS)


def activity_list(activities: pd.DataFrame | None, text: str = "") -> pd.DataFrame:
    """The activities as a table to read, newest first, filtered by `text`, Chinese columns."""
    rows = matching_activities(activities, text)
    if not len(rows):
        return labels.labelled(pd.DataFrame(columns=list(ACTIVITY_LIST_COLUMNS)))
    rows = rows.sort_values(["date", "district", "unit"], ascending=[False, True, True])
    rows = rows.assign(date=rows["date"].dt.date)
    return labels.labelled(rows.reset_index(drop=True), ACTIVITY_LIST_COLUMNS)


# --- ranks -------------------------------------------------------------------------------


# --- KPI cards -----------------------------------------------------------------------------

CARD_INDICATORS = ("study_rate", "study_learners", "activity_sessions", "activity_participants",
                   "volunteer_count", "volunteer_hours")
NO_TARGET = progress.NO_TARGET


@dataclass(frozen=True)
class KpiCard:
    """One indicator's card: the number, its status against the target, detail lines."""

    indicator: str
    label: str
    value: str
    status: str
    lines: tuple[str, ...]
    actual: float | None
    completion: float | None = None
    yoy: str | None = None      # 同比, e.g. "+12.30%" or "-0.40个百分点"; None without last year
    mom: str | None = None      # 环比 line, e.g. "10月环比 +3.20%"; None without the month before


def kpi_cards(report, indicators: Sequence[str] = CARD_INDICATORS) -> list[KpiCard]:
    """Cards for a `report.Report`: its totals judged against the targets.

    Target, completion, 序时进度 and status come from `report.target_of`
    (computed once, in `analytics.progress` via the report).
    """
    from analytics.present import fmt

    cards = []
    for name in indicators:
        ind = schema.INDICATOR_BY_NAME[name]
        actual = report.total.get(name)
        entry = report.target_of(name)
        lines: list[str] = []
        done = None
        if entry is None or entry.get("target") is None or pd.isna(entry.get("target")):
            status = NO_TARGET
            lines.append("未设定年度目标")
        elif ind.is_rate:
            status = entry["status"]
            done = _number(entry.get("completion"))
            lines.append(f"目标 {fmt.fmt_rate(entry['target'])}")
            if actual is not None:
                lines.append(f"与目标相差 {fmt.fmt_pp(actual - entry['target'])}")
        else:
            status = entry["status"]
            done = _number(entry.get("completion"))
            lines.append(f"年度目标 {fmt.fmt_value(name, entry['target'])}"
                         f" · 完成 {fmt.fmt_rate(done)}")
            lines.append(f"序时进度 {fmt.fmt_rate(entry.get('expected'))}")
        cards.append(KpiCard(name, ind.label, fmt.fmt_value(name, actual), status,
                             tuple(lines), actual, done, _yoy_text(report, name),
                             _mom_text(report, name)))
    return cards


def change_text(row: Mapping | None, indicator: str) -> str | None:
    """A 同比/环比 row as signed text: "+12.30%" (counts), "-0.40个百分点" (rates), "持平"."""
    if row is None or row.get("change") is None or pd.isna(row.get("change")):
        return None
    if schema.INDICATOR_BY_NAME[indicator].is_rate:
        return fmt.fmt_pp(row["change"])
    relative = row.get("change_rel")
    if relative is None or pd.isna(relative):
        return fmt.FLAT if row["change"] == 0 else None
    return fmt.fmt_relative(relative)


def _mom_text(report, name: str) -> str | None:
    """"10月环比 +3.20%": the last month read against the month before."""
    row = report.mom_of(name) if hasattr(report, "mom_of") else None
    text = change_text(row, name)
    if text is None:
        return None
    _, month = periods.split_month_key(row["month"])
    return f"{month}月环比 {text}"


def _yoy_text(report, name: str) -> str | None:
    """同比 of the whole selection as a signed text for `st.metric`'s delta."""
    return change_text(report.yoy_of(name), name)


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def district_status_table(report) -> pd.DataFrame:
    """Per district of a `report.Report`: each card indicator's value and status.

    Chinese columns ("参学率", "参学率状态", ...); a district without a
    target for an indicator reads 无目标.
    """
    from analytics.present import fmt

    targets = report.targets
    rows = []
    for _, d in report.comparison.iterrows():
        row = {"区县": d["district"]}
        for name in CARD_INDICATORS:
            label = schema.INDICATOR_BY_NAME[name].label
            row[label] = fmt.fmt_value(name, d.get(name))
            hit = targets[(targets["district"] == d["district"]) & (targets["indicator"] == name)]
            row[f"{label}状态"] = hit["status"].iloc[0] if len(hit) else NO_TARGET
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class TrendInputs:
    """What `charts.trend_chart` needs for one indicator of a report."""

    monthly: pd.DataFrame
    pace: pd.DataFrame | None
    target: float | None
    cumulative: bool


def trend_inputs(report, indicator: str, *, by_district: bool = False) -> TrendInputs:
    """Counts: the cumulative line against the target's 序时 pace; rates: monthly rate
    against the target line. The whole selection, or one line per district."""
    monthly = without_trailing_empty_months(report.monthly if by_district
                                            else report.monthly_total)
    entry = report.target_of(indicator)
    target = None if entry is None or pd.isna(entry.get("target")) else float(entry["target"])
    if schema.INDICATOR_BY_NAME[indicator].is_rate:
        return TrendInputs(monthly, None, target, False)
    pace = report.target_pace
    pace = pace[pace["indicator"] == indicator] if len(pace) else None
    if by_district or pace is None or not len(pace):
        pace = None
    return TrendInputs(monthly, pace, None, True)


def without_trailing_empty_months(monthly: pd.DataFrame) -> pd.DataFrame:
    """`indicators.monthly` rows up to the last month that has any data.

    The month grid runs to the as-of month; a month nobody has reported yet
    would draw a misleading drop to zero at the end of every line.
    """
    if monthly is None or not len(monthly):
        return monthly
    from analytics.metrics.indicators import COUNT_INDICATORS

    filled = monthly[list(COUNT_INDICATORS)].fillna(0).ne(0).any(axis=1)
    months = monthly.loc[filled, "month"]
    if not len(months):
        return monthly.iloc[0:0]
    return monthly[monthly["month"] <= months.max()]


def styled_status(table: pd.DataFrame):
    """A `district_status_table` with status cells coloured (超前 green … 无目标 grey)."""
    from analytics.present import palette

    status_cols = [c for c in table.columns if c.endswith("状态")]

    def colour(value: object) -> str:
        if value in palette.STATUS_COLORS:
            return f"color: {palette.status_color(str(value))}; font-weight: 600"
        return ""

    return table.style.map(colour, subset=status_cols)


LAGGING_COLUMNS = ("district", "unit", "study_rate", "study_learners", "study_members", "band")


def lagging_table(lagging: pd.DataFrame) -> pd.DataFrame:
    """`indicators.lagging_units` as a table to read: 参学率 as text, Chinese columns."""
    from analytics.present import fmt

    if lagging is None or not len(lagging):
        return labels.labelled(pd.DataFrame(columns=list(LAGGING_COLUMNS)))
    shown = lagging.assign(
        study_rate=lagging["study_rate"].map(fmt.fmt_rate),
        study_learners=lagging["study_learners"].map(fmt.fmt_count),
        study_members=lagging["study_members"].map(fmt.fmt_count),
    )
    return labels.labelled(shown.reset_index(drop=True), LAGGING_COLUMNS)


# --- units ----------------------------------------------------------------------------------


def unit_summary(frames: Frames) -> pd.DataFrame:
    """Every indicator per (district, unit) of the selection (`indicators.summarize`)."""
    from analytics.metrics import indicators

    return indicators.summarize(frames, by=["district", "unit"])


def top_rows(table: pd.DataFrame, indicator: str, n: int | None, *,
             lowest: bool = False) -> pd.DataFrame:
    """The `n` rows with the highest (or lowest) `indicator` (all when n is None);
    rows without a value are left out."""
    data = table.dropna(subset=[indicator])
    data = data.sort_values(indicator, ascending=lowest, kind="stable")
    return data if n is None else data.head(n)


def units_below(study: pd.DataFrame | None, threshold: float) -> pd.DataFrame:
    """Units whose weighted 参学率 is below `threshold` (a fraction), lowest first,
    as a table to read (Chinese columns)."""
    from analytics.metrics import indicators

    if study is None or not len(study):
        return lagging_table(None)
    units = indicators.lagging_units(study, min_members=1, limit=None)
    return lagging_table(units[units["study_rate"] < threshold])


def heatmap_rows(study: pd.DataFrame | None, max_units: int = 40) -> tuple[pd.DataFrame, int]:
    """The heatmap cells (`indicators.unit_month_rates`) of at most `max_units` units — those
    with the lowest 参学率 — and how many units there are in all; a heatmap of hundreds of
    rows is unreadable."""
    from analytics.metrics import indicators

    if study is None or not len(study):
        return indicators.unit_month_rates(None), 0
    units = unit_summary({"study": study})
    if len(units) > max_units:
        keep = top_rows(units, "study_rate", max_units, lowest=True)[["district", "unit"]]
        study = study.merge(keep, on=["district", "unit"])
    return indicators.unit_month_rates(study), len(units)


VOLUNTEER_LIST_COLUMNS = ("volunteer_id", "name", "district", "unit", "cum_hours", "star_label")


def volunteer_list(stars: pd.DataFrame | None, text: str = "", *, reader=None) -> pd.DataFrame:
    """`stars.volunteer_stars` as a table to read: most hours first, searchable by
    编号, 姓名, 区县, 单位 or 星级, Chinese columns.

    With `reader` (an `access.User`) only the people whose names they may read
    (`access.may_read_names`: a unit account its own units' volunteers).
    """
    if stars is not None and reader is not None and len(stars):
        from analytics.access import may_read_names

        stars = stars[[may_read_names(reader, d, u)
                       for d, u in zip(stars["district"], stars["unit"])]]
    if stars is None or not len(stars):
        return labels.labelled(pd.DataFrame(columns=list(VOLUNTEER_LIST_COLUMNS)))
    rows = search(stars, text, ("volunteer_id", "name", "district", "unit", "label"))
    rows = rows.rename(columns={"hours": "cum_hours", "label": "star_label"})
    rows = rows.assign(cum_hours=rows["cum_hours"].round(1),
                       volunteer_id=rows["volunteer_id"].fillna(fmt.MISSING),
                       name=rows["name"].fillna(fmt.MISSING))
    return labels.labelled(rows.reset_index(drop=True), VOLUNTEER_LIST_COLUMNS)


# --- 区县对比 ------------------------------------------------------------------------------

COMPARE_INDICATORS = CARD_INDICATORS


def comparison_table(comparison: pd.DataFrame,
                     indicators: Sequence[str] = COMPARE_INDICATORS, *,
                     compact: bool = False) -> pd.DataFrame:
    """The report's district comparison as text: each value (Chinese-style) and its rank.

    `compact` puts the rank into the value's cell — "96.72%（第1）" — so the seven
    indicators fit the page at 1440 px (区县对比) and a screen in large type (会议模式).
    """
    from analytics.present import fmt

    out = pd.DataFrame({"区县": comparison["district"].tolist()})
    for name in indicators:
        label = schema.INDICATOR_BY_NAME[name].label
        values = [fmt.fmt_value(name, v) for v in comparison[name]]
        ranks = comparison.get(f"rank_{name}")
        ranks = [None if r is None or pd.isna(r) else int(r)
                 for r in (ranks if ranks is not None else [None] * len(out))]
        if compact:
            out[label] = [v if r is None else f"{v}（第{r}）" for v, r in zip(values, ranks)]
        else:
            out[label] = values
            out[f"{label}排名"] = [fmt.fmt_rank(r) for r in ranks]
    return out


def comparison_changes(comparison: pd.DataFrame, report,
                       indicators: Sequence[str] = COMPARE_INDICATORS) -> pd.DataFrame:
    """Each district's 同比 and 环比 of every indicator, two rows a district ("同比",
    "10月环比": each district's 环比 is its own last month against the month before),
    a table of its own: one change a cell, so every cell and header fits at 1440 px."""
    rows = []
    for district in comparison["district"]:
        yoy = {"区县": district, "对比": "同比"}
        mom = {"区县": district, "对比": "环比"}
        for name in indicators:
            label = schema.INDICATOR_BY_NAME[name].label
            yoy[label] = change_text(report.yoy_of(name, district), name) or fmt.MISSING
            found = report.mom_of(name, district)
            mom[label] = change_text(found, name) or fmt.MISSING
            if found is not None and found.get("month"):
                mom["对比"] = f"{periods.split_month_key(found['month'])[1]}月环比"
        rows += [yoy, mom]
    columns = ["区县", "对比", *(schema.INDICATOR_BY_NAME[n].label for n in indicators)]
    return pd.DataFrame(rows, columns=columns)


def district_targets(report, indicator: str) -> dict[str, float]:
    """{district: target} of one indicator (or 工作总结 target: 获评荣誉, a 组织建设 item)
    in a report (districts with a target only)."""
    from analytics.metrics.report import TOTAL

    extra = getattr(report, "summary_targets", None)
    t = report.targets if extra is None or not len(extra) else pd.concat([report.targets, extra])
    rows = t[(t["indicator"] == indicator) & (t["district"] != TOTAL)].dropna(subset=["target"])
    return dict(zip(rows["district"], rows["target"].astype(float)))


def district_completion(report, indicator: str) -> pd.DataFrame:
    """Each district's 完成率 of one indicator against its *own* 序时进度 (a district reads
    at its own last reported month), highest first: the rows of `charts.completion_bar`
    (column `name`). Empty without district targets."""
    from analytics.metrics.report import TOTAL

    t = report.targets
    rows = t[(t["indicator"] == indicator) & (t["district"] != TOTAL)]
    if not len(rows) or rows["completion"].isna().all():
        return rows.iloc[0:0].rename(columns={"district": "name"})
    return (rows.sort_values("completion", ascending=False, na_position="last")
            .rename(columns={"district": "name"}))


def district_yoy(report) -> pd.DataFrame:
    """The report's 同比 rows per district (the 合计 row left out)."""
    from analytics.metrics.report import TOTAL

    return report.yoy[report.yoy["district"] != TOTAL]


def three_forces_table(scores: pd.DataFrame) -> pd.DataFrame:
    """`dimensions.three_forces` as district × dimension scores (0–100, one decimal)."""
    from analytics.metrics.dimensions import score_table

    table = score_table(scores).astype("float64").round(1)
    return table.rename_axis(index="区县").reset_index()


# --- 团支部 参学率 and the 未学名单 (from learner records) ---------------------------

ALL_PERIODS = "全部期次"
ALL_UNITS = "全部单位"


@dataclass(frozen=True)
class RecordChoices:
    """What the 团支部 section can offer: months with records, their 期 and units."""

    months: list[str]
    periods: list[str]
    units: list[str]


def record_choices(frames: Frames, year: int, districts: Sequence[str] | None,
                   month: str | None = None) -> RecordChoices:
    """Months of `year` with learner records in `districts`, and the 期 and units of
    `month` (default: the newest of those months)."""
    records = frames.get("study_records")
    if records is None or not len(records):
        return RecordChoices([], [], [])
    mine = records[records["month"].str.startswith(f"{year:04d}-").to_numpy()]
    if districts:
        mine = mine[mine["district"].isin(list(districts)).to_numpy()]
    months = sorted(mine["month"].unique(), reverse=True)
    month = month if month in months else (months[0] if months else None)
    now = mine[(mine["month"] == month).to_numpy()]
    return RecordChoices(months, sorted(now["period"].unique()), sorted(now["unit"].unique()))


def branch_section(frames: Frames, *, month: str, period: str, unit: str,
                   districts: Sequence[str] | None) -> pd.DataFrame:
    """The 团支部 参学率 table (counts only, Chinese columns) of one month, 期 and unit."""
    from analytics.metrics import records
    from analytics.present.absent_list import branch_rate_table

    branches = records.branch_rates(
        frames.get("study"), month=month, period=None if period == ALL_PERIODS else period,
        districts=districts or None, units=None if unit == ALL_UNITS else [unit])
    return branch_rate_table(branches)


def absent_section(frames: Frames, *, month: str, period: str, unit: str,
                   districts: Sequence[str] | None) -> dict:
    """The `absent_report` of the selection; call only for districts the user may see
    names of (`access.name_districts`)."""
    from analytics.metrics import records

    return records.absent_report(frames, month=month,
                                 period=None if period == ALL_PERIODS else period,
                                 districts=districts, units=None if unit == ALL_UNITS else [unit])
