"""The dashboard pages in AppTest: smoke tests on sample and empty data, and
focused tests (a card equals the indicator, URL filters, 会议模式, freshness,
district limits, search).

Logging in: as pages/session.py documents, set ``session_state["user"]`` (the
user name) and ``session_state["logged_in_at"]`` before `run()`. A test
database gets one stored batch before the app starts, so the app does not
load the bundled sample data by itself ("empty" = that batch rolled back).
"""
from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import access
from analytics.store import accounts, frames, batches
from analytics.metrics import indicators
from analytics.store.engine import get_engine
from tests import dashboard_helpers as dh
from tests import store_helpers as sh

pytestmark = pytest.mark.apptest

ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "dashboard.py")
# the folder of page scripts (Streamlit runs a folder named `pages/` next to the
# entry as old-style auto pages, bypassing the router: it is to be renamed)
PAGE_DIR = "app_pages" if (ROOT / "app_pages").is_dir() else "pages"
PAGES = ["overview", "study", "activities", "volunteer", "compare"]
YEAR = dh.YEAR


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _engine(monkeypatch, path: Path, *, data: bool = False):
    monkeypatch.setenv("LEAGUE_DB_URL", f"sqlite:///{path}")
    monkeypatch.setenv("LEAGUE_DATA_DIR", str(path.parent / "data"))
    monkeypatch.delenv("LEAGUE_PUBLIC_VIEW", raising=False)
    return dh.new_database(path, data=data)


_store = dh.store_frames


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    """A database holding part of the bundled sample data (two months, the targets and the
    评优表彰/组织建设/新媒体 workbooks)."""
    from analytics.store.sample import SAMPLE_DIR, load_sample

    folder = tmp_path_factory.mktemp("sample")
    for name in (f"{YEAR}-09", f"{YEAR}-10", f"{YEAR - 1}-10"):
        if (SAMPLE_DIR / name).is_dir():
            shutil.copytree(SAMPLE_DIR / name, folder / name)
    for name in ("targets_*", "summary_*"):
        for target in SAMPLE_DIR.glob(name):
            shutil.copy(target, folder / target.name)
    path = folder / "sample.db"
    engine = get_engine(f"sqlite:///{path}")
    load_sample(engine, folder=folder)
    engine.dispose()        # the last connection closed: the WAL is written back, the file copies whole
    return path


def _app(page: str | None = None, user: str = dh.ADMIN, **query) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=90)
    at.session_state["user"] = user
    at.session_state["logged_in_at"] = datetime.now()
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page and page != "overview":
        at.switch_page(f"{PAGE_DIR}/{page}.py").run()
    return at


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# --- smoke tests ------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_page_on_sample_data(page, sample_db, tmp_path, monkeypatch):
    path = tmp_path / "app.db"
    shutil.copy(sample_db, path)
    monkeypatch.setenv("LEAGUE_DB_URL", f"sqlite:///{path}")
    monkeypatch.setenv("LEAGUE_DATA_DIR", str(tmp_path / "data"))
    accounts.create_user(get_engine(f"sqlite:///{path}"), access.SYSTEM, "boss", dh.PASSWORD, "admin",
                     must_change_password=False)
    at = _app(page)
    _no_exception(at)
    # real numbers; the one notice, at the top of the main page, says they are the sample
    assert [i.value for i in at.main.info] == ["当前显示的是**示例数据**（虚构区县），导入真实报表前请先清除。"]
    assert at.main.children[0].children[0].children[0].children[0].value == at.main.info[0].value
    assert not at.sidebar.info
    assert at.get("plotly_chart") or page == "overview" and at.metric
    assert at.title[0].value in {"总览", "青年大学习", "活动开展", "志愿服务", "区县对比"}


@pytest.mark.parametrize("page", PAGES)
def test_page_on_empty_database(page, tmp_path, monkeypatch):
    engine = _engine(monkeypatch, tmp_path / "app.db")
    batch = _store(engine, "seed.xlsx", ("activities", sh.activities("种子区", f"{YEAR}-01")))
    batches.rollback_batch(engine, batch, actor=access.SYSTEM)
    at = _app(page)
    _no_exception(at)
    assert at.main.info, "an empty selection says so"
    assert "还没有" in at.main.info[0].value
    assert not at.get("plotly_chart")


# --- focused tests ------------------------------------------------------------------------


