"""Small hand-made canonical frames for the report and export tests.

Two districts (东城区, 西城区) over 2025 and 2026 with round figures, so the
expected values in the tests can be worked out by hand.
"""
from __future__ import annotations

import pandas as pd

from analytics import schema


def _dims() -> dict[str, str | None]:
    return {c.name: c.dimension for c in schema.categories()}


def activities(rows: list[tuple]) -> pd.DataFrame:
    """rows: (date, district, unit, title, category, sessions, participants, reached, hours)."""
    dims = _dims()
    df = pd.DataFrame(rows, columns=["date", "district", "unit", "title", "category",
                                     "sessions", "participants", "reached", "service_hours"])
    df["date"] = pd.to_datetime(df["date"])
    df["month"] = df["date"].dt.strftime("%Y-%m")
    df["dimension"] = df["category"].map(dims).astype("object")
    df["volunteers"] = pd.array([None] * len(df), dtype="Int64")
    df["reached"] = pd.array(df["reached"], dtype="Int64")
    df["funds"] = 0.0
    df["project"] = df["date_span"] = None
    df["beneficiaries"] = pd.array([None] * len(df), dtype="Int64")
    df["sessions"] = df["sessions"].astype("int64")
    df["participants"] = df["participants"].astype("int64")
    df["service_hours"] = df["service_hours"].astype("float64")
    df["source_row"] = range(2, len(df) + 2)
    return df[list(schema.KINDS["activities"].columns)]


def study(rows: list[tuple]) -> pd.DataFrame:
    """rows: (month, district, unit, members, learners)."""
    df = pd.DataFrame(rows, columns=["month", "district", "unit", "members", "learners"])
    df["period"] = None
    df["rate"] = df["learners"] / df["members"]
    df["source_row"] = range(2, len(df) + 2)
    return df.astype({"members": "int64", "learners": "int64"})[
        list(schema.KINDS["study"].columns)]


def volunteer(rows: list[tuple]) -> pd.DataFrame:
    """rows: (volunteer_id, name, district, unit, date, hours)."""
    df = pd.DataFrame(rows, columns=["volunteer_id", "name", "district", "unit", "date", "hours"])
    df["project"] = df["date_span"] = None
    df["date"] = pd.to_datetime(df["date"])
    df["month"] = df["date"].dt.strftime("%Y-%m")
    df["hours"] = df["hours"].astype("float64")
    df["person_key"] = [f"id:{i}" if i else f"name:{n}|{u}"
                        for i, n, u in zip(df["volunteer_id"], df["name"], df["unit"])]
    df["source_row"] = range(2, len(df) + 2)
    return df[list(schema.KINDS["volunteer"].columns)]


def targets(rows: list[tuple]) -> pd.DataFrame:
    """rows: (year, district, indicator, value)."""
    df = pd.DataFrame(rows, columns=["year", "district", "indicator", "value"])
    df["source_row"] = range(2, len(df) + 2)
    return df.astype({"year": "int64", "value": "float64"})


def sample_frames() -> dict[str, pd.DataFrame]:
    """Two districts, 2026 January–March plus 2025 for 同比 and 星级 hours.

    2026 (January–March):
      东城区: study 1,900/2,000 (Jan 950/1,000, Mar 950/1,000) -> 95.00%;
              activities 23 sessions / 345 participants (心理健康 15/300 reached 520,
              安全教育 8/45 with 812.5 service hours);
              volunteers A (60 h), B (40.5 h) -> 2 people, 100.5 h.
      西城区: study 450/500 -> 90.00%; activities 6 sessions / 682 participants
              (思想引领); volunteer C (50 h), and A again (10 h) -> 2 people, 60 h.
      total: 2,350/2,500 = 94.00%, 29 sessions, 1,027 participants,
             3 distinct volunteers, 160.5 h.
    2025 (January–March): 东城区 20 sessions / 300 participants, study 900/1,000;
      A served 100 h in 2025 (so A's cumulative hours reach 170: 一星级).
    Targets 2026: 全部 activity_participants 4,000 and study_rate 95%;
      东城区 activity_sessions 100, 西城区 activity_sessions 50.
    """
    acts = activities([
        ("2026-01-10", "东城区", "一中团委", "心理健康进社区", "心理健康", 10, 200, 300, 0),
        ("2026-03-05", "东城区", "二中团委", "心理减压课", "心理健康", 5, 100, 220, 0),
        ("2026-02-12", "东城区", "一中团委", "防溺水宣传", "安全教育", 8, 45, 0, 812.5),
        ("2026-02-20", "西城区", "街道团工委", "=HYPERLINK(\"http://x\")", "思想引领", 6, 682, 0, 0),
        ("2025-02-10", "东城区", "一中团委", "去年活动", "心理健康", 20, 300, 0, 0),
    ])
    stud = study([
        ("2026-01", "东城区", "一中团委", 1000, 950),
        ("2026-03", "东城区", "一中团委", 1000, 950),
        ("2026-02", "西城区", "+街道团工委", 500, 450),
        ("2025-01", "东城区", "一中团委", 1000, 900),
    ])
    # one record is at most 24 hours (DESIGN.md), so longer services are split
    vol = volunteer([
        ("A", "张三", "东城区", "一中团委", "2026-01-15", 20),
        ("A", "张三", "东城区", "一中团委", "2026-03-15", 20),
        ("A", "张三", "东城区", "一中团委", "2026-03-16", 20),
        (None, "李四", "东城区", "二中团委", "2026-02-01", 20.5),
        (None, "李四", "东城区", "二中团委", "2026-02-02", 20),
        ("C", "王五", "西城区", "街道团工委", "2026-02-02", 20),
        ("C", "王五", "西城区", "街道团工委", "2026-02-03", 20),
        ("C", "王五", "西城区", "街道团工委", "2026-02-04", 10),
        ("A", "张三", "西城区", "街道团工委", "2026-01-20", 10),
        *(("A", "张三", "东城区", "一中团委", f"2025-06-0{d}", 20) for d in range(1, 6)),
    ])
    tgt = targets([
        (2026, "全部", "activity_participants", 4000),
        (2026, "全部", "study_rate", 0.95),
        (2026, "东城区", "activity_sessions", 100),
        (2026, "西城区", "activity_sessions", 50),
    ])
    return {"activities": acts, "study": stud, "volunteer": vol, "targets": tgt}
