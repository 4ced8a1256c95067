"""The compact frames the dashboard's indicators read (`metrics.compact`) give exactly the
figures of the full frames: distinct volunteers, weighted rates, 同比/环比, monthly and
cumulative series, per-unit tables, cut-offs — on the bundled sample data and on a
generated dataset, read back from SQLite and from PostgreSQL."""
from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics import schema
from analytics.access import SYSTEM
from analytics.metrics import indicators, stars
from analytics.metrics.compact import indicator_frames
from analytics.metrics.report import build_report
from analytics.present import views
from analytics.store.batches import store_checked
from analytics.store.engine import get_engine
from analytics.store.frames import load_frame_pair, load_frames
from analytics.store.sample import load_sample
from tests import store_helpers as h

DISTRICTS = ["青山区", "临江区", "东湖区"]


def assert_same_report(full, compact) -> None:
    for f in dataclasses.fields(full):
        a, b = getattr(full, f.name), getattr(compact, f.name)
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                          obj=f.name)
        else:
            assert a == b, f.name


def assert_same_figures(data: dict[str, pd.DataFrame], year: int, **selection) -> None:
    small = indicator_frames(data)
    today = date(year, 12, 31)
    full = build_report(data, year=year, today=today, **selection)
    assert_same_report(full, build_report(small, year=year, today=today, **selection))
    months = selection.get("months", (1, 12))
    districts = selection.get("districts")
    sel_full = indicators.select(data, year=year, months=months, districts=districts)
    sel_small = indicators.select(small, year=year, months=months, districts=districts)
    pd.testing.assert_frame_equal(views.unit_summary(sel_full), views.unit_summary(sel_small))
    assert indicators.cut_offs(data, year, months, today=today) == \
        indicators.cut_offs(small, year, months, today=today)
    assert views.districts_in(data) == views.districts_in(small)
    assert views.units_in(data, districts) == views.units_in(small, districts)
    return full


@pytest.fixture(scope="module")
def sample_frames(tmp_path_factory):
    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('sample')}/league.db")
    load_sample(engine)
    yield load_frames(engine)
    engine.dispose()


@pytest.mark.parametrize("selection", [
    {}, {"months": (1, 6)}, {"districts": ["青山区"]}, {"districts": ["临江区", "青山区"],
                                                         "months": (3, 9)},
])
def test_sample_data_figures_are_the_same(sample_frames, selection):
    full = assert_same_figures(sample_frames, 2026, **selection)
    assert full.total["volunteer_count"] > 0 and full.has_last_year


def generated_months(rng: np.random.Generator) -> list[tuple[str, dict[str, pd.DataFrame]]]:
    """Two years of three districts: people serving in several months, units and
    districts (distinct counts across them), uneven study rates (weighted rate)."""
    out = []
    for month in [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)
                  if (y, m) <= (2026, 9)]:
        for district in DISTRICTS:
            n = int(rng.integers(5, 40))
            people = rng.integers(0, 60, n)
            vol = h.volunteer(district, month, list(rng.integers(1, 9, n).astype(float)),
                              ids=[f"P{p:03d}" for p in people])
            vol["unit"] = [f"{district}单位{p % 4}" for p in people]
            units = [(f"{district}单位{i}", int(rng.integers(50, 400)), 0) for i in range(4)]
            units = [(u, m, int(m * rng.uniform(0.6, 1.0))) for u, m, _ in units]
            out.append((f"{district}{month}", {
                "volunteer": vol,
                "study": h.study(district, month, units),
                "activities": h.activities(district, month, n=int(rng.integers(1, 5)),
                                           participants=int(rng.integers(5, 90))),
            }))
    return out


def test_generated_data_figures_are_the_same(engine):
    rng = np.random.default_rng(14)
    for name, sheets in generated_months(rng):
        store_checked(engine, h.checked(name, *sheets.items()), actor=SYSTEM)
    store_checked(engine, h.checked("targets", ("targets", h.targets(2026, [
        ("青山区", "volunteer_count", 80), (schema.ALL_DISTRICTS, "study_rate", 0.9)]))),
        actor=SYSTEM)
    data = load_frames(engine)
    full = assert_same_figures(data, 2026)
    assert_same_figures(data, 2026, districts=["东湖区", "青山区"], months=(2, 8))
    # the numbers themselves, counted here directly from the stored rows
    vol = data["volunteer"][data["volunteer"]["month"].str.startswith("2026")]
    assert full.total["volunteer_count"] == vol["person_key"].nunique()
    study = data["study"][data["study"]["month"].str.startswith("2026")]
    assert full.total["study_rate"] == pytest.approx(study["learners"].sum()
                                                     / study["members"].sum())
    assert full.has_last_year and full.mom is not None and full.mom["previous"].notna().any()


