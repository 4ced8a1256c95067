"""目标管理 page (AppTest): edit in the grid, save as an audited targets batch,
district permissions, and undo through the batch history."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics import access
from analytics.store import accounts
from analytics.store.audit import read_audit
from analytics.store.batches import list_batches, rollback_batch, store_checked
from analytics.store.frames import load_frames
from tests import store_helpers as sh
from tests.admin_pages_helpers import ROOT, add_user, app_env, login_as, texts

pytestmark = pytest.mark.apptest

YEAR = 2026


@pytest.fixture
def engine(monkeypatch, tmp_path):
    eng = app_env(monkeypatch, tmp_path)
    store_checked(eng, sh.checked("t.xlsx", ("targets", sh.targets(YEAR, [
        ("全部", "study_rate", 0.95), ("青山区", "study_rate", 0.9),
        ("临江区", "activity_sessions", 200.0)]))), actor=access.SYSTEM)
    return eng


def targets_page(username: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "targets.py"), default_timeout=60)
    login_as(at, username)
    at.run()
    at.selectbox(key="targets_year").set_value(YEAR).run()
    return at


def edit(at: AppTest, row: int, column: str, value, key: str = "targets_editor") -> AppTest:
    at.session_state[key] = {"edited_rows": {row: {column: value}},
                             "added_rows": [], "deleted_rows": []}
    return at.button(key="targets_save").click().run()


def stored(engine) -> dict[tuple[str, str], float]:
    frame = load_frames(engine, years=[YEAR])["targets"]
    return {(d, i): round(v, 6) for d, i, v in zip(frame["district"], frame["indicator"], frame["value"])}


def test_grid_shows_rates_in_percent_with_chinese_headers(engine):
    add_user(engine, "boss", "admin")
    at = targets_page("boss")
    assert not at.exception
    grid = at.data_editor(key="targets_editor").value
    assert list(grid.columns) == ["区", "参学率（%）", "参学人次（人次）", "应学团员数（人）", "活动场次（场）",
                                  "参与人次（人次）", "志愿者人数（人）", "志愿服务时长（小时）"]
    # 获评荣誉 and the 组织建设 items in a grid of their own, the same rows
    summary = at.data_editor(key="targets_summary_editor").value
    assert list(summary.columns) == ["区", "获评荣誉（项）", "换届（个）", "推优入党（名）", "发展团员（名）",
                                     "青年之家（个）", "青年突击队（支）", "改革举措（项）"]
    assert summary["区"].tolist() == grid["区"].tolist()
    assert grid["区"].tolist()[:1] == ["全部"]
    by_district = grid.set_index("区")
    assert by_district.loc["全部", "参学率（%）"] == 95.0
    assert by_district.loc["青山区", "参学率（%）"] == 90.0
    assert by_district.loc["临江区", "活动场次（场）"] == 200.0


def test_admin_saves_an_edit_as_a_batch_and_can_undo_it(engine):
    add_user(engine, "boss", "admin")
    at = targets_page("boss")
    row = at.data_editor(key="targets_editor").value["区"].tolist().index("青山区")
    edit(at, row, "参学率（%）", 96)
    assert not at.exception
    assert texts(at.success) == ["已保存：已替换年度目标 1 行（批次 #3）"]
    assert stored(engine)[("青山区", "study_rate")] == 0.96
    assert stored(engine)[("全部", "study_rate")] == 0.95          # other districts untouched
    batches = list_batches(engine)
    assert batches.loc[0, "kind"] == "targets"
    assert batches.loc[0, "username"] == "boss"
    assert read_audit(engine).loc[0, "action"] in ("replace", "store")
    assert at.data_editor(key="targets_editor").value.set_index("区").loc["青山区", "参学率（%）"] == 96.0

    rollback_batch(engine, int(batches.loc[0, "id"]), actor=accounts.get_user(engine, "boss"))
    assert stored(engine)[("青山区", "study_rate")] == 0.9


def test_targets_of_honours_and_organisation_items_are_kept_and_edited_in_the_grid(engine):
    add_user(engine, "boss", "admin")
    at = targets_page("boss")
    row = at.data_editor(key="targets_editor").value["区"].tolist().index("青山区")
    edit(at, row, "推优入党（名）", 30, key="targets_summary_editor")
    assert not at.exception
    assert stored(engine)[("青山区", "organisation:推优入党")] == 30.0
    assert stored(engine)[("青山区", "study_rate")] == 0.9       # the row's other grid kept
    # an edit in the indicators' grid keeps that target (the row is stored whole)
    edit(targets_page("boss"), row, "参学率（%）", 96)
    assert stored(engine)[("青山区", "organisation:推优入党")] == 30.0
    assert stored(engine)[("青山区", "study_rate")] == 0.96
    assert at.data_editor(key="targets_summary_editor").value.set_index("区").loc[
        "青山区", "推优入党（名）"] == 30.0


def test_filler_edits_only_own_district_rows(engine):
    add_user(engine, "zhang", "filler", ["青山区"])
    at = targets_page("zhang")
    assert "您可以修改 青山区 的目标" in at.caption[0].value
    assert at.data_editor(key="targets_editor").value["区"].tolist() == ["青山区"]
    readonly = [df.value for df in at.dataframe if df.editing_mode == "read_only"][0]
    assert readonly["区"].tolist() == ["全部", "临江区", "种子区"]   # 种子区: the seed batch
    edit(at, 0, "活动场次（场）", 120)
    assert not at.error
    assert stored(engine)[("青山区", "activity_sessions")] == 120.0
    assert stored(engine)[("临江区", "activity_sessions")] == 200.0
    assert list_batches(engine).loc[0, "username"] == "zhang"


def test_no_change_says_so(engine):
    add_user(engine, "boss", "admin")
    at = targets_page("boss")
    at.button(key="targets_save").click().run()
    assert texts(at.info) == ["没有修改，无需保存。"]


def test_viewer_is_refused(engine):
    add_user(engine, "li", "viewer")
    at = AppTest.from_file(str(ROOT / "pages" / "targets.py"), default_timeout=60)
    login_as(at, "li")
    at.run()
    assert "无权使用此功能" in at.error[0].value
    assert len(at.data_editor) == 0


def test_changing_year_drops_unsaved_edits(engine):
    add_user(engine, "boss", "admin")
    at = targets_page("boss")
    at.session_state["targets_editor"] = {"edited_rows": {0: {"参学率（%）": 50}},
                                          "added_rows": [], "deleted_rows": []}
    at.selectbox(key="targets_year").set_value(YEAR - 1).run()
    at.button(key="targets_save").click().run()
    assert texts(at.info) == ["没有修改，无需保存。"]
    assert load_frames(engine, years=[YEAR - 1])["targets"].empty


def test_an_admin_sets_the_cut_off_month_and_a_filler_does_not_see_it(engine):
    from analytics.store.cutoffs import cutoff_month

    add_user(engine, "boss", "admin")
    at = targets_page("boss")
    at.selectbox(key="targets_cutoff").set_value(9).run()
    at.button(key="targets_cutoff_save").click().run()
    assert not at.exception
    assert cutoff_month(engine, YEAR) == 9
    assert "2026年统计截止月已设为9月" in texts(at.success)
    assert at.selectbox(key="targets_cutoff").value == 9
    assert "2026年统计截止月设为9月" in read_audit(engine)["detail"].tolist()

    add_user(engine, "zhang", "filler", ["青山区"])
    filler = targets_page("zhang")
    assert not [s for s in filler.selectbox if s.key == "targets_cutoff"]
