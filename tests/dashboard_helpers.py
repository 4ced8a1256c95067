"""Small, hand-checkable data for the dashboard page tests (AppTest and browser).

Two districts in March of this year:
- 青山区: 3 activities × 10 参与人次; study 一中团委 90/100 and 二中团委 50/50
  (参学率 140/150 = 93.33%); three volunteers with 2, 3.5 and 4 hours.
- 临江区: 2 activities × 7 参与人次; study 江滨团委 150/200 (75.00%).
- targets: 参学率 95% for the whole area, 活动场次 4 for 青山区.
Whole area: 参学率 290/350 = 82.86%, 活动场次 5, 参与人次 44.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from analytics import access
from analytics.store import accounts, batches
from analytics.store.engine import get_engine
from tests import store_helpers as sh

YEAR = date.today().year
ADMIN = "boss"
PASSWORD = "Dash-pass-123"


def store_frames(engine, name: str, *sheets) -> int:
    """Store canonical frames as one file; returns the first batch id."""
    return batches.store_checked(engine, sh.checked(name, *sheets), actor=access.SYSTEM)[0].batch_id


def small_data(engine) -> None:
    m = f"{YEAR}-03"
    store_frames(engine, "qs.xlsx",
                 ("activities", sh.activities("青山区", m, n=3, participants=10)),
                 ("study", sh.study("青山区", m, [("一中团委", 100, 90), ("二中团委", 50, 50)])),
                 ("volunteer", sh.volunteer("青山区", m, [2.0, 3.5, 4.0])))
    store_frames(engine, "lj.xlsx",
                 ("activities", sh.activities("临江区", m, n=2, participants=7)),
                 ("study", sh.study("临江区", m, [("江滨团委", 200, 150)])))
    store_frames(engine, "targets.xlsx",
                 ("targets", sh.targets(YEAR, [("全部", "study_rate", 0.95),
                                               ("青山区", "activity_sessions", 4)])))


def new_database(path: Path, *, data: bool = True):
    """A SQLite database at `path` with the admin `boss` (no forced password change)."""
    engine = get_engine(f"sqlite:///{path}")
    accounts.create_user(engine, access.SYSTEM, ADMIN, PASSWORD, "admin", must_change_password=False)
    if data:
        small_data(engine)
    return engine


def activities_workbook(path: Path, district: str, day: str, sessions: int) -> Path:
    """A one-row 活动台账 .xlsx as staff would fill it."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "活动台账"
    ws.append(["日期", "区", "单位", "活动名称", "活动类别", "场次", "参与人次"])
    ws.append([day, district, "三中团委", "青少年防溺水宣传进社区", "安全教育", sessions, 120])
    wb.save(path)
    return path
