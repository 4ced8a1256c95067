"""Frames kept between data versions: after every store, replace, rollback and sample
clearing, `load_frames` (which reads only the batches that changed) gives exactly
what a read of every row gives — and never a rolled-back row. SQLite and PostgreSQL."""
from __future__ import annotations

from contextlib import contextmanager

import pandas as pd
import pytest

from analytics.access import SYSTEM
from analytics.metrics.compact import indicator_frames
from analytics.store import frames as frames_module
from analytics.store.batches import clear_sample, rollback_batch, store_checked
from analytics.store.frames import load_frame_pair, load_frames
from tests import store_helpers as h

YEARS = (2025, 2026)


@contextmanager
def _nothing_kept():
    saved = dict(frames_module._KEPT)
    frames_module._KEPT.clear()
    try:
        yield
    finally:
        frames_module._KEPT.clear()
        frames_module._KEPT.update(saved)


def read_everything(engine, years=YEARS) -> dict[str, pd.DataFrame]:
    """The reference: every active row read afresh, nothing kept from before."""
    with _nothing_kept():
        return load_frames(engine, years=years)


def assert_same_as_fresh(engine, years=YEARS) -> dict[str, pd.DataFrame]:
    """The kept frames, and their compact form, equal a fresh read (and its compact form)."""
    kept = load_frames(engine, years=years)
    kept_compact = load_frames(engine, years=years, compact=True)
    fresh = read_everything(engine, years)
    assert set(kept) == set(fresh) == set(kept_compact)
    for kind, frame in indicator_frames(fresh).items():
        pd.testing.assert_frame_equal(kept[kind], fresh[kind], obj=kind)
        pd.testing.assert_frame_equal(kept_compact[kind], frame, obj=f"compact {kind}")
    return kept


def store(engine, name, *sheets, replace=False, sample=False):
    results = store_checked(engine, h.checked(name, *sheets), actor=SYSTEM, replace=replace,
                            is_sample=sample)
    return [r.batch_id for r in results]


def hours(frames) -> float:
    return float(frames["volunteer"]["hours"].sum())


@pytest.fixture(autouse=True)
def _fresh_kept():
    with _nothing_kept():
        yield


def test_every_change_reads_like_a_fresh_read(engine):
    store(engine, "jan", ("volunteer", h.volunteer("青山区", "2026-01", [1, 2, 3])),
          ("activities", h.activities("青山区", "2026-01")))
    store(engine, "feb", ("volunteer", h.volunteer("临江区", "2026-02", [4, 5])))
    assert hours(assert_same_as_fresh(engine)) == 15

    added = store(engine, "mar", ("volunteer", h.volunteer("青山区", "2026-03", [10])),
                  ("study", h.study("青山区", "2026-03", [("单位0", 100, 90)])))
    assert hours(assert_same_as_fresh(engine)) == 25

    replaced = store(engine, "jan again", ("volunteer", h.volunteer("青山区", "2026-01", [7])),
                     replace=True)
    assert hours(assert_same_as_fresh(engine)) == 7 + 9 + 10

    rollback_batch(engine, replaced[0], actor=SYSTEM)      # January's first upload returns
    assert hours(assert_same_as_fresh(engine)) == 25

    for batch_id in added:
        rollback_batch(engine, batch_id, actor=SYSTEM)
    kept = assert_same_as_fresh(engine)
    assert hours(kept) == 15
    assert "2026-03" not in set(kept["volunteer"]["month"]) and kept["study"].empty


def test_a_rolled_back_batch_never_shows_again(engine):
    store(engine, "jan", ("volunteer", h.volunteer("青山区", "2026-01", [1, 2])))
    load_frames(engine, years=YEARS)
    wrong = store(engine, "wrong", ("volunteer", h.volunteer("青山区", "2026-02", [100])))
    assert hours(load_frames(engine, years=YEARS)) == 103
    rollback_batch(engine, wrong[0], actor=SYSTEM)
    assert hours(load_frames(engine, years=YEARS)) == 3
    assert hours(assert_same_as_fresh(engine)) == 3