def _old_stars(full_parts, **selection):
    """The reference: `volunteer_stars` over the full rows one under the other."""
    volunteer = pd.concat(full_parts, ignore_index=True)
    volunteer = indicators.select({"volunteer": volunteer}, districts=selection.get("districts"),
                                  units=selection.get("units"))["volunteer"]
    return stars.volunteer_stars(volunteer, as_of=selection.get("as_of"))


@pytest.fixture
def generated(engine):
    rng = np.random.default_rng(7)
    for name, sheets in generated_months(rng):
        store_checked(engine, h.checked(name, *sheets.items()), actor=SYSTEM)
    return engine


@pytest.mark.parametrize("selection", [
    {"as_of": date(2026, 9, 30)}, {"as_of": date(2026, 3, 15)},
    {"as_of": date(2026, 9, 30), "districts": ["青山区", "东湖区"]},
    {"as_of": date(2025, 12, 31), "units": ["临江区单位1", "青山区单位2"]},
    {"districts": ["临江区"]},
])
def test_stars_from_codes_equal_stars_of_the_full_rows(generated, selection):
    """The star list (hours, the latest name, unit and district, order) read from the
    compact rows of two kept parts equals `volunteer_stars` of the full rows."""
    later_full, later = load_frame_pair(generated, years=[2026])
    earlier_full, earlier = load_frame_pair(generated, years=[2025])
    full_parts = [later_full["volunteer"], earlier_full["volunteer"]]
    # the data can tell a wrong shortcut: people with records under several names and
    # districts (the latest one counts), hours tied between people (first seen first)
    both = pd.concat(full_parts)
    assert (both.groupby("person_key")["name"].nunique() > 1).any()
    assert (both.groupby("person_key")["district"].nunique() > 1).any()
    expected = _old_stars(full_parts, **selection)
    assert expected["hours"].duplicated().any() and len(expected) > 20
    got = stars.stars_over_years([later["volunteer"], earlier["volunteer"]],
                                 details=full_parts, **selection)
    pd.testing.assert_frame_equal(got, expected)
    # full rows without details, and one part only, the same way
    pd.testing.assert_frame_equal(stars.stars_over_years(full_parts, **selection), expected)
    pd.testing.assert_frame_equal(
        stars.stars_over_years([later["volunteer"]], details=[later_full["volunteer"]],
                               **selection), _old_stars(full_parts[:1], **selection))


def test_stars_of_nobody_and_mismatched_details(generated):
    full, small = load_frame_pair(generated, years=[2026])
    empty = stars.stars_over_years([small["volunteer"]], details=[full["volunteer"]],
                                   districts=["没有的区"])
    pd.testing.assert_frame_equal(empty, stars.volunteer_stars(None))
    with pytest.raises(ValueError):
        stars.stars_over_years([small["volunteer"]], details=[full["volunteer"].iloc[1:]])


def test_the_reports_star_levels_count_all_hours_of_those_who_served(generated):
    """report.stars: the volunteers who served in the selection, by all their hours up to
    the as-of day (earlier years included) — counted here from the full rows."""
    data = load_frames(generated)
    small = indicator_frames(data)
    for months, districts in (((1, 12), None), ((2, 8), ["青山区"]), ((9, 9), ["东湖区"])):
        report = build_report(small, year=2026, months=months, districts=districts,
                              today=date(2026, 12, 31))
        as_of = report.selection.as_of
        vol = data["volunteer"]
        served = indicators.select(data, year=2026, months=months, until=as_of,
                                   districts=districts)["volunteer"]["person_key"].unique()
        rows = vol[(vol["date"] <= pd.Timestamp(as_of)) & vol["person_key"].isin(served)]
        expected = stars.star_distribution(stars.volunteer_stars(rows))
        pd.testing.assert_frame_equal(report.stars, expected)
        assert report.stars["count"].sum() == len(served) > 0
        assert stars.served_star_distribution(data["volunteer"], pd.Series(served),
                                              as_of=as_of).equals(expected)
