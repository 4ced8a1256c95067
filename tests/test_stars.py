from datetime import date

import pandas as pd
import pytest

from analytics import schema
from analytics.metrics import stars
from tests.indicators_helpers import volunteer


@pytest.mark.parametrize("hours, level", [
    (0, 0), (99.99, 0), (100, 1), (299.5, 1), (300, 2), (600, 3), (999, 3), (1000, 4),
    (1499.9, 4), (1500, 5), (9000, 5)])
def test_star_level_boundaries_are_inclusive(hours, level):
    assert stars.star_level_of(pd.Series([hours])).tolist() == [level]


def test_levels_are_data():
    custom = (schema.StarLevel(1, "铜牌", 10), schema.StarLevel(2, "银牌", 20))
    assert stars.star_level_of(pd.Series([9, 10, 25]), custom).tolist() == [0, 1, 2]
    assert stars.star_labels(custom) == {0: "未达星级", 1: "铜牌", 2: "银牌"}


VOL = volunteer(
    ("V1", "张三", "东城区", "一中团委", "2024-05-01", 24),
    ("V1", "张三", "东城区", "一中团委", "2025-05-01", 24),
    ("V1", "张三", "西城区", "三中团委", "2026-03-01", 52),       # moved: latest unit wins
    (None, "李四", "东城区", "一中团委", "2026-01-01", 99.5),
    (None, "李四", "东城区", "一中团委", "2026-02-01", 0.5),
    (None, "李四", "东城区", "二中团委", "2026-02-01", 20),       # another 李四
    ("V2", "王五", "西城区", "三中团委", "2026-06-30", 8),
)


def test_volunteer_stars_cumulative_over_years():
    table = stars.volunteer_stars(VOL)
    assert table.values.tolist() == [
        ["id:V1", "V1", "张三", "三中团委", "西城区", 100.0, 1, "一星级志愿者"],
        ["name:李四|一中团委", None, "李四", "一中团委", "东城区", 100.0, 1, "一星级志愿者"],
        ["name:李四|二中团委", None, "李四", "二中团委", "东城区", 20.0, 0, "未达星级"],
        ["id:V2", "V2", "王五", "三中团委", "西城区", 8.0, 0, "未达星级"],
    ]


def test_volunteer_stars_as_of_drops_later_service():
    table = stars.volunteer_stars(VOL, as_of=date(2026, 1, 31))
    assert dict(zip(table["person_key"], table["hours"])) == {
        "name:李四|一中团委": 99.5, "id:V1": 48.0}
    assert table["level"].tolist() == [0, 0]
    assert table.loc[table["person_key"] == "id:V1", "district"].item() == "东城区"


def test_star_distribution_lists_every_level():
    dist = stars.star_distribution(stars.volunteer_stars(VOL))
    assert dist.values.tolist() == [
        [0, "未达星级", 2], [1, "一星级志愿者", 2], [2, "二星级志愿者", 0],
        [3, "三星级志愿者", 0], [4, "四星级志愿者", 0], [5, "五星级志愿者", 0]]


def test_star_distribution_by_district():
    dist = stars.star_distribution(stars.volunteer_stars(VOL), by="district")
    assert dist.columns.tolist() == ["district", "level", "label", "count"]
    assert dist[dist["count"] > 0].values.tolist() == [
        ["东城区", 0, "未达星级", 1], ["东城区", 1, "一星级志愿者", 1],
        ["西城区", 0, "未达星级", 1], ["西城区", 1, "一星级志愿者", 1]]


def test_empty_volunteer_frame():
    table = stars.volunteer_stars(VOL.iloc[:0])
    assert table.columns.tolist() == stars.STAR_COLUMNS and table.empty
    assert stars.star_distribution(table)["count"].tolist() == [0] * 6


def test_volunteer_stars_as_of_before_every_service_is_empty():
    table = stars.volunteer_stars(VOL, as_of=date(2000, 1, 1))
    assert len(table) == 0
    assert list(table.columns) == list(stars.STAR_COLUMNS)
