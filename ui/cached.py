"""Cached data access for the pages: the engine, the stored rows, the report.

Pages read the sidebar's selection through `filters()` and get the rows
through `frames(filters)`; both are cheap after the first run because the
database read is cached on `data_version`, so an upload or rollback shows at
once. Cached functions take plain values only and call no `st.*` element.
"""
from __future__ import annotations

import logging
from datetime import date
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics.store import batches
from analytics.store.frames import load_frame_pair
from analytics.metrics import indicators
from analytics.present import views
from analytics.store import identity
from analytics.store.engine import data_version, database_url, storage_problem
from analytics import periods
from analytics.logs import log_to_data_folder
from analytics.errors import AnalyticsError, DatabaseGone
from analytics.present.views import Filters

log = logging.getLogger(__name__)


FILTERS_KEY = "_dashboard_filters"


# --- engine and data -------------------------------------------------------------------

def engine():
    """The app's engine ($LEAGUE_DB_URL or data/league.db); a fresh one gets the sample data.

    Raises `DatabaseGone` when the data folder remembers another database
    (`identity.open_database`): start-up never creates an empty one in its place.
    """
    return _engine(database_url(), str(identity.data_dir()))


@st.cache_resource(show_spinner="首次启动：正在准备数据库和示例数据…")
def _engine(url: str, folder: str):
    log_to_data_folder(Path(folder))
    eng = identity.open_database(url, Path(folder))
    if not batches.has_data(eng) and storage_problem(eng) is None:   # a brand-new database
        _load_sample(eng)
    return eng


def storage_notice() -> str | None:
    """Why nothing can be saved right now (disk full or read-only), in Chinese; None if fine."""
    return storage_problem(engine())


def database_problem() -> str | None:
    """Why the app must not use its database now (gone, moved, replaced), in Chinese; None if fine.

    A database found gone drops the cached engine, so a file restored from
    its backup is opened again on the next run.
    """
    try:
        eng = engine()
    except DatabaseGone as exc:
        return str(exc)
    found = identity.problem(eng)
    if found:
        _engine.clear()
    return found


def _load_sample(eng) -> None:
    try:
        from analytics.store.sample import load_sample
    except ImportError:  # sample loader not installed: start empty
        return
    try:
        load_sample(eng)
    except (AnalyticsError, OSError) as exc:  # an empty dashboard beats no dashboard
        log.warning("sample data not loaded: %s", exc)


def version() -> int:
    """The data version: every store/replace/rollback bumps it (the cache key)."""
    return data_version(engine())


@st.cache_data(max_entries=4, show_spinner=False)
def sample_live(data_ver: int) -> bool:
    return batches.has_sample(engine())


@st.cache_data(max_entries=4, show_spinner=False)
def batch_list(data_ver: int) -> pd.DataFrame:
    return batches.list_batches(engine(), limit=1_000_000)