def test_a_partly_replaced_batch_keeps_only_its_active_scopes(engine):
    two_months = pd.concat([h.volunteer("青山区", "2026-01", [1, 2]),
                            h.volunteer("青山区", "2026-02", [3])], ignore_index=True)
    store(engine, "both", ("volunteer", two_months))
    load_frames(engine, years=YEARS)
    store(engine, "feb again", ("volunteer", h.volunteer("青山区", "2026-02", [30])),
          replace=True)
    kept = assert_same_as_fresh(engine)
    assert sorted(kept["volunteer"]["hours"]) == [1, 2, 30]


def test_other_years_and_districts_are_kept_apart(engine):
    store(engine, "2025", ("volunteer", h.volunteer("青山区", "2025-06", [5])))
    store(engine, "2026", ("volunteer", h.volunteer("临江区", "2026-06", [6])))
    assert hours(load_frames(engine, years=[2025])) == 5
    assert hours(load_frames(engine, years=[2026], districts=["青山区"])) == 0
    store(engine, "2026 more", ("volunteer", h.volunteer("青山区", "2026-07", [7])))
    assert hours(assert_same_as_fresh(engine, years=(2026,))) == 13
    assert hours(load_frames(engine, years=[2026], districts=["青山区"])) == 7
    assert hours(load_frames(engine, years=[2025])) == 5


def test_clearing_the_sample_brings_back_what_it_replaced(engine):
    store(engine, "real", ("volunteer", h.volunteer("青山区", "2026-01", [1])))
    store(engine, "sample", ("volunteer", h.volunteer("临江区", "2026-01", [50])), sample=True)
    assert hours(load_frames(engine, years=YEARS)) == 51
    clear_sample(engine, SYSTEM)
    assert hours(assert_same_as_fresh(engine)) == 1


def test_copies_can_be_changed_and_shared_frames_are_the_kept_ones(engine):
    store(engine, "jan", ("volunteer", h.volunteer("青山区", "2026-01", [1, 2])))
    mine = load_frames(engine, years=YEARS)
    mine["volunteer"]["hours"] = 0.0
    shared = load_frames(engine, years=YEARS, copy=False)
    assert hours(shared) == 3
    assert load_frames(engine, years=YEARS, copy=False)["volunteer"] is shared["volunteer"]


def test_star_list_of_kept_frames_equals_a_fresh_read(engine):
    """The star list the 志愿服务 page shows (compact kept rows + full rows for names,
    `load_frame_pair`) after an upload, a replace and a rollback equals the list of a
    fresh read of every row."""
    from datetime import date

    from analytics.metrics import stars

    def star_list():
        kept = [load_frame_pair(engine, years=[2026]), load_frame_pair(engine, years=[2025])]
        return stars.stars_over_years([small["volunteer"] for _, small in kept],
                                      details=[full["volunteer"] for full, _ in kept],
                                      as_of=date(2026, 12, 31))

    def fresh_list():
        with _nothing_kept():
            rows = pd.concat([load_frames(engine, years=[y])["volunteer"] for y in (2026, 2025)],
                             ignore_index=True)
        return stars.volunteer_stars(rows, as_of=date(2026, 12, 31))

    store(engine, "old", ("volunteer", h.volunteer("青山区", "2025-05", [60, 50], ids=["A", "B"])))
    store(engine, "jan", ("volunteer", h.volunteer("临江区", "2026-01", [30, 1], ids=["A", "C"])))
    first = star_list()
    pd.testing.assert_frame_equal(first, fresh_list())
    assert first.iloc[0][["person_key", "district", "hours"]].tolist() == ["id:A", "临江区", 90]
    added = store(engine, "feb", ("volunteer", h.volunteer("东湖区", "2026-02", [20], ids=["B"])))
    after = star_list()
    pd.testing.assert_frame_equal(after, fresh_list())
    assert after.set_index("person_key").loc["id:B", ["district", "hours"]].tolist() \
        == ["东湖区", 70]
    store(engine, "jan again", ("volunteer", h.volunteer("临江区", "2026-01", [5], ids=["C"])),
          replace=True)
    pd.testing.assert_frame_equal(star_list(), fresh_list())
    assert star_list().set_index("person_key").loc["id:A", "hours"] == 60
    rollback_batch(engine, added[0], actor=SYSTEM)
    back = star_list()
    pd.testing.assert_frame_equal(back, fresh_list())
    assert back.set_index("person_key").loc["id:B", ["district", "hours"]].tolist() \
        == ["青山区", 50]
