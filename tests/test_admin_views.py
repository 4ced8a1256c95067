"""analytics.admin_views: page access, upload preview tables, batches, audit, targets."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import pytest

from analytics import access
from analytics.ingest import targets_editor
from analytics.store import batches, target_edits
from analytics.present import targets_grid, admin_tables
from analytics.access import PUBLIC, SYSTEM, User
from analytics.store.engine import get_engine
from analytics.errors import AnalyticsError, PermissionDenied

ADMIN = User("root", "admin")
FILLER_A = User("zhang", "filler", frozenset({"青山区"}))
VIEWER = User("li", "viewer")
MUST_CHANGE = User("wang", "filler", frozenset({"青山区"}), must_change_password=True)


@pytest.mark.parametrize("user, path, expected", [
    (ADMIN, "overview", True), (ADMIN, "upload", True), (ADMIN, "targets", True),
    (ADMIN, "audit", True), (ADMIN, "accounts", True), (ADMIN, "me", True),
    (FILLER_A, "overview", True), (FILLER_A, "upload", True), (FILLER_A, "targets", True),
    (FILLER_A, "audit", True), (FILLER_A, "accounts", False), (FILLER_A, "me", True),
    (VIEWER, "compare", True), (VIEWER, "upload", False), (VIEWER, "targets", False),
    (VIEWER, "audit", False), (VIEWER, "accounts", False), (VIEWER, "me", True),
    (PUBLIC, "overview", True), (PUBLIC, "me", False), (PUBLIC, "upload", False),
    (MUST_CHANGE, "me", True), (MUST_CHANGE, "overview", False), (MUST_CHANGE, "upload", False),
])
def test_page_allowed(user, path, expected):
    assert access.page_allowed(user, path) is expected


@dataclass
class Issue:
    row: int
    column: str
    value: str
    message: str


def test_issues_table_sorted_by_row_with_chinese_headers():
    table = admin_tables.issues_table([Issue(12, "参与人次", "abc", "须为整数"),
                             Issue(5, "日期", "", "必填")])
    assert list(table.columns) == ["行号", "列", "内容", "问题"]
    assert table.values.tolist() == [[5, "日期", "", "必填"], [12, "参与人次", "abc", "须为整数"]]


def test_totals_table_leaves_out_blank_columns():
    frame = pd.DataFrame({"sessions": [1, 2], "participants": [3, 4],
                          "funds": [math.nan, math.nan]})
    table = admin_tables.totals_table("activities", {"sessions": 3, "participants": 7, "funds": 0.0}, frame)
    assert table.values.tolist() == [["场次", 3], ["参与人次", 7]]


def test_issues_table_empty_keeps_headers():
    assert list(admin_tables.issues_table([]).columns) == ["行号", "列", "内容", "问题"]


def test_totals_table_uses_field_labels_in_schema_order():
    table = admin_tables.totals_table("activities", {"participants": 1945, "sessions": 9,
                                           "funds": 1200.0, "service_hours": 12.5})
    assert table.values.tolist() == [["场次", 9], ["参与人次", 1945], ["服务时长", 12.5],
                                     ["经费", 1200]]


@pytest.mark.parametrize("value, expected", [
    ("青山区|临江区", ["青山区", "临江区"]), ("青山区、临江区", ["青山区", "临江区"]),
    ("", []), (None, []), (math.nan, []), ("全部区县", []), ("未分配区县", []),
    (["青山区"], ["青山区"]),
])
def test_split_districts(value, expected):
    assert admin_tables.split_districts(value) == expected


@pytest.mark.parametrize("user, expected", [
    (FILLER_A, "青山区"), (User("f", "filler"), "未分配（请联系管理员）"), (VIEWER, "全部区县"),
    (User("v", "viewer", frozenset({"临江区", "青山区"})), "临江区、青山区"),
])
def test_user_scope_text(user, expected):
    assert admin_tables.user_scope_text(user) == expected


def _batches() -> pd.DataFrame:
    return pd.DataFrame({
        "id": [3, 2, 1], "kind": ["study", "activities", "activities"],
        "districts": ["临江区", "青山区", "青山区"], "periods": ["2026-03", "2026-03", "2026-02|2026-03"],
        "file_name": ["b.xlsx", "a2.xlsx", "a.xlsx"], "sha256": ["c" * 64, "b" * 64, "a" * 64],
        "username": ["admin", "zhang", "zhang"],
        "created_at": pd.to_datetime(["2026-04-03", "2026-04-02", "2026-04-01"]),
        "rows_accepted": [10, 6, 5], "rows_rejected": [0, 1, 0],
        "status": ["active", "active", "replaced"],
    })


def test_batches_table_chinese_headers_and_values():
    table = admin_tables.batches_table(_batches())
    assert list(table.columns) == ["批次号", "报表类型", "区县", "期间", "文件名", "导入人", "导入时间",
                                   "有效行数", "拒绝行数", "状态", "SHA-256"]
    assert table.loc[2, ["报表类型", "期间", "状态"]].tolist() == ["活动台账", "2026-02、2026-03",
                                                                "已被替换"]


def test_known_districts_and_batch_choice_text():
    batches = _batches()
    assert admin_tables.known_districts(batches) == ["临江区", "青山区"]
    assert admin_tables.batch_choice_text(batches, 1) == "批次 #1：活动台账 青山区 2026-02、2026-03（a.xlsx，已被替换）"


def test_history_table_says_which_batches_may_be_undone_and_picks_by_row():
    frame = _batches().assign(status=["active", "rolled_back", "replaced"])
    refusals = {3: "您（填报员 zhang）无权撤销 临江区 的数据", 2: "批次 #2 已撤销过"}
    table = admin_tables.history_table(frame, refusals)
    assert table[["批次号", "撤销"]].values.tolist() == [[3, "无权撤销"], [2, "—"], [1, "可撤销"]]
    assert "SHA-256" not in table.columns          # the file name names it; room for the rest
    assert [admin_tables.picked_batch(frame, rows) for rows in ([], [0], [2], [3])] == [
        None, 3, 1, None]
    # the table's key changes with what it lists: a stored or undone batch drops the pick
    key = admin_tables.history_key(frame)
    assert key == admin_tables.history_key(frame.copy())
    assert key != admin_tables.history_key(frame.assign(status=["rolled_back"] * 3))
    assert key != admin_tables.history_key(frame.iloc[1:])


def test_rollback_preview_table_lists_what_goes_and_what_comes_back():
    preview = batches.RollbackPreview(3, "activities", ("青山区",), ("2026-03",), "a2.xlsx",
                                      "active", rows_removed=6, restored=((1, 5), (9, 2)))
    table = admin_tables.rollback_preview_table(preview, _batches().assign(id=[3, 9, 1]))
    assert table[["处理", "批次号", "报表类型", "文件名", "导入人", "行数"]].values.tolist() == [
        ["移除", 3, "青年大学习", "b.xlsx", "admin", 6],
        ["恢复", 1, "活动台账", "a.xlsx", "zhang", 5],
        ["恢复", 9, "活动台账", "a2.xlsx", "zhang", 2]]
    unknown = admin_tables.rollback_preview_table(preview, _batches().iloc[0:0])
    assert unknown[["处理", "批次号", "文件名", "行数"]].values.tolist()[1] == ["恢复", 1, "—", 5]


def _audit() -> pd.DataFrame:
    return pd.DataFrame({
        "id": [4, 3, 2, 1],
        "at": pd.to_datetime(["2026-04-03 09:00", "2026-04-02 10:00", "2026-04-02 08:00",
                              "2026-04-01 08:00"]),
        "username": ["admin", "admin", "zhang", "admin"],
        "action": ["store", "create_user", "store", "rollback"],
        "detail": ["d4", "d3", "d2", "d1"],
        "batch_id": pd.array([3, None, 2, 2], dtype="Int64"),
        "file_name": ["b.xlsx", None, "a2.xlsx", "a2.xlsx"], "sha256": [None] * 4,
    })


def test_visible_audit_filler_sees_own_entries_and_own_districts_batches():
    seen = admin_tables.visible_audit(_audit(), _batches(), FILLER_A)
    assert seen["id"].tolist() == [2, 1]
    assert admin_tables.visible_audit(_audit(), _batches(), ADMIN)["id"].tolist() == [4, 3, 2, 1]
    no_districts = User("zhang", "filler")
    assert admin_tables.visible_audit(_audit(), _batches(), no_districts)["id"].tolist() == [2]
    assert admin_tables.visible_audit(_audit().iloc[:0], _batches().iloc[:0], FILLER_A).empty


def test_filter_audit_by_user_action_and_days():
    audit = _audit()
    assert admin_tables.filter_audit(audit, usernames=["admin"])["id"].tolist() == [4, 3, 1]
    assert admin_tables.filter_audit(audit, actions=["store"])["id"].tolist() == [4, 2]
    assert admin_tables.filter_audit(audit, start=date(2026, 4, 2), end=date(2026, 4, 2))["id"].tolist() == [3, 2]


def test_audit_choices():
    users, actions, span = admin_tables.audit_choices(_audit())
    assert users == ["admin", "zhang"]
    assert actions == ["create_user", "rollback", "store"]
    assert span == (date(2026, 4, 1), date(2026, 4, 3))
    assert admin_tables.audit_choices(_audit().iloc[:0]) == ([], [], None)


def test_audit_table_chinese():
    table = admin_tables.audit_table(_audit())
    assert list(table.columns) == ["时间", "用户", "操作", "详情", "批次号", "文件名", "SHA-256"]
    assert table["操作"].tolist() == ["导入", "创建账号", "导入", "撤销批次"]


def test_users_table_has_no_hash_and_chinese_values():
    users = pd.DataFrame({"username": ["admin"], "role": ["admin"], "role_label": ["管理员"],
                          "districts": ["全部区县"], "active": [True],
                          "must_change_password": [False], "password_hash": ["$2b$..."]})
    table = admin_tables.users_table(users)
    assert table.to_dict("records") == [{"用户名": "admin", "角色": "管理员", "负责区县": "全部区县",
                                         "状态": "启用", "须改密码": "否"}]


TARGETS = pd.DataFrame({
    "year": [2026, 2026, 2026, 2025],
    "district": ["全部", "青山区", "青山区", "青山区"],
    "indicator": ["study_rate", "study_rate", "activity_sessions", "study_rate"],
    "value": [0.95, 0.9, 120.0, 0.5],
})


def test_targets_grid_rates_in_percent_all_first():
    grid = targets_grid.targets_grid(TARGETS, year=2026, districts=["临江区"])
    assert grid["区"].tolist() == ["全部", "临江区", "青山区"]
    assert grid["参学率（%）"].tolist()[0] == 95.0
    assert grid["参学率（%）"].tolist()[2] == 90.0
    assert math.isnan(grid["参学率（%）"].tolist()[1])
    assert grid["活动场次（场）"].tolist()[2] == 120.0


def test_grid_targets_round_trip():
    grid = targets_grid.targets_grid(TARGETS, year=2026, districts=[])
    back = targets_editor.grid_targets(grid, year=2026).sort_values(["district", "indicator"])
    assert back.values.tolist() == [[2026, "全部", "study_rate", 0.95],
                                    [2026, "青山区", "activity_sessions", 120.0],
                                    [2026, "青山区", "study_rate", 0.9]]


def test_split_targets_grid():
    grid = targets_grid.targets_grid(TARGETS, year=2026, districts=["临江区"])
    mine, others = targets_grid.split_targets_grid(grid, frozenset({"青山区"}))
    assert mine["区"].tolist() == ["青山区"]
    assert others["区"].tolist() == ["全部", "临江区"]
    everything, none = targets_grid.split_targets_grid(grid, None)
    assert len(everything) == 3 and none.empty


def test_changed_districts():
    before = targets_grid.targets_grid(TARGETS, year=2026, districts=["临江区"])
    after = before.copy()
    assert targets_editor.changed_districts(before, after) == []
    after.loc[1, "活动场次（场）"] = 80
    after.loc[2, "参学率（%）"] = 90.0000000001   # float noise is no change
    assert targets_editor.changed_districts(before, after) == ["临江区"]


def test_targets_sheet_bytes_has_template_headers_and_note():
    rows = pd.DataFrame({"year": [2026], "district": ["青山区"], "indicator": ["study_rate"],
                         "value": [0.95]})
    text = targets_grid.targets_sheet_bytes(rows, note="admin 在线编辑").decode("utf-8-sig")
    assert text == "年度,区,指标,目标值\n2026,青山区,参学率,0.95\n注：admin 在线编辑\n"


def test_scope_summary_groups_periods_by_district():
    scopes = [("青山区", "2026-03"), ("临江区", "2026-03"), ("青山区", "2026-02")]
    assert admin_tables.scope_summary(scopes) == "临江区（2026-03）；青山区（2026-02、2026-03）"
    assert admin_tables.scope_summary([]) == ""


@pytest.mark.parametrize("text, expected", [
    ("2026-03", "2026-03"), ("2026年3月", "2026-03"), (" ", None), (None, None),
])
def test_upload_month(text, expected):
    assert admin_tables.upload_month(text) == expected


def test_upload_month_bad_is_chinese_error():
    with pytest.raises(AnalyticsError, match="月份“2026-13”不正确"):
        admin_tables.upload_month("2026-13")


# --- save_targets against a real database --------------------------------------------

@pytest.fixture
def engine(tmp_path):
    return get_engine(f"sqlite:///{tmp_path}/t.db")


def _grid(engine, year=2026, districts=("青山区", "临江区")):
    from analytics.store.frames import load_frames
    return targets_grid.targets_grid(load_frames(engine, years=[year])["targets"], year=year,
                           districts=list(districts))


def test_save_targets_stores_a_batch_and_replaces(engine):
    pytest.importorskip("analytics.ingest.check")
    from analytics.store.batches import list_batches
    from analytics.store.frames import load_frames

    before = _grid(engine)
    after = before.copy()
    after.loc[after["区"] == "青山区", "参学率（%）"] = 96
    after.loc[after["区"] == "青山区", "活动场次（场）"] = 150
    results = target_edits.save_targets(engine, SYSTEM, year=2026, before=before, after=after,
                              today=date(2026, 4, 1), now=datetime(2026, 4, 1, 9))
    assert [r.status for r in results] == ["stored"]
    stored = load_frames(engine, years=[2026])["targets"].sort_values("indicator")
    assert stored[["district", "indicator", "value"]].values.tolist() == [
        ["青山区", "activity_sessions", 150.0], ["青山区", "study_rate", 0.96]]

    before = _grid(engine)
    after = before.copy()
    after.loc[after["区"] == "青山区", "参学率（%）"] = 97
    results = target_edits.save_targets(engine, SYSTEM, year=2026, before=before, after=after,
                              today=date(2026, 4, 1), now=datetime(2026, 4, 1, 10))
    assert [r.status for r in results] == ["replaced"]
    stored = load_frames(engine, years=[2026])["targets"].sort_values("indicator")
    assert stored["value"].tolist() == [150.0, 0.97]
    assert list_batches(engine)["status"].tolist() == ["active", "replaced"]


def test_save_targets_refuses_other_districts_and_stores_nothing(engine):
    from analytics.store.batches import list_batches

    before = _grid(engine)
    after = before.copy()
    after.loc[after["区"] == "临江区", "参学率（%）"] = 96
    with pytest.raises(PermissionDenied, match="无权修改 临江区 的目标"):
        target_edits.save_targets(engine, FILLER_A, year=2026, before=before, after=after)
    assert list_batches(engine).empty


def test_save_targets_no_change_and_clearing_a_district(engine):
    pytest.importorskip("analytics.ingest.check")
    before = _grid(engine)
    assert target_edits.save_targets(engine, SYSTEM, year=2026, before=before, after=before.copy()) == []
    after = before.copy()
    after.loc[after["区"] == "青山区", "参学率（%）"] = 96
    target_edits.save_targets(engine, SYSTEM, year=2026, before=before, after=after, today=date(2026, 4, 1))
    before = _grid(engine)
    after = before.copy()
    after.loc[after["区"] == "青山区", "参学率（%）"] = math.nan
    with pytest.raises(AnalyticsError, match="青山区 的目标不能全部清空"):
        target_edits.save_targets(engine, SYSTEM, year=2026, before=before, after=after)


def test_stored_batches_of_unknown_sha_is_empty(engine):
    from analytics.ingest.results import FileCheck

    assert batches.stored_batches_of(engine, FileCheck("x.xlsx", "0" * 64, [])) == []