@st.cache_resource(max_entries=4, show_spinner="正在读取数据…")
def _frame_pair(data_ver: int, years: tuple[int, ...]
                ) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The stored rows of `years` (full, compact) of one data version, row for row,
    shared read-only by every session.

    A resource cache, not `cache_data`: a city's year is ~10⁶ volunteer rows
    and `cache_data` would unpickle a fresh copy (≈0.7 s) on every call.
    Nothing downstream mutates these frames (`indicators.select` and the
    views return new frames), so they are `load_frames`' own kept frames, not
    a copy; a new data version reads only the batches that changed.
    """
    return load_frame_pair(engine(), years=years)


def _load(data_ver: int, years: tuple[int, ...]) -> dict[str, pd.DataFrame]:
    """The stored rows of `years` (`_frame_pair`'s full frames)."""
    return _frame_pair(data_ver, years)[0]


def _indicator_data(data_ver: int, years: tuple[int, ...]) -> dict[str, pd.DataFrame]:
    """`_load`'s frames as the indicators read them (`metrics.compact`): the same figures,
    several times faster on a city's 10⁶ volunteer rows; kept and extended per batch by
    `load_frames` like the rows themselves. Shared read-only like `_load`."""
    return _frame_pair(data_ver, years)[1]


@st.cache_data(max_entries=16, show_spinner=False)
def _cut_offs(data_ver: int, year: int, months: tuple[int, int], districts: tuple[str, ...],
              today: date) -> periods.CutOffs:
    from analytics.store.cutoffs import cutoff_month

    return indicators.cut_offs(_indicator_data(data_ver, (year - 1, year)), year, months,
                               today=today, districts=districts or None,
                               cutoff_month=cutoff_month(engine(), year))


@st.cache_data(max_entries=16, show_spinner=False)
def cutoff_month(data_ver: int, year: int) -> int | None:
    """The admin's 统计截止月 of `year` (None: each district at its own last month)."""
    from analytics.store.cutoffs import cutoff_month as stored

    return stored(engine(), year)


@st.cache_data(max_entries=32, show_spinner=False)
def names(data_ver: int, years: tuple[int, ...],
           districts: tuple[str, ...] | None) -> tuple[list[str], list[str]]:
    """(districts, units of `districts`) found in the data: the sidebar's options."""
    data = _indicator_data(data_ver, years)
    return views.districts_in(data), views.units_in(data, districts)


def loaded(f: Filters) -> dict[str, pd.DataFrame]:
    """The stored rows of the selected year and the one before (for 同比), every district."""
    return _load(version(), (f.year - 1, f.year))


def frames(f: Filters | None = None, *, whole_year: bool = False,
           with_previous: bool = False) -> dict[str, pd.DataFrame]:
    """The canonical frames of the selection (year, months, districts, units).

    `whole_year` ignores the month range; `with_previous` keeps last year's
    rows too (同比), limited to the same districts and units.
    """
    f = f or filters()
    return _selected(version(), f, whole_year, with_previous)


@st.cache_resource(max_entries=8, show_spinner=False)
def _selected(data_ver: int, f: Filters, whole_year: bool,
              with_previous: bool) -> dict[str, pd.DataFrame]:
    """`frames`' rows, shared read-only like `_load`: a rerun (a widget change) filters
    a year of 10⁶ rows again otherwise."""
    data = _load(data_ver, (f.year - 1, f.year))
    months = None if whole_year or with_previous else f.months
    year = None if with_previous else f.year
    return indicators.select(data, year=year, months=months,
                             districts=f.districts or None, units=f.units or None)


@st.cache_data(max_entries=16, show_spinner="正在计算指标…")
def _report(data_ver: int, year: int, months: tuple[int, int], districts: tuple[str, ...],
            units: tuple[str, ...], today: date):
    from analytics.metrics.report import build_report

    data = _indicator_data(data_ver, (year - 1, year))
    if units:
        data = indicators.select(data, units=units)
    return build_report(data, year=year, months=months, districts=districts or None,
                        cutoff_month=cutoff_month(data_ver, year), today=today)


def report(f: Filters | None = None):
    """The selection's `analytics.report.Report` (every figure, computed once, cached):
    each district at its own last reported month, the area at the common cut-off."""
    f = f or filters()
    return _report(version(), f.year, f.months, f.districts, f.units, date.today())


@st.cache_data(max_entries=8, show_spinner="正在统计星级志愿者…")
def _stars(data_ver: int, year: int, districts: tuple[str, ...], units: tuple[str, ...],
           as_of_day: date):
    from analytics.metrics.stars import stars_over_years

    # the selected year and the one before are already loaded (`_frame_pair`); the older
    # years are kept by `load_frames` apart, so an upload to this year reads nothing of them.
    # Hours and the latest record come from the compact rows, names from the full ones.
    older = [y for y in views.years_of_batches(batch_list(data_ver)) if y < year - 1]
    pairs = [_frame_pair(data_ver, (year - 1, year))]
    if older:
        pairs.append(load_frame_pair(engine(), years=older))
    return stars_over_years([small["volunteer"] for _, small in pairs], as_of=as_of_day,
                            districts=districts or None, units=units or None,
                            details=[full["volunteer"] for full, _ in pairs])


def stars(f: Filters | None = None) -> pd.DataFrame:
    """Cumulative hours and star level per volunteer, over every year up to the as-of day."""
    f = f or filters()
    return _stars(version(), f.year, f.districts, f.units, as_of(f).day)


@st.cache_data(max_entries=32, show_spinner=False)
def _unit_summary(data_ver: int, f: Filters) -> pd.DataFrame:
    data = _indicator_data(data_ver, (f.year - 1, f.year))
    return views.unit_summary(indicators.select(data, year=f.year, months=f.months,
                                                districts=f.districts or None,
                                                units=f.units or None))


def unit_summary(f: Filters | None = None) -> pd.DataFrame:
    """Every indicator per (district, unit) of the selection (cached)."""
    f = f or filters()
    return _unit_summary(version(), f)


@st.cache_data(max_entries=8, show_spinner=False)
def _reporting_progress(data_ver: int, month: str, districts: tuple[str, ...]) -> pd.DataFrame:
    from analytics.metrics import reporting

    scopes = batches.reporting_scopes(engine(), districts=districts or None)
    status = reporting.reporting_status(scopes, reporting.unit_list(), month=month,
                                        districts=districts or None)
    return reporting.reporting_progress(status)


def reporting_progress(f: Filters | None = None) -> tuple[str, pd.DataFrame]:
    """(month, 报送进度 per district) at the selection's as-of month: which units reported."""
    f = f or filters()
    month = f"{as_of(f).day:%Y-%m}"
    return month, _reporting_progress(version(), month, f.districts)


def cut_offs(f: Filters | None = None) -> periods.CutOffs:
    """Each district's and the area's as-of by the one rule (`periods.cut_offs`), and why."""
    f = f or filters()
    return _cut_offs(version(), f.year, f.months, f.districts, date.today())


def as_of(f: Filters | None = None) -> periods.AsOf:
    """The whole selection's as-of day (the common cut-off), and why."""
    return cut_offs(f).area


def filters() -> Filters:
    """The sidebar selection of this run (the districts already limited to the user's)."""
    found = st.session_state.get(FILTERS_KEY)
    if isinstance(found, Filters):
        return found
    return Filters(year=date.today().year)


def district_colors() -> dict[str, str]:
    """One colour per district, the same on every page (all districts of the loaded years)."""
    from analytics.present import palette

    f = filters()
    known, _ = names(version(), (f.year - 1, f.year), None)
    return palette.district_colors(known)


def figure(name: str, build: Callable[[], object], f: Filters | None = None):
    """The plotly figure `build()` makes, built once per data version, selection, day and
    `name`, and shared read-only by every session: a page rerun (a widget change) would
    otherwise build each chart again (plotly's validation costs ~0.05 s a chart).

    Only for a figure that depends on nothing else (not on the user or a widget):
    `name` must tell apart everything else it is built from."""
    f = f or filters()
    return _figure(version(), f, name, date.today(), build)


@st.cache_resource(max_entries=256, show_spinner=False)
def _figure(data_ver: int, f: Filters, name: str, today: date, _build: Callable[[], object]):
    return _build()


@st.cache_data(max_entries=16, show_spinner=False)
def _comparison_changes(data_ver: int, f: Filters, today: date) -> pd.DataFrame:
    rep = _report(data_ver, f.year, f.months, f.districts, f.units, today)
    return views.comparison_changes(rep.comparison, rep)


def comparison_changes(f: Filters | None = None) -> pd.DataFrame:
    """区县对比's 同比与环比 table of the selection (`views.comparison_changes`, cached)."""
    f = f or filters()
    return _comparison_changes(version(), f, date.today())