def test_overview_cards_equal_the_indicators(tmp_path, monkeypatch):
    engine = _engine(monkeypatch, tmp_path / "app.db", data=True)
    at = _app("overview")
    _no_exception(at)
    cards = _metrics(at)
    # 参学率 = (90 + 50 + 150) / (100 + 50 + 200), weighted, not the mean of unit rates
    assert cards["参学率"] == "82.86%"
    assert cards["参学人次"] == "290人次"
    assert cards["活动场次"] == "5场"
    assert cards["参与人次"] == "44人次"
    assert cards["志愿者人数"] == "3人"
    assert cards["志愿服务时长"] == "9.5小时"
    stored = frames.load_frames(engine, years=[YEAR])
    assert indicators.study_rate(stored["study"]) == pytest.approx(290 / 350)
    badges = [c.value for c in at.caption]
    assert "目标 95.00%" in badges
    assert "未设定年度目标" in badges


def test_query_string_filters_change_the_numbers(tmp_path, monkeypatch):
    engine = _engine(monkeypatch, tmp_path / "app.db", data=True)
    at = _app("overview", d="临江区")
    _no_exception(at)
    assert _metrics(at)["参学率"] == "75.00%"        # 150 / 200
    assert _metrics(at)["活动场次"] == "2场"
    assert at.sidebar.multiselect(key="d").value == ["临江区"]
    at = _app("overview", m=["4", "12"])            # no rows after March
    assert at.info and "还没有数据" in at.info[0].value
    _store(engine, "last.xlsx", ("activities", sh.activities("青山区", f"{YEAR - 1}-05", n=6)))
    at = _app("overview", year=str(YEAR - 1))
    assert at.sidebar.selectbox(key="year").value == YEAR - 1
    assert _metrics(at)["活动场次"] == "6场"


def _compare_row(at: AppTest, district: str):
    return at.dataframe[0].value.set_index("区县").loc[district]


@pytest.mark.parametrize("page", PAGES)
def test_district_without_targets_in_a_one_month_year(page, tmp_path, monkeypatch):
    """临江区 has March only and no targets of its own: every page shows its numbers
    and says there is no target, never an error or empty axes."""
    _engine(monkeypatch, tmp_path / "app.db", data=True)
    at = _app(page, d="临江区")
    _no_exception(at)
    if page == "volunteer":      # no volunteer records at all: a notice, no empty axes
        assert "还没有志愿服务记录" in at.main.info[0].value
        assert not at.get("plotly_chart")
        return
    # no notice but those of the 工作总结 kinds this data has none of
    from analytics.present import summary_views
    kinds_without_data = {summary_views.EMPTY_HONOURS, summary_views.EMPTY_ORGANISATION,
                          summary_views.EMPTY_MEDIA}
    notices = [i.value for i in at.main.info if i.value not in kinds_without_data]
    assert not notices, notices
    if page == "overview":
        assert _metrics(at)["活动场次"] == "2场"
        assert [c.value for c in at.caption].count("未设定年度目标") == 6   # 全部 targets are the area's
    else:
        assert at.get("plotly_chart")


def test_rerun_of_the_default_page_follows_the_sidebar(tmp_path, monkeypatch):
    _engine(monkeypatch, tmp_path / "app.db", data=True)
    at = _app("overview")
    assert _metrics(at)["活动场次"] == "5场"
    at.sidebar.multiselect(key="d").set_value(["临江区"]).run()
    _no_exception(at)
    assert _metrics(at)["活动场次"] == "2场"
    assert not [i for i in at.main.info if "示例数据" in i.value]


def test_sidebar_change_updates_the_page(tmp_path, monkeypatch):
    _engine(monkeypatch, tmp_path / "app.db", data=True)
    at = _app("compare")
    assert _compare_row(at, "青山区")["参学率"] == "93.33%（第1）"          # 140 / 150
    at.sidebar.multiselect(key="d").set_value(["青山区"]).run()
    assert at.dataframe[0].value["区县"].tolist() == ["青山区"]
    assert at.sidebar.multiselect(key="u").options == ["一中团委", "二中团委", "单位0", "单位1",
                                                       "单位2"]
    at.sidebar.multiselect(key="u").set_value(["一中团委"]).run()
    assert _compare_row(at, "青山区")["参学率"] == "90.00%（第1）"


def test_new_upload_shows_at_once(tmp_path, monkeypatch):
    engine = _engine(monkeypatch, tmp_path / "app.db", data=True)
    at = _app("compare")
    assert _compare_row(at, "青山区")["活动场次"] == "3场（第1）"
    batch = _store(engine, "more.xlsx", ("activities", sh.activities("青山区", f"{YEAR}-04", n=4)))
    at.run()
    assert _compare_row(at, "青山区")["活动场次"] == "7场（第1）"
    batches.rollback_batch(engine, batch, actor=access.SYSTEM)
    at.run()
    assert _compare_row(at, "青山区")["活动场次"] == "3场（第1）"


