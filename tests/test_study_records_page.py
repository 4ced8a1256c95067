"""The 青年大学习 page on learner records: 参学率 per 团支部 for everyone, the 未学名单
download only for those who may see names (AppTest, real SQLite, real files)."""
from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
import streamlit as st
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from analytics import access
from analytics.store import accounts, batches
from tests import dashboard_helpers as dh
from tests import test_study_records as sr

pytestmark = pytest.mark.apptest

ROOT = Path(__file__).resolve().parent.parent
YEAR = dh.YEAR
RECORDS = [(p.replace("2026", str(YEAR)), t.replace("2026", str(YEAR)), *rest)
           for p, t, *rest in sr.RECORDS]
PERIOD = sr.P5.replace("2026", str(YEAR))


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    path = tmp_path / "app.db"
    monkeypatch.setenv("LEAGUE_DB_URL", f"sqlite:///{path}")
    monkeypatch.setenv("LEAGUE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LEAGUE_PUBLIC_VIEW", raising=False)
    engine = dh.new_database(path, data=False)
    batches.store_file(engine, sr.roster_csv(tmp_path / "名单.csv"), actor=access.SYSTEM,
                       district="东城区", month=f"{YEAR}-01")
    batches.store_file(engine, sr.records_xlsx(tmp_path / "记录.xlsx", RECORDS), actor=access.SYSTEM)
    for name, role, districts in (("zhang", "filler", ["东城区"]), ("li", "filler", ["西城区"]),
                                  ("wang", "viewer", [])):
        accounts.create_user(engine, access.SYSTEM, name, dh.PASSWORD, role, districts,
                             must_change_password=False)
    return engine


def _study_page(user: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.session_state["user"] = user
    at.session_state["logged_in_at"] = datetime.now()
    at.run()
    at.switch_page("pages/study.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _branch_table(at: AppTest):
    tables = [t.value for t in at.dataframe if "团支部" in t.value.columns]
    assert len(tables) == 1
    return tables[0]


def _name_downloads(at):
    """Downloads that hold people's names (the tables' 下载 CSV hold unit figures only)."""
    return [b for b in at.get("download_button") if b.proto.label != "下载 CSV"]


def test_branch_rates_and_absent_download_for_the_district_filler(app_db):
    at = _study_page("zhang")
    table = _branch_table(at)
    assert table["团支部"].tolist() == [sr.B1, sr.B2]
    assert table["参学人数"].tolist() == [2, 2] and table["应学团员数"].tolist() == [3, 2]
    assert table["参学率"].tolist() == ["66.67%", "100.00%"]
    assert table["档次"].tolist() == ["预警", "优秀"]
    assert any("未学团员 2 人" in c.value and "1 人" in c.value for c in at.caption)
    buttons = _name_downloads(at)
    assert len(buttons) == 1 and "未学名单" in buttons[0].proto.label
    at.selectbox(key="study_branch_period").set_value(PERIOD).run()
    assert _branch_table(at)["参学率"].tolist() == ["66.67%", "100.00%"]


def test_leaders_and_other_districts_see_counts_but_no_names(app_db):
    for user in ("wang", "li"):
        at = _study_page(user)
        assert _branch_table(at)["应学团员数"].tolist() == [3, 2]
        if user == "wang":
            assert not _name_downloads(at)
            assert any("仅管理员和本区县的填报员" in c.value for c in at.caption)
        else:      # a 填报员 of 西城区: a list of their own districts, which holds nobody here
            assert any("未学团员 0 人" in c.value for c in at.caption)


def test_the_absent_workbook_offered_is_the_branches(app_db):
    from analytics.metrics.records import absent_report
    from analytics.present.absent_list import absent_xlsx
    from analytics.store.frames import load_frames

    report = absent_report(load_frames(app_db, years=[YEAR]), month=f"{YEAR}-03",
                           districts=["东城区"])
    assert load_workbook(io.BytesIO(absent_xlsx(report))).sheetnames[:2] == [sr.B1, sr.B2]
