"""Reading xlsx, xls and csv (encodings detected), every sheet, type from the bytes."""
import datetime as dt

import pytest

from analytics.errors import NoTable, UnreadableFile
from analytics.ingest.parse import decode_text, read_csv_rows
from analytics.ingest.reader import read_workbook
from tests.workbooks import Sheet, csv_bytes, write_xls, write_xlsx

ROWS = [["日期", "活动名称", "参与人次"], ["2026-03-05", "团课", "35"]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings_are_detected(encoding):
    rows = read_csv_rows(csv_bytes(ROWS, encoding))
    assert rows == ROWS


def test_tab_separated_text_is_read():
    assert read_csv_rows(csv_bytes(ROWS, "utf-8", delimiter="\t")) == ROWS


def test_undecodable_csv_is_refused():
    with pytest.raises(UnreadableFile, match="编码"):
        decode_text(b"\xff\xfa\xfb\x81\x30" * 3 + b"\x80")


def test_every_sheet_of_an_xlsx_is_read_with_excel_row_numbers(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", {
        "说明": [["填表说明"]],
        "活动": Sheet([[], [], ["日期", "参与人次"], [dt.date(2026, 3, 5), 35]]),
    })
    sheets = read_workbook(path)
    assert [s.name for s in sheets] == ["说明", "活动"]
    activity = sheets[1]
    assert activity.first_row == 3
    assert activity.rows == [["日期", "参与人次"], [dt.date(2026, 3, 5), 35.0]]


def test_legacy_xls_is_read(tmp_path):
    path = write_xls(tmp_path / "old.xls", {"表1": [["标题"], ["日期", "参与人次"], [dt.date(2026, 3, 5), 35]]})
    sheets = read_workbook(path)
    assert sheets[0].name == "表1"
    assert sheets[0].rows[1:] == [["日期", "参与人次"], [dt.datetime(2026, 3, 5), 35]] or \
        sheets[0].rows[1:] == [["日期", "参与人次"], [dt.date(2026, 3, 5), 35]]


def test_type_comes_from_bytes_not_the_name(tmp_path):
    xlsx = write_xlsx(tmp_path / "real.xlsx", {"S": ROWS})
    renamed = tmp_path / "looks_like.csv"
    renamed.write_bytes(xlsx.read_bytes())
    assert read_workbook(renamed)[0].name == "S"
    csv_named_xlsx = tmp_path / "really_csv.xlsx"
    csv_named_xlsx.write_bytes(csv_bytes(ROWS, "gbk"))
    sheet = read_workbook(csv_named_xlsx)[0]
    assert sheet.name == "really_csv" and sheet.rows == ROWS


def test_bytes_are_accepted_and_the_filename_names_a_csv_sheet():
    sheets = read_workbook(csv_bytes(ROWS), filename="三月.csv")
    assert sheets[0].name == "三月"


def test_in_process_and_isolated_reads_agree(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", {"S": ROWS})
    assert read_workbook(path, isolate=False) == read_workbook(path)


def test_workbook_with_only_empty_sheets_has_no_table(tmp_path):
    path = write_xlsx(tmp_path / "empty.xlsx", {"Sheet1": [], "Sheet2": []})
    with pytest.raises(NoTable, match="没有任何数据"):
        read_workbook(path)


def test_missing_file_is_unreadable(tmp_path):
    with pytest.raises(UnreadableFile, match="找不到文件"):
        read_workbook(tmp_path / "nope.xlsx")


def test_a_table_starting_below_and_right_of_a1_keeps_its_rows_and_columns(tmp_path):
    """The parser's row iterator starts at row 1; the used range here starts at C3."""
    path = write_xlsx(tmp_path / "offset.xlsx", {"S": [[None] * 4, [None] * 4,
                                                       [None, None, "日期", "活动名称"],
                                                       [None, None, "2026-03-05", "团课"]]})
    sheet = read_workbook(path)[0]
    assert (sheet.first_row, sheet.rows) == (3, [["日期", "活动名称"], ["2026-03-05", "团课"]])


def test_true_1_and_1_0_in_one_column_stay_apart_across_read_slices(tmp_path, monkeypatch):
    """Equal cells share one object on the way from the parser; True == 1 == 1.0 as keys,
    so a column holding more than one of them is not shared (in or across slices)."""
    from analytics.ingest import parse

    monkeypatch.setattr(parse, "_ROWS_PER_SLICE", 2)
    cells = [1.5, 1.0, True, 1.0, False, True, "1"]
    path = write_xlsx(tmp_path / "types.xlsx", {"S": [["数值"], *[[c] for c in cells]]})
    read = parse.parse_raw(path.read_bytes(), "xlsx")[0]
    for sheet in (read, parse.RawSheet.unpack(read.pack())):      # as read, and after the trip
        got = sheet.columns[0][1:]
        assert [(type(c), c) for c in got] == [(type(c), c) for c in cells]
