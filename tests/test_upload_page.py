"""数据上传 page (AppTest): preview with Excel row numbers, store, confirmed replace,
rollback, and district permissions — checked against what the database holds."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics import access
from analytics.store import accounts
from analytics.store.batches import list_batches, store_file
from analytics.store.frames import load_frames
from tests.admin_pages_helpers import (
    CHROMIUM, CHROMIUM_ARGS, PASSWORD, ROOT, add_user, app_env, login_as, running_app, texts,
)
from tests.workbooks import Sheet, write_xlsx

pytestmark = pytest.mark.apptest

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["序号", "日期", "区", "单位", "活动名称", "活动类别", "场次", "参与人次"]


@pytest.fixture
def engine(monkeypatch, tmp_path):
    return app_env(monkeypatch, tmp_path)


def activities_xlsx(tmp_path, name: str, district: str, participants: list) -> bytes:
    """A real 活动台账 workbook: title row, 填报单位 line, header on row 3, a 合计 row."""
    rows = [[f"{district}2026年3月活动台账"], ["填报单位：团区委", None, None, "日期：2026-04-01"], HEADER]
    for i, p in enumerate(participants, start=1):
        rows.append([i, f"2026-03-{i:02d}", district, f"第{i}中学团委", f"活动{i}", "志愿服务", 1, p])
    rows.append(["合计", None, None, None, None, None, len(participants), None])
    path = write_xlsx(tmp_path / name, {"活动台账": Sheet(rows, merges=["A1:H1"])})
    return path.read_bytes()


def upload_page(username: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=60)
    login_as(at, username)
    return at.run()


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    return at.file_uploader(key="upload_files").set_value((name, content, XLSX)).run()


def submit(at: AppTest) -> AppTest:
    return at.button(key="upload_submit").click().run()


def participants(engine, district: str) -> int:
    frame = load_frames(engine, years=[2026])["activities"]
    return int(frame.loc[frame["district"] == district, "participants"].sum())


def issue_rows(at: AppTest) -> list[list]:
    """The error tables shown (行号, 列, 问题)."""
    out = []
    for df in at.dataframe:
        table = df.value
        if "行号" in table.columns:
            out += table[["行号", "列", "问题"]].values.tolist()
    return out


def test_upload_preview_store_replace_rollback(engine, tmp_path):
    add_user(engine, "boss", "admin")
    at = upload_page("boss")
    assert not at.exception

    # a file with a bad cell: previewed with its Excel row number, nothing stored
    bad = activities_xlsx(tmp_path, "bad.xlsx", "青山区", [100, "abc", 50])
    upload(at, "青山区_2026-03.xlsx", bad)
    assert not at.exception
    assert [r[:2] for r in issue_rows(at)] == [[5, "参与人次"]]
    assert "**工作表“活动台账”：活动台账（表头在第 3 行）**" in texts(at.markdown)
    totals = [df.value for df in at.dataframe if "项目" in df.value.columns][0]
    assert totals.set_index("项目")["合计"].to_dict() == {"场次": 2, "参与人次": 150}
    submit(at)
    assert "1 行未通过检查" in at.error[0].value
    assert participants(engine, "青山区") == 0

    # only the valid rows
    at.checkbox(key="skip_bad_rows").check()
    submit(at)
    assert texts(at.success) == ["青山区_2026-03.xlsx：已导入活动台账 2 行（批次 #2）"]
    assert participants(engine, "青山区") == 150
    assert any("该文件已导入过（批次 #2）" in m for m in texts(at.info))

    # the corrected month: a replace must be confirmed
    good = activities_xlsx(tmp_path, "good.xlsx", "青山区", [100, 70, 50])
    upload(at, "青山区_2026-03_修正.xlsx", good)
    assert "青山区 2026-03 第1中学团委、第3中学团委 的活动台账已导入（批次 #2）" in at.warning[0].value
    submit(at)
    assert "如需替换原数据，请勾选“确认替换”" in at.error[0].value
    assert participants(engine, "青山区") == 150
    at.checkbox(key="confirm_replace").check()
    submit(at)
    assert texts(at.success) == ["青山区_2026-03_修正.xlsx：已替换活动台账 3 行（批次 #3）"]
    assert participants(engine, "青山区") == 220
    assert at.session_state["confirm_replace"] is False   # asked again next time

    # the history lists both batches in Chinese; rolling back #3 restores #2
    history = [df.value for df in at.dataframe if "批次号" in df.value.columns][0]
    assert history[["批次号", "报表类型", "状态"]].values.tolist()[:2] == [
        [3, "活动台账", "有效"], [2, "活动台账", "已被替换"]]
    # nothing is preselected: no batch is a default to be wiped by mistake
    assert not rollback_offered(at)
    pick(at, 3)
    assert "撤销批次 #3 将移除 活动台账 青山区 2026-03 的 3 行数据；恢复批次 #2 的 2 行。" in texts(at.warning)
    preview = [df.value for df in at.dataframe if "处理" in df.value.columns
               and "行数" in df.value.columns][0]
    assert preview[["处理", "批次号", "文件名", "行数"]].values.tolist() == [
        ["移除", 3, "青山区_2026-03_修正.xlsx", 3], ["恢复", 2, "青山区_2026-03.xlsx", 2]]
    # confirmed first: the button waits for the box
    assert at.button(key="rollback_submit").label == "撤销批次 #3"
    assert at.button(key="rollback_submit").disabled
    assert participants(engine, "青山区") == 220
    at.checkbox(key="confirm_rollback_3").check().run()
    at.button(key="rollback_submit").click().run()
    assert texts(at.success) == ["已撤销批次 #3，已恢复批次 #2 的数据。"]
    assert participants(engine, "青山区") == 150
    assert not rollback_offered(at)          # not left on the next one
    history = history_frame(at)
    assert history[["批次号", "撤销", "状态"]].values.tolist()[:2] == [
        [3, "—", "已撤销"], [2, "可撤销", "有效"]]
    assert list_batches(engine)["status"].tolist()[:2] == ["rolled_back", "active"]
    # an undone batch has no action left
    pick(at, 3)
    assert texts(at.info)[-1] == "批次 #3 已撤销过。"
    assert not [b for b in at.button if b.key == "rollback_submit"]


def history_frame(at: AppTest):
    """The 导入记录 table as shown."""
    return [df for df in at.dataframe if "批次号" in df.value.columns
            and "撤销" in df.value.columns][0].value


def pick(at: AppTest, batch_id: int) -> AppTest:
    """Pick the row of `batch_id` in 导入记录, as a click on its box does."""
    [table] = [df for df in at.dataframe if "撤销" in df.value.columns]
    row = table.value["批次号"].tolist().index(batch_id)
    at.session_state[table.key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()


def rollback_offered(at: AppTest) -> bool:
    return bool([b for b in at.button if b.key == "rollback_submit"]
                or [c for c in at.checkbox if (c.key or "").startswith("confirm_rollback")])


def test_each_rows_undo_removes_exactly_that_batch(engine, tmp_path):
    """The issue's case: the newest batch is activities, the one before it the city's
    年度目标; undoing the activities row leaves the targets, and the other way round."""
    from analytics.ingest.check import check_file
    from analytics.store.batches import store_checked

    add_user(engine, "boss", "admin")
    targets = write_xlsx(tmp_path / "t.xlsx", {"年度目标": Sheet([
        ["年度", "区", "指标", "目标值"], [2026, "全部", "活动场次", 100],
        [2026, "青山区", "活动场次", 40]])})
    store_checked(engine, check_file(targets.read_bytes(), filename="年度目标.xlsx"),
                  actor=access.SYSTEM)
    store_file(engine, activities_xlsx(tmp_path, "a.xlsx", "青山区", [10, 20]),
               filename="活动.xlsx", actor=access.SYSTEM)
    ids = list_batches(engine)["id"].astype(int).tolist()       # newest first
    activities_id, targets_id = ids[0], ids[1]
    at = upload_page("boss")
    assert not rollback_offered(at)
    assert history_frame(at)["撤销"].tolist()[:2] == ["可撤销", "可撤销"]
    pick(at, activities_id)
    assert [w for w in texts(at.warning) if w.startswith(f"撤销批次 #{activities_id} 将移除 活动台账")]
    at.checkbox(key=f"confirm_rollback_{activities_id}").check().run()
    at.button(key="rollback_submit").click().run()
    assert texts(at.success) == [f"已撤销批次 #{activities_id}。"]
    status = list_batches(engine).set_index("id")["status"]
    assert status[activities_id] == "rolled_back" and status[targets_id] == "active"
    assert len(load_frames(engine, years=[2026])["targets"]) == 2
    assert participants(engine, "青山区") == 0
    # a row further down: the targets
    pick(at, targets_id)
    assert [w for w in texts(at.warning) if w.startswith(f"撤销批次 #{targets_id} 将移除 年度目标")]
    at.checkbox(key=f"confirm_rollback_{targets_id}").check().run()
    at.button(key="rollback_submit").click().run()
    assert list_batches(engine).set_index("id")["status"][targets_id] == "rolled_back"
    assert len(load_frames(engine, years=[2026])["targets"]) == 0


def test_unreadable_file_is_one_chinese_message(engine, tmp_path):
    add_user(engine, "boss", "admin")
    at = upload_page("boss")
    at.file_uploader(key="upload_files").set_value(("图片.xlsx", b"\x89PNG\r\n\x1a\n" + b"0" * 64, XLSX))
    at.run()
    assert not at.exception
    assert len(at.error) == 1
    assert at.error[0].value  # the loader's Chinese message
    assert at.button(key="upload_submit").disabled


def test_month_given_at_upload_must_be_valid(engine, tmp_path):
    add_user(engine, "boss", "admin")
    at = upload_page("boss")
    at.text_input(key="upload_month").input("2026-13")
    upload(at, "a.xlsx", activities_xlsx(tmp_path, "a.xlsx", "青山区", [1]))
    assert not at.exception
    assert "月份“2026-13”不正确" in at.error[0].value


def test_filler_cannot_store_replace_or_roll_back_other_districts(engine, tmp_path):
    add_user(engine, "zhang", "filler", ["青山区"])
    store_file(engine, activities_xlsx(tmp_path, "lj.xlsx", "临江区", [10, 20]),
               filename="临江区.xlsx", actor=access.SYSTEM)
    other_batch = int(list_batches(engine)["id"].max())
    assert participants(engine, "临江区") == 30

    at = upload_page("zhang")
    # the history shows only the filler's districts
    assert not any("批次号" in df.value.columns for df in at.dataframe)

    # store / replace 临江区 data: refused in Chinese, nothing changes
    upload(at, "临江区_2026-03.xlsx", activities_xlsx(tmp_path, "lj2.xlsx", "临江区", [99, 1]))
    assert "您（填报员 zhang）无权导入 临江区 的数据" in at.error[0].value
    plan = [df.value for df in at.dataframe if "处理" in df.value.columns][0]
    assert set(plan["处理"]) == {"无权导入，不导入"}
    # refused rows are never offered as a replace of the stored 临江区 batch
    assert not [c for c in at.checkbox if c.key == "confirm_replace"]
    at.checkbox(key="skip_bad_rows").check()
    submit(at)
    assert texts(at.error)[0] == "临江区_2026-03.xlsx：您（填报员 zhang）无权导入 临江区 的数据"
    assert participants(engine, "临江区") == 30

    # a file of both districts (stored by an admin) is listed, but not the filler's to undo
    both = write_xlsx(tmp_path / "both.xlsx", {"活动台账": Sheet([
        HEADER, [1, "2026-03-02", "青山区", "一中团委", "活动1", "志愿服务", 1, 7],
        [2, "2026-03-02", "临江区", "二中团委", "活动2", "志愿服务", 1, 3]])})
    store_file(engine, both, filename="两区.xlsx", actor=access.SYSTEM)
    shared = int(list_batches(engine)["id"].max())
    store_file(engine, activities_xlsx(tmp_path, "qs.xlsx", "青山区", [5]), filename="qs.xlsx",
               actor=accounts.get_user(engine, "zhang"))
    own = int(list_batches(engine)["id"].max())
    at.file_uploader(key="upload_files").set_value(None).run()
    history = history_frame(at)
    assert history[["批次号", "撤销"]].values.tolist() == [[own, "可撤销"], [shared, "无权撤销"]]
    pick(at, shared)
    assert texts(at.info)[-1] == "您（填报员 zhang）无权撤销 临江区 的数据。"
    assert not rollback_offered(at)
    # its own batch it may undo; forced by its number, the other district's is refused
    pick(at, own)
    assert at.button(key="rollback_submit").label == f"撤销批次 #{own}"
    from analytics.errors import PermissionDenied
    from analytics.store.batches import rollback_batch
    for batch in (other_batch, shared):
        with pytest.raises(PermissionDenied, match="您（填报员 zhang）无权撤销 临江区 的数据"):
            rollback_batch(engine, batch, actor=accounts.get_user(engine, "zhang"))
    assert participants(engine, "临江区") == 33
    assert list_batches(engine)["status"].tolist() == ["active"] * 4


def test_viewer_gets_no_upload(engine):
    add_user(engine, "li", "viewer")
    at = upload_page("li")
    assert not at.exception
    assert "无权使用此功能" in at.error[0].value
    assert len(at.file_uploader) == 0


def test_templates_offered_for_every_kind(engine):
    add_user(engine, "boss", "admin")
    at = upload_page("boss")
    keys = {b.key for b in at.get("download_button")}
    assert keys >= {"template_activities", "template_study", "template_volunteer", "template_targets"}


# --- in a real browser ---------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.slow
def test_upload_in_headless_chromium(tmp_path, monkeypatch):
    """Log in through the real form as a filler, upload a workbook, store its valid rows."""
    from pathlib import Path
    if not Path(CHROMIUM).exists():
        pytest.skip("需要 Debian 的 /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    engine = app_env(monkeypatch, tmp_path)
    add_user(engine, "zhang", "filler", ["青山区"])
    path = tmp_path / "青山区_2026-03.xlsx"
    path.write_bytes(activities_xlsx(tmp_path, "src.xlsx", "青山区", [100, "abc", 50]))
    with running_app(tmp_path, str(engine.url)) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(base)
        page.get_by_label("用户名").fill("zhang")
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.locator("[data-testid=stSidebar]").get_by_text("数据上传", exact=True).click()
        page.locator("h1", has_text="数据上传").wait_for(timeout=60_000)
        page.locator("input[type=file]").set_input_files(str(path))
        page.get_by_text("以下 1 行未通过检查").wait_for(timeout=60_000)
        assert page.locator("[data-testid=stException]").count() == 0
        # the one table of what the file adds, replaces and is refused, before storing
        page.get_by_text("导入将如何处理各单位、各月份").wait_for(timeout=60_000)
        page.get_by_text("仅导入有效行").click()
        page.get_by_role("button", name="确认导入").click()
        page.get_by_text("已导入活动台账 2 行").wait_for(timeout=60_000)
        page.screenshot(path=str(tmp_path / "upload.png"))
        assert participants(engine, "青山区") == 150
        assert list_batches(engine).loc[0, "username"] == "zhang"
        # undo it from its row of 导入记录: the box picks the row, the preview, then confirm
        batch = int(list_batches(engine).loc[0, "id"])
        history = page.locator("[class*=st-key-batches_table_]").first
        history.scroll_into_view_if_needed()
        assert page.get_by_role("button", name=f"撤销批次 #{batch}").count() == 0
        box = history.bounding_box()
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)     # the first row's box
        page.get_by_text(f"撤销批次 #{batch} 将移除 活动台账 青山区 2026-03 的 2 行数据").wait_for(
            timeout=60_000)
        assert page.get_by_role("button", name=f"撤销批次 #{batch}").is_disabled()
        page.get_by_text("确认撤销", exact=True).click()
        page.get_by_role("button", name=f"撤销批次 #{batch}").click()
        page.get_by_text(f"已撤销批次 #{batch}。").wait_for(timeout=60_000)
        assert page.locator("[data-testid=stException]").count() == 0
        browser.close()
    assert participants(engine, "青山区") == 0
    assert list_batches(engine).loc[0, "status"] == "rolled_back"


def test_district_and_month_given_at_upload_fill_missing_columns(engine, tmp_path):
    from tests.workbooks import csv_bytes

    add_user(engine, "zhang", "filler", ["青山区"])
    at = upload_page("zhang")
    assert at.selectbox(key="upload_district").options == ["青山区"]
    content = csv_bytes([["单位", "团员数", "参学人数"], ["一中团委", "200", "190"],
                         ["二中团委", "100", "95"]], encoding="gbk")
    at.selectbox(key="upload_district").set_value("青山区")
    at.text_input(key="upload_month").input("2026年3月")
    at.file_uploader(key="upload_files").set_value(("青年大学习.csv", content, "text/csv")).run()
    assert not at.exception
    assert not issue_rows(at)
    submit(at)
    assert texts(at.success) == ["青年大学习.csv：已导入青年大学习 2 行（批次 #2）"]
    study = load_frames(engine, years=[2026])["study"]
    assert study[["district", "month", "members", "learners"]].values.tolist() == [
        ["青山区", "2026-03", 200, 190], ["青山区", "2026-03", 100, 95]]


def unit_xlsx(tmp_path, name: str, units: list[str], per: int = 10) -> bytes:
    rows = [HEADER] + [[i, "2026-03-05", "青山区", unit, f"活动{i}", "志愿服务", 1, per * i]
                       for i, unit in enumerate(units, start=1)]
    return write_xlsx(tmp_path / name, {"活动台账": Sheet(rows)}).read_bytes()


def test_unit_account_is_refused_for_another_unit_on_the_page(engine, tmp_path):
    accounts.create_user(engine, access.SYSTEM, "dg", PASSWORD, "filler",
                         units=[("青山区", "东关街道团工委")], must_change_password=False)
    store_file(engine, unit_xlsx(tmp_path, "old.xlsx", ["东关街道团工委", "西关街道团工委"]),
               filename="old.xlsx", actor=access.SYSTEM)
    at = upload_page("dg")
    assert not at.exception
    upload(at, "青山区_3月.xlsx", unit_xlsx(tmp_path, "mixed.xlsx",
                                          ["东关街道团工委", "西关街道团工委"], per=7))
    assert not at.exception
    plan = [df.value for df in at.dataframe if "处理" in df.value.columns][0]
    assert plan[["单位", "处理"]].values.tolist() == [
        ["西关街道团工委", "无权导入，不导入"], ["东关街道团工委", "替换（现为批次 #2）"]]
    assert texts(at.error) == ["您（填报员 dg）无权导入 青山区 西关街道团工委 的数据，这些行不会导入。"]
    assert at.warning[0].value.endswith("青山区 2026-03 东关街道团工委 的活动台账已导入（批次 #2）")
    at.checkbox(key="confirm_replace").check()
    submit(at)
    assert "其中无权导入 青山区 西关街道团工委 的数据" in at.error[0].value
    assert participants(engine, "青山区") == 30
    at.checkbox(key="skip_bad_rows").check()
    at.checkbox(key="confirm_replace").check()
    submit(at)
    assert texts(at.success) == ["青山区_3月.xlsx：已替换活动台账 1 行（批次 #3）"]
    frame = load_frames(engine, years=[2026])["activities"]
    # only 东关 was replaced (10 -> 7); 西关's stored 20 are untouched
    assert frame.groupby("unit")["participants"].sum().to_dict() == {"东关街道团工委": 7,
                                                                     "西关街道团工委": 20}
    # 报送情况 for the account's district: who reported each unit, in which batch
    table = [df.value for df in at.dataframe if "状态" in df.value.columns][0]
    assert table["单位"].tolist() == ["东关街道团工委", "西关街道团工委"]
    assert table["活动台账"].iloc[0].startswith("已报 #3（dg，")
    assert table["活动台账"].iloc[1].startswith("已报 #2（system，")


def test_preview_shows_rows_to_store_skipped_total_and_a_total_mismatch(engine, tmp_path):
    add_user(engine, "boss", "admin")
    at = upload_page("boss")
    rows = [["青山区2026年3月活动台账"], ["填报单位：团区委"], HEADER]
    for i, p in enumerate([100, "abc", 50], start=1):
        rows.append([i, f"2026-03-{i:02d}", "青山区", f"第{i}中学团委", f"活动{i}", "志愿服务", 1, p])
    rows.append(["合计", None, None, None, None, None, 3, 160])
    content = write_xlsx(tmp_path / "m.xlsx", {"活动台账": Sheet(rows)}).read_bytes()
    upload(at, "青山区_2026-03.xlsx", content)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["将导入的有效行"] == "2" and metrics["未通过检查的行"] == "1"
    assert "合计行已跳过（第 7 行），不计入统计。" in texts(at.caption)
    stored = [df.value for df in at.dataframe if "原表行号" in df.value.columns][0]
    assert stored[["原表行号", "单位", "参与人次"]].values.tolist() == [
        [4, "第1中学团委", 100], [6, "第3中学团委", 50]]
    # the refused row as Excel, its bad cell highlighted with the problem as a comment
    [button] = [b for b in at.get("download_button") if "未通过的行" in b.proto.label]
    assert button.proto.label == "下载未通过的行（Excel，问题单元格已标黄）"

    # all rows valid: the sheet's own 合计 line (160) against the sum of its rows (150)
    rows[4][7] = 0
    content = write_xlsx(tmp_path / "m2.xlsx", {"活动台账": Sheet(rows)}).read_bytes()
    upload(at, "青山区_2026-03b.xlsx", content)
    warnings = [df.value for df in at.dataframe if "问题" in df.value.columns][-1]
    assert any("合计行为 160，明细行之和为 150，两者不一致" in m for m in warnings["问题"])


def test_refused_rows_workbook_highlights_the_problem_cells(tmp_path):
    import io

    import openpyxl

    from analytics.ingest.check import check_file
    from analytics.present.admin_tables import refused_rows_workbook

    content = activities_xlsx(tmp_path, "bad.xlsx", "青山区", [100, "abc", 50])
    [sheet] = check_file(content, filename="bad.xlsx").tables
    book = openpyxl.load_workbook(io.BytesIO(refused_rows_workbook(sheet)))
    ws = book.active
    header = [c.value for c in ws[1]]
    assert header[0] == "原行号" and header[-1] == "问题" and "参与人次" in header
    row = [c for c in ws[2]]
    assert row[0].value == 5
    bad = row[header.index("参与人次")]
    assert bad.value == "abc" and bad.fill.fgColor.rgb.endswith("FFEB3B")
    assert "参与人次" in row[-1].value and bad.comment is not None
    assert not row[header.index("单位")].fill.fgColor.rgb.endswith("FFEB3B")


def test_a_fillers_only_district_is_preselected(engine):
    add_user(engine, "zhang", "filler", ["青山区"])
    at = upload_page("zhang")
    assert at.selectbox(key="upload_district").value == "青山区"