def test_viewer_limited_to_a_district_cannot_widen_it_by_url(tmp_path, monkeypatch):
    engine = _engine(monkeypatch, tmp_path / "app.db", data=True)
    accounts.create_user(engine, access.SYSTEM, "wang", dh.PASSWORD, "viewer", ["青山区"],
                     must_change_password=False)
    at = _app("overview", user="wang", d="临江区")
    _no_exception(at)
    assert at.sidebar.multiselect(key="d").options == ["青山区"]
    assert _metrics(at)["参学率"] == "93.33%"


def test_meeting_mode_from_url_and_toggle(tmp_path, monkeypatch):
    _engine(monkeypatch, tmp_path / "app.db", data=True)
    at = _app("compare", meeting="1")
    _no_exception(at)
    assert at.session_state["meeting_mode"] is True
    assert len(at.selectbox(key="meeting_slide").options) == 14
    assert at.selectbox(key="meeting_slide").value == "各区县主要指标对比"
    assert at.title[0].value == "各区县主要指标对比"   # the slide's title, not the page's
    assert at.caption[0].value.startswith(f"{YEAR}年 · 全部区县 · 数据截至")
    assert len(at.get("table")) == 1                  # the table slide, large type
    at.button(key="meeting_next").click().run()
    assert at.selectbox(key="meeting_slide").value == "参学率对比"
    assert len(at.get("plotly_chart")) == 1           # one chart per screen
    at.button(key="meeting_page_down").click().run()  # a clicker's PageDown
    assert at.selectbox(key="meeting_slide").value.startswith("参学人次")
    at.button(key="meeting_page_up").click().run()
    at.button(key="meeting_prev").click().run()
    at.button(key="meeting_prev").click().run()
    assert at.selectbox(key="meeting_slide").value == "志愿服务时长同比变化"
    at.button(key="meeting_exit").click().run()
    assert at.toggle(key="meeting_mode").value is False
    _no_exception(at)
    assert "meeting" not in at.query_params
    assert len(at.get("plotly_chart")) >= 8            # every chart again
    assert at.dataframe[0].value["区县"].tolist() == ["临江区", "青山区"]


def test_compare_table_ranks(tmp_path, monkeypatch):
    _engine(monkeypatch, tmp_path / "app.db", data=True)
    at = _app("compare")
    table = at.dataframe[0].value
    row = table.set_index("区县").loc["青山区"]
    # value and rank in one cell, so the seven indicators fit the page at 1440 px
    assert row["参学率"] == "93.33%（第1）"
    assert row["活动场次"] == "3场（第1）"
    assert table.set_index("区县").loc["临江区", "活动场次"] == "2场（第2）"
    assert "district" not in table.columns and "参学率排名" not in table.columns


def test_activities_search(tmp_path, monkeypatch):
    _engine(monkeypatch, tmp_path / "app.db", data=True)
    at = _app("activities")
    _no_exception(at)
    assert len(at.dataframe[0].value) == 5
    at.text_input(key="activities_search").input("临江区").run()
    rows = at.dataframe[0].value
    assert rows["区县"].tolist() == ["临江区", "临江区"]
    # 2 activities × 7 人次 and 1.5 hours each, ready to paste
    assert at.code[0].value == "开展临江区相关活动2场次，参与青年14人次，总服务时长3小时。"
    at.text_input(key="activities_search").input("没有这个活动").run()
    assert any("没有符合关键词" in i.value for i in at.info)


def test_study_threshold(tmp_path, monkeypatch):
    _engine(monkeypatch, tmp_path / "app.db", data=True)
    at = _app("study")
    _no_exception(at)
    below = at.dataframe[0].value
    assert below["单位"].tolist() == ["江滨团委"]       # 75% < 90%; 一中团委 exactly 90% is not below
    assert below["参学率"].tolist() == ["75.00%"]
    at.slider(key="study_threshold").set_value(95).run()
    assert at.dataframe[0].value["单位"].tolist() == ["江滨团委", "一中团委"]


def test_volunteer_list_and_stars(tmp_path, monkeypatch):
    _engine(monkeypatch, tmp_path / "app.db", data=True)
    at = _app("volunteer")
    _no_exception(at)
    table = at.dataframe[0].value
    assert table["累计服务时长（小时）"].tolist() == [4.0, 3.5, 2.0]
    assert set(table["星级"]) == {"未达星级"}


