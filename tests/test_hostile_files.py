"""Hostile and broken files: one Chinese message, exit 2, never a crash of this process."""
import io
import re
import json
import subprocess
import sys
import zipfile

import pytest

from analytics.errors import NoTable, UnreadableFile
from analytics.ingest.sniff import Limits, sniff_format
from analytics.ingest.isolate import ChildParse
from analytics.ingest.check import check_file
from tests.workbooks import VOLUNTEER_SHEET, csv_bytes, macro_xlsx, patched_xlsx, write_xlsx

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def refused(source, match, **kw):
    with pytest.raises(UnreadableFile, match=match) as info:
        check_file(source, **kw)
    assert info.value.exit_code == 2
    return str(info.value)


def test_png_renamed_xlsx(tmp_path):
    path = tmp_path / "报表.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    refused(path, "不是 Excel 或 CSV 文件（实际是PNG 图片）")


def test_truncated_xlsx(tmp_path):
    whole = write_xlsx(tmp_path / "whole.xlsx", {"S": VOLUNTEER_SHEET.rows}).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    refused(path, "文件已损坏或不完整")


def test_corrupt_sheet_inside_a_valid_zip(tmp_path):
    path = patched_xlsx(tmp_path / "bad.xlsx", lambda xml: xml[: len(xml) // 2])
    refused(path, "损坏|无法解析")


def test_encrypted_workbook(tmp_path):
    # what Excel writes for a password-protected .xlsx: an OLE2 container with these streams
    body = OLE2 + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64 + \
        "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512
    path = tmp_path / "加密.xlsx"
    path.write_bytes(body)
    assert refused(path, "加密") == "文件已加密，请取消密码后再上传"


def test_macro_workbooks_are_refused(tmp_path):
    refused(macro_xlsx(tmp_path / "宏.xlsm"), "不接受含宏的文件")
    xls_with_vba = OLE2 + b"\x00" * 504 + "_VBA_PROJECT_CUR".encode("utf-16-le") + b"\x00" * 512
    refused(xls_with_vba, "不接受含宏的文件")


def test_macro_content_type_without_vba_part(tmp_path):
    src = write_xlsx(io.BytesIO(), {"S": [["a"]]}).getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
            zout.writestr(item, data)
    refused(out.getvalue(), "不接受含宏的文件")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    refused(path, "文件为空")


def test_empty_workbook_has_no_table(tmp_path):
    with pytest.raises(NoTable) as info:
        check_file(write_xlsx(tmp_path / "e.xlsx", {"Sheet1": []}))
    assert info.value.exit_code == 2


def test_workbook_without_recognisable_table(tmp_path):
    with pytest.raises(NoTable, match="没有找到可识别的表格.*活动台账须含“活动名称”“活动类别”“参与人次”"):
        check_file(write_xlsx(tmp_path / "x.xlsx", {"S": [["姓名", "电话"], ["张三", "123"]]}))


def test_oversized_file_refused_by_limit(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes([["日期", "活动名称"]] * 2000))
    refused(path, r"文件过大（0\.0 MB），上限为 0 MB", limits=Limits(max_bytes=1000))


def test_zip_declaring_huge_uncompressed_size_refused_before_parsing(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", b"<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (3 * 1024 * 1024))
    with pytest.raises(UnreadableFile, match="解压后超过 2 MB"):
        sniff_format(out.getvalue(), Limits(max_unpacked=2 * 1024 * 1024))


@pytest.mark.parametrize("edit", [
    lambda xml: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', xml),
    lambda xml: xml.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'),
    lambda xml: xml.replace(b"</sheetData>", b'<row r="1000"><c r="ZZZ1000"><v>1</v></c></row></sheetData>'),
], ids=["dimension", "far-cell", "wide-cell"])
def test_absurd_sheet_range_refused_before_parsing(tmp_path, edit):
    refused(patched_xlsx(tmp_path / "absurd.xlsx", edit), "数据范围过大.*疑似异常文件",
            limits=Limits(max_cells=5_000_000))


def test_real_native_crash_in_child_is_reported_cleanly(tmp_path):
    # with the range check switched off, python-calamine aborts on this file: only the child dies
    path = patched_xlsx(tmp_path / "abort.xlsx", lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'))
    refused(path, "文件无法解析", limits=Limits(max_cells=10**12, min_density=0,
                                          memory_bytes=1024 * 1024 * 1024))


@pytest.mark.parametrize("hook, limits, match", [
    ("abort", Limits(), "文件无法解析"),
    ("hang", Limits(timeout_s=1), "处理超时"),
    ("balloon", Limits(memory_bytes=512 * 1024 * 1024), "超出内存限制"),
])
def test_child_misbehaviour_becomes_unreadable_file(hook, limits, match):
    with pytest.raises(UnreadableFile, match=match):
        ChildParse(csv_bytes([["a"]]), "csv", limits=limits, hook=hook).result()


@pytest.mark.parametrize("body, match", [
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "网页或 XML 格式"),
    (b"PK\x03\x04" + b"\x00" * 100, "已损坏"),
    (b"\x00\x01\x02binary", "无法识别的文件类型"),
])
def test_other_non_spreadsheets(body, match):
    refused(body, match)


@pytest.mark.subprocess
def test_cli_prints_one_message_and_no_traceback(tmp_path):
    path = tmp_path / "p.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    run = subprocess.run([sys.executable, "-m", "analytics", "check", str(path), "--json"],
                         capture_output=True, text=True)
    message = "这不是 Excel 或 CSV 文件（实际是PNG 图片），请上传 .xlsx、.xls 或 .csv 表格"
    assert run.returncode == 2, run.stderr
    assert json.loads(run.stdout) == {"file": str(path), "error": message}   # --json: one object always
    assert run.stderr.strip() == f"错误：{message}"


def _xls_with_filepass(tmp_path):
    """An .xls whose globals carry a FILEPASS record, as Excel/WPS write for a password."""
    import struct
    from tests.workbooks import write_xls
    data = bytearray(write_xls(tmp_path / "v.xls", {"S": VOLUNTEER_SHEET.rows}).read_bytes())
    at = data.find(struct.pack("<HH", 0x005C, 0x0070))     # WRITEACCESS, 112 bytes
    data[at:at + 6] = struct.pack("<HHH", 0x002F, 0x0070, 1)   # -> FILEPASS, RC4
    return bytes(data)


def test_encrypted_legacy_xls_says_encrypted_not_corrupt(tmp_path):
    assert refused(_xls_with_filepass(tmp_path), "加密") == "文件已加密，请取消密码后再上传"


def test_absurd_range_with_single_quoted_attributes_is_refused_by_the_range_check(tmp_path):
    path = patched_xlsx(tmp_path / "sq.xlsx", lambda xml: xml.replace(
        b"</sheetData>", b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row></sheetData>"))
    refused(path, "数据范围过大", limits=Limits(max_cells=5_000_000))


def _patch_zip_headers(data: bytes, edit) -> bytes:
    """Apply `edit(buffer, offset_of_flags, offset_of_method)` to every local and central header."""
    out = bytearray(data)
    for sig, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = out.find(sig)
        while at >= 0:
            edit(out, at + flags, at + flags + 2)
            at = out.find(sig, at + 4)
    return bytes(out)


def test_zip_level_password_or_unknown_compression_is_a_clean_refusal(tmp_path):
    import struct
    whole = write_xlsx(tmp_path / "w.xlsx", {"S": VOLUNTEER_SHEET.rows}).read_bytes()
    locked = _patch_zip_headers(whole, lambda b, f, m: struct.pack_into("<H", b, f, b[f] | 1))
    method99 = _patch_zip_headers(whole, lambda b, f, m: struct.pack_into("<H", b, m, 99))
    assert refused(locked, "加密") == "文件已加密，请取消密码后再上传"
    refused(method99, "文件已损坏")


def test_sheet_whose_declared_size_lies_is_reported_as_corrupt(tmp_path):
    import struct
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(write_xlsx(tmp_path / "w.xlsx", {"S": VOLUNTEER_SHEET.rows})
                                    .read_bytes())) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in zin.infolist():
            body = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</sheetData>", b" " * 3_000_000 + b"</sheetData>")
                real = len(body)
            z.writestr(item.filename, body)
    forged = out.getvalue().replace(struct.pack("<I", real), struct.pack("<I", 1000))
    refused(forged, "文件已损坏或不完整")
