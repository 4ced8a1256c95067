"""评优表彰, 组织建设 and 新媒体 on the pages (AppTest), on the small test data plus a
workbook of those kinds stored as a user would (tests/summary_kinds_helpers), and
the 工作总结 sections the export panel lets a user pick."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests import dashboard_helpers as dh
from tests import summary_kinds_helpers as skh
from tests.test_pages import _fresh_caches  # noqa: F401  (autouse: caches cleared around each test)

pytestmark = pytest.mark.apptest

ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "dashboard.py")


def _database(monkeypatch, folder: Path, *, summary: bool = True) -> None:
    path = folder / "app.db"
    monkeypatch.setenv("LEAGUE_DB_URL", f"sqlite:///{path}")
    monkeypatch.setenv("LEAGUE_DATA_DIR", str(folder / "data"))
    monkeypatch.delenv("LEAGUE_PUBLIC_VIEW", raising=False)
    engine = dh.new_database(path)
    if summary:
        skh.store_summary_kinds(engine, folder)
    engine.dispose()


def _app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=90)
    at.session_state["user"] = dh.ADMIN
    at.session_state["logged_in_at"] = datetime.now()
    at.query_params["year"] = str(dh.YEAR)
    at.run()
    if page:
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _table(at: AppTest, first_column: str, column: str):
    """The first table whose first column is `first_column` and which has `column`."""
    for frame in at.dataframe:
        value = frame.value
        if len(value.columns) and value.columns[0] == first_column and column in value.columns:
            return value
    raise AssertionError(f"没有含“{column}”列的表格")


def _cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def test_overview_shows_honours_and_organisation_against_targets(tmp_path, monkeypatch):
    _database(monkeypatch, tmp_path)
    at = _app()
    cards = _cards(at)
    assert (cards["荣誉合计"], cards["集体荣誉"], cards["个人荣誉"]) == ("19项", "2个", "17名")
    assert (cards["推优入党"], cards["青年突击队"]) == ("12名", "3支")
    honours = _table(at, "区县", "荣誉合计").set_index("区县")
    assert honours.loc["青山区", "荣誉合计"] == "14" and honours.loc["合计", "个人（名）"] == "17"
    organisation = _table(at, "区县", "推优入党（名）").set_index("区县")
    assert organisation.loc["临江区", "推优入党（名）"] == "4"
    status = _table(at, "区县", "推优入党状态").set_index("区县")
    assert status.loc["临江区", "推优入党状态"] == "滞后"
    assert status.loc["临江区", "获评荣誉状态"] == "无目标"
    assert "评优表彰、组织建设目标进度" in _subheaders(at)


def test_compare_shows_each_district_and_the_chosen_item(tmp_path, monkeypatch):
    _database(monkeypatch, tmp_path)
    at = _app("compare")
    detail = _table(at, "荣誉", "青山区").set_index("荣誉")
    assert detail.loc["五四红旗团支部（个）"].to_dict() == {"临江区": "0", "青山区": "2", "合计": "2"}
    targets = _table(at, "区县", "年度目标")
    assert targets[targets["指标"] == "获评荣誉"]["年度目标"].tolist() == ["20项", "20项"]
    assert at.selectbox(key="compare_organisation_item").value == "推优入党"
    item_targets = _table(at, "区县", "年度目标")   # the honours' first, then the item's
    assert "推优入党" not in item_targets["指标"].tolist()
    tables = [f.value for f in at.dataframe if "指标" in f.value.columns]
    assert tables[1]["指标"].unique().tolist() == ["推优入党"]
    assert tables[1].set_index("区县").loc["临江区", "状态"] == "滞后"
    at.selectbox(key="compare_organisation_item").select("青年突击队").run()
    assert not at.exception
    # no target for 青年突击队: only the honours' targets table is left
    assert len([f for f in at.dataframe if "指标" in f.value.columns]) == 1


def test_activities_shows_new_media_by_platform_and_month(tmp_path, monkeypatch):
    _database(monkeypatch, tmp_path)
    at = _app("activities")
    cards = _cards(at)
    assert (cards["篇数"], cards["阅读量"], cards["转发"], cards["参与人数"]) == (
        "3篇", "5,000人次", "35次", "15人")
    platform = _table(at, "平台", "阅读量（人次）").set_index("平台")
    assert platform.loc["视频号", "阅读量（人次）"] == "3,000"
    month = _table(at, "月份", "篇数（篇）")
    assert month.values.tolist() == [[f"{dh.YEAR}年3月", "3", "5,000", "35", "15"]]
    at.segmented_control(key="media_group").set_value("column").run()
    column = _table(at, "栏目/专题", "篇数（篇）").set_index("栏目/专题")
    assert column.loc["青春热议", "篇数（篇）"] == "2"


def test_pages_say_in_chinese_when_a_kind_has_no_data(tmp_path, monkeypatch):
    _database(monkeypatch, tmp_path, summary=False)
    notices = {page: [i.value for i in _app(page).info] for page in ("overview", "compare")}
    for page, found in notices.items():
        assert "所选年度还没有评优表彰数据。请在“数据上传”页导入“评优表彰”报表。" in found, page
        assert any("还没有组织建设数据" in n for n in found), page
    assert any("还没有新媒体数据" in i.value for i in _app("activities").info)


def test_the_user_picks_the_sections_of_the_drafted_summary(tmp_path, monkeypatch):
    _database(monkeypatch, tmp_path)
    at = _app()
    texts = [c.value for c in at.code]
    assert any("“优秀共青团员”12名" in t for t in texts)
    assert any("参学" in t for t in texts)                 # the 三力一度 paragraph
    at.multiselect(key="overview_sections").set_value(["评优表彰", "新媒体"]).run()
    texts = [c.value for c in at.code]
    assert len(texts) == 2
    assert "“优秀共青团员”12名" in texts[0] and "共19个集体和个人获荣誉称号" in texts[0]
    assert "“青春热议”专栏，发表文章2篇" in texts[1]
    assert not any("推优入党" in t or "参学" in t for t in texts)
    at.multiselect(key="overview_sections").set_value([]).run()
    assert not at.code
    assert any("未选择工作总结的部分" in i.value for i in at.info)