def test_stars_count_the_hours_of_every_year(tmp_path, monkeypatch):
    """星级 is earned over a volunteering life: hours from three years ago still count."""
    engine = _engine(monkeypatch, tmp_path / "app.db", data=True)   # V000: 2 h this March
    for year, hours in ((YEAR - 3, 24.0), (YEAR - 2, 24.0), (YEAR - 1, 24.0)):
        for month in ("01", "02"):
            _store(engine, f"old-{year}-{month}.xlsx",
                   ("volunteer", sh.volunteer("青山区", f"{year}-{month}", [hours] * 1, ["V000"])))
    at = _app("volunteer")
    _no_exception(at)
    table = at.dataframe[0].value.set_index("志愿者编号")
    assert table.loc["V000", "累计服务时长（小时）"] == 146.0          # 6 × 24 + 2
    assert table.loc["V000", "星级"] == "一星级志愿者"


def test_overview_shows_reporting_progress_per_district(tmp_path, monkeypatch):
    engine = _engine(monkeypatch, tmp_path / "app.db", data=True)
    # 三中团委 reported its February study, not (yet) March's
    _store(engine, "feb.xlsx", ("study", sh.study("青山区", f"{YEAR}-02", [("三中团委", 40, 30)])))
    at = _app("overview")
    _no_exception(at)
    table = [df.value for df in at.dataframe if "尚未报送" in df.value.columns][0]
    row = table.set_index("区县").loc["青山区"]
    assert (row["月份"], row["应报单位"], row["已报单位"], row["报齐单位"]) == (f"{YEAR}年3月", 6, 5, 5)
    assert (row["活动台账"], row["青年大学习"], row["志愿服务记录"], row["尚未报送"]) == (
        "3/3", "2/3", "1/1", "三中团委")
    # the late report arrives: the table follows at once
    _store(engine, "mar.xlsx", ("study", sh.study("青山区", f"{YEAR}-03", [("三中团委", 40, 31)])))
    at.run()
    table = [df.value for df in at.dataframe if "尚未报送" in df.value.columns][0]
    assert table.set_index("区县").loc["青山区", "已报单位"] == 6


def test_clearing_the_sample_from_the_notice_leaves_nothing_of_it(sample_db, tmp_path, monkeypatch):
    from analytics.store.batches import list_batches

    path = tmp_path / "app.db"
    shutil.copy(sample_db, path)
    monkeypatch.setenv("LEAGUE_DB_URL", f"sqlite:///{path}")
    monkeypatch.setenv("LEAGUE_DATA_DIR", str(tmp_path / "data"))
    engine = get_engine(f"sqlite:///{path}")
    accounts.create_user(engine, access.SYSTEM, "boss", dh.PASSWORD, "admin",
                         must_change_password=False)
    at = _app("overview")
    assert at.button(key="clear_sample").disabled        # not before the confirmation
    at.checkbox(key="clear_sample_confirm").check().run()
    at.button(key="clear_sample").click().run()
    _no_exception(at)
    assert list_batches(engine).empty
    assert not [i for i in at.main.info if "示例数据" in i.value]
    at.switch_page(f"{PAGE_DIR}/targets.py").run()
    grid = at.data_editor(key="targets_editor").value
    assert grid["区"].tolist() == ["全部"]              # no fictional district left


@pytest.mark.parametrize("page", ["account", "accounts", "audit", "targets", "upload"])
def test_the_sidebar_filters_show_only_where_they_act(page, tmp_path, monkeypatch):
    _engine(monkeypatch, tmp_path / "app.db", data=True)
    at = _app(page)
    _no_exception(at)
    assert not [s for s in at.sidebar.selectbox if s.key == "year"]
    assert not at.sidebar.multiselect
    assert at.sidebar.button(key="logout")


def test_selecting_every_unit_is_stored_as_no_filter(tmp_path, monkeypatch):
    _engine(monkeypatch, tmp_path / "app.db", data=True)
    at = _app("overview")
    units = at.sidebar.multiselect(key="u")
    at.sidebar.multiselect(key="u").set_value(list(units.options)).run()
    _no_exception(at)
    assert at.sidebar.multiselect(key="u").value == []
    assert "u" not in at.query_params


@pytest.mark.parametrize("page, table_key", [
    ("overview", "overview_status"), ("compare", "compare_table"), ("activities", "activities_table")])
def test_leaders_tables_download_as_safe_csv(page, table_key, tmp_path, monkeypatch):
    """The grid's own CSV export is off (it cannot quote-prefix formulas); the main
    table of each page offers ours (`widgets.table(download=...)`) right under it."""
    _engine(monkeypatch, tmp_path / "app.db", data=True)
    at = _app(page)
    _no_exception(at)
    ours = [b for b in at.get("download_button")
            if b.proto.label == "下载 CSV" and f"{table_key}_csv" in b.proto.id]
    assert len(ours) == 1, [b.proto.id for b in at.get("download_button")]
