"""What one upload may cost: the declared range over all sheets, ranges far bigger than their
data, the size of the answer the parent accepts, and a bounded pool of parsing workers."""
from __future__ import annotations

import threading

import openpyxl
import pytest

from analytics.errors import ParserBusy, UnreadableFile
from analytics.ingest import isolate
from analytics.ingest.check import check_file
from analytics.ingest.isolate import ChildParse
from analytics.ingest.sniff import Limits
from tests.workbooks import csv_bytes

HEADER = ["志愿者编号", "姓名", "区", "单位", "服务项目", "服务日期", "服务时长"]


def hostile_book(path, sheets=4):
    """The afternoon's file: 19 columns × 1,048,576 rows on each of four sheets, ~11 KB."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for i in range(sheets):
        ws = book.create_sheet(f"表{i + 1}")
        ws.append(HEADER)
        ws.append(["V1", "张三", "青山区", "一中", "助老", "2026-03-01", 2])
        ws.cell(row=1_048_576, column=19, value="x")
    book.save(path)
    return path


def dense_book(path, sheets: int, rows: int, cols: int):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for i in range(sheets):
        ws = book.create_sheet(f"表{i + 1}")
        for r in range(rows):
            ws.append([f"{r}-{c}" for c in range(cols)])
    book.save(path)
    return path


def test_the_hostile_workbook_is_refused_before_the_parser_allocates_its_range(tmp_path):
    path = hostile_book(tmp_path / "小文件.xlsx")
    assert path.stat().st_size < 20_000
    with pytest.raises(UnreadableFile, match=r"工作表的数据范围（约 1048576 行 × 19 列）远大于其中实际的数据"
                                             r"（约 \d+ 个单元格），疑似异常文件"):
        check_file(path)


def test_the_declared_range_counts_across_all_sheets(tmp_path):
    path = dense_book(tmp_path / "多表.xlsx", sheets=4, rows=30, cols=10)   # 300 cells each
    limits = Limits(max_cells=1_000)
    with pytest.raises(UnreadableFile, match="各工作表的数据范围合计过大（约 1,200 个单元格，上限 1,000）"):
        check_file(path, limits=limits)
    # one sheet of them is fine under the same limits
    one = dense_book(tmp_path / "一表.xlsx", sheets=1, rows=30, cols=10)
    with pytest.raises(Exception) as exc:
        check_file(one, limits=limits)
    assert "合计过大" not in str(exc.value)        # it gets as far as looking for a table


def test_the_parent_accepts_no_more_than_max_answer_bytes():
    rows = [["日期", "区", "单位", "活动名称", "活动类别", "场次", "参与人次"]] + \
        [["2026-03-01", "青山区", f"单位{i}", "宣讲", "理论宣讲", 1, 10] for i in range(2_000)]
    with pytest.raises(UnreadableFile, match="文件内容过多（解析结果超过 0 MB），请拆分后再上传"):
        check_file(csv_bytes(rows), filename="a.csv", limits=Limits(max_answer_bytes=1_000))


ONE_ROW = csv_bytes([["日期", "区", "单位", "活动名称", "活动类别", "场次", "参与人次"],
                     ["2026-03-01", "青山区", "一中", "宣讲", "理论宣讲", 1, 10]])


def _hanging(owner: str | None, limits: Limits) -> ChildParse:
    return ChildParse(ONE_ROW, "csv", limits=limits, hook="hang", owner=owner)


def test_a_full_pool_refuses_in_chinese_after_a_short_wait(monkeypatch):
    monkeypatch.setattr(isolate, "BUSY_WAIT_S", 0.5)
    limits = Limits(max_parallel=2, max_per_user=1)
    first = _hanging("zhang", limits)
    try:
        with pytest.raises(ParserBusy, match=r"^正在处理其他文件，请稍后再试（您上传的另一个文件还在处理中）$"):
            check_file(ONE_ROW, filename="b.csv", limits=limits, owner="zhang")
        second = _hanging("li", limits)
        try:
            with pytest.raises(ParserBusy, match=r"^正在处理其他文件，请稍后再试（服务器正在处理其他人上传的文件）$"):
                check_file(ONE_ROW, filename="c.csv", limits=limits, owner="wang")
        finally:
            second.close()
        assert check_file(ONE_ROW, filename="d.csv", limits=limits, owner="wang").tables
    finally:
        first.close()
    assert isolate.POOL.running == 0
    assert check_file(ONE_ROW, filename="e.csv", limits=limits, owner="zhang").tables


def test_an_upload_waits_for_a_slot_other_peoples_files_hold(monkeypatch):
    """At month's end uploads queue briefly instead of being sent back to try again."""
    monkeypatch.setattr(isolate, "BUSY_WAIT_S", 60.0)       # a bound; the slot frees long before
    limits = Limits(max_parallel=1, max_per_user=1)
    other = _hanging("li", limits)
    freed = threading.Timer(0.5, other.close)
    freed.start()
    try:
        assert check_file(ONE_ROW, filename="d.csv", limits=limits, owner="wang").tables
    finally:
        freed.cancel()
        other.close()
    assert isolate.POOL.running == 0


def test_a_refused_or_failed_parse_frees_its_slot():
    limits = Limits(max_parallel=1)
    for _ in range(3):
        with pytest.raises(UnreadableFile):
            check_file(b"\x00\x01binary", filename="x.csv", limits=limits, owner="zhang")
        with pytest.raises(UnreadableFile, match="处理超时"):
            ChildParse(ONE_ROW, "csv", limits=Limits(max_parallel=1, timeout_s=0.5),
                       hook="hang", owner="zhang").result()
    assert isolate.POOL.running == 0


@pytest.mark.slow
def test_the_upload_page_says_the_pool_is_full(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    from tests.admin_pages_helpers import ROOT, add_user, app_env, login_as

    engine = app_env(monkeypatch, tmp_path)
    add_user(engine, "boss", "admin")
    at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=60)
    login_as(at, "boss")
    at.run()
    busy = _hanging("boss", Limits())          # boss's other upload, still parsing
    try:
        at.file_uploader(key="upload_files").set_value(("三月.csv", ONE_ROW, "text/csv")).run()
    finally:
        busy.close()
    assert not at.exception
    assert "正在处理其他文件，请稍后再试（您上传的另一个文件还在处理中）" in [e.value for e in at.error]
