from analytics.metrics import dimensions
from tests.indicators_helpers import activities, study, volunteer

FRAMES = {
    "study": study(
        ("2026-01", "A", "u1", 180, 100),
        ("2026-02", "A", "u1", 150, 100), ("2026-02", "A", "u2", 50, 40),
        ("2026-02", "B", "u3", 100, 90),
    ),
    "activities": activities(
        ("2026-01-03", "A", "u1", "思想引领", 1, 40), ("2026-01-04", "A", "u1", "组织建设", 1, 20),
        ("2026-01-05", "A", "u2", "志愿服务", 1, 10), ("2026-01-05", "A", "u2", "其他", 1, 99),
        ("2026-01-06", "B", "u3", "思想引领", 1, 40), ("2026-01-07", "B", "u3", "心理健康", 1, 30),
    ),
    "volunteer": volunteer(
        ("V1", "甲", "A", "u1", "2026-01-05", 10), ("V2", "乙", "B", "u3", "2026-01-05", 24),
        ("V3", "丙", "B", "u3", "2026-01-06", 6),
    ),
}


def test_latest_members_uses_each_districts_latest_month():
    assert dimensions.latest_members(FRAMES["study"]).to_dict() == {"A": 200, "B": 100}


def test_three_forces_per_capita_and_share_of_max():
    table = dimensions.three_forces(FRAMES)
    assert table.columns.tolist() == dimensions.SCORE_COLUMNS
    assert table[["district", "dimension", "participants", "volunteer_hours", "value"]
                 ].values.tolist() == [
        ["A", "引领力", 40, 0.0, 20.0], ["A", "组织力", 20, 0.0, 10.0],
        ["A", "服务力", 0, 0.0, 0.0], ["A", "大局贡献度", 10, 10.0, 10.0],
        ["B", "引领力", 40, 0.0, 40.0], ["B", "组织力", 0, 0.0, 0.0],
        ["B", "服务力", 30, 0.0, 30.0], ["B", "大局贡献度", 0, 30.0, 30.0]]
    assert table["score"].round(2).tolist() == [50.0, 100.0, 0.0, 33.33, 100.0, 0.0, 100.0, 100.0]


def test_three_forces_without_volunteer_hours():
    table = dimensions.three_forces(FRAMES, with_volunteer_hours=False)
    big = table[table["dimension"] == "大局贡献度"]
    assert big["value"].tolist() == [5.0, 0.0]
    assert big["score"].tolist() == [100.0, 0.0]


def test_district_without_members_has_no_score():
    table = dimensions.three_forces(FRAMES, districts=["B", "C"])
    c = table[table["district"] == "C"]
    assert c["value"].isna().all() and c["score"].isna().all()
    assert table[table["district"] == "B"]["score"].tolist() == [100.0, 0.0, 100.0, 100.0]


def test_all_zero_scores_and_empty_input():
    zero = dimensions.three_forces({"study": FRAMES["study"]})
    assert zero["score"].tolist() == [0.0] * 8
    assert dimensions.three_forces({}).empty
