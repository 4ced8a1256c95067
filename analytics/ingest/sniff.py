"""Hostile-file guards on the raw bytes, before anything is parsed.

Size, type by magic bytes (never by file name), zip directory sizes and
flags, macros, encryption, and a streaming look at each sheet's declared
range: what must not be parsed is refused here with one Chinese message.
No pandas: the parsing child imports this too and must start quickly.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from io import BytesIO

from analytics.errors import UnreadableFile


MB = 1024 * 1024

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
BINARY_MAGICS = {
    b"\x89PNG": "PNG 图片", b"\xff\xd8\xff": "JPEG 图片", b"GIF8": "GIF 图片",
    b"%PDF": "PDF 文档", b"BM": "BMP 图片", b"Rar!": "RAR 压缩包", b"7z\xbc\xaf": "7z 压缩包",
    b"\x1f\x8b": "gzip 压缩包",
}
MSG_ENCRYPTED = "文件已加密，请取消密码后再上传"
MSG_MACRO = "不接受含宏的文件（.xlsm 或含 VBA 宏），请另存为 .xlsx 后再上传"
MSG_CORRUPT = "文件已损坏或不完整，无法读取；请用 Excel 打开后重新保存再上传"


@dataclass(frozen=True)
class Limits:
    """How much one upload may cost. Defaults suit the dashboard server."""

    max_bytes: int = 200 * MB           # size of the uploaded file
    max_unpacked: int = 200 * MB        # declared uncompressed size of a zip (xlsx)
    max_cells: int = 20_000_000         # rows x columns all sheets together may declare
    memory_bytes: int = 2048 * MB       # address-space limit of the parsing child
    timeout_s: float = 120.0            # wall time of the parsing child
    max_answer_bytes: int = 256 * MB    # what the parent accepts back from the child
    sparse_cells: int = 1_000_000       # a range this big must be filled at least…
    min_density: float = 0.05           # …this much (a forged far cell makes it 0.00001%)
    max_parallel: int = 2               # parsing children running at once (server-wide)
    max_per_user: int = 1               # of which one user's


def sniff_format(data: bytes, limits: Limits = Limits()) -> str:
    """The file's real type from its bytes: "xlsx", "xlsb", "ods", "xls" or "csv".

    Raises `UnreadableFile` for empty, oversized, encrypted, macro-enabled,
    corrupt and non-spreadsheet files — before anything parses them.
    """
    if not data:
        raise UnreadableFile("文件为空，请选择填好数据的表格文件")
    if len(data) > limits.max_bytes:
        raise UnreadableFile(too_big_message(len(data), limits))
    head = data[:8]
    if head.startswith(ZIP_MAGICS):
        return _inspect_zip(data, limits)
    if head == OLE2_MAGIC:
        return _inspect_ole(data)
    for magic, what in BINARY_MAGICS.items():
        if head.startswith(magic):
            raise UnreadableFile(f"这不是 Excel 或 CSV 文件（实际是{what}），请上传 .xlsx、.xls 或 .csv 表格")
    sample = data[:4096]
    if sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith((b"<html", b"<!doctype", b"<?xml", b"<table")):
        raise UnreadableFile("这不是真正的 Excel 文件（是网页或 XML 格式），请用 Excel 打开后另存为 .xlsx 再上传")
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile("无法识别的文件类型，请上传 .xlsx、.xls 或 .csv 表格")
    return "csv"


def too_big_message(size: int, limits: Limits) -> str:
    return (f"文件过大（{size / MB:.1f} MB），上限为 {limits.max_bytes / MB:.0f} MB；"
            "请拆分后上传")


def _inspect_zip(data: bytes, limits: Limits) -> str:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError, OSError):
        raise UnreadableFile(MSG_CORRUPT) from None
    names = {info.filename for info in infos}
    if sum(info.file_size for info in infos) > limits.max_unpacked:
        raise UnreadableFile(
            f"文件解压后超过 {limits.max_unpacked / MB:.0f} MB，疑似异常文件，已拒绝")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise UnreadableFile(MSG_MACRO)
    if any(info.flag_bits & 0x1 for info in infos):
        raise UnreadableFile(MSG_ENCRYPTED)    # zip-level password: not how Excel encrypts, still refused
    if "[Content_Types].xml" in names:
        try:
            types = archive.read("[Content_Types].xml")
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error, NotImplementedError):
            raise UnreadableFile(MSG_CORRUPT) from None
        if b"macroenabled" in types.lower():
            raise UnreadableFile(MSG_MACRO)
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "content.xml" in names and "mimetype" in names:
        return "ods"
    raise UnreadableFile("这不是 Excel 文件（压缩包中没有工作簿），请上传 .xlsx、.xls 或 .csv 表格")


def _inspect_ole(data: bytes) -> str:
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        raise UnreadableFile(MSG_ENCRYPTED)
    if "_VBA_PROJECT".encode("utf-16-le") in data:
        raise UnreadableFile(MSG_MACRO)
    return "xls"


# --- sheet ranges (run in the child, before the parser) ------------------------

# XML allows either quote around an attribute; the parser accepts both, so must these
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref\s*=\s*["\']\$?([A-Z]+)\$?(\d+)'
                        rb'(?::\$?([A-Z]+)\$?(\d+))?["\']')
# cell references past column Z or row 99,999: rare in real sheets, so one cheap pass finds them
# (a bare literal start keeps the scan fast; the byte before `r=` is checked per hit)
_FAR_CELL = re.compile(rb'r=["\']((?:[A-Z]{2,})(\d+)|(?:[A-Z])(\d{6,}))["\']')
_ROW = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br\s*=\s*["\'](\d+)["\']')
_CHUNK = 4 * MB


def column_number(letters: bytes | str) -> int:
    """`A` -> 1, `Z` -> 26, `AA` -> 27, `XFD` -> 16384."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def check_sheet_ranges(data: bytes, limits: Limits) -> set[str]:
    """Refuse an xlsx whose sheet declares or uses an absurd range.

    Streams each sheet's XML once: the `<dimension ref>` and the extreme
    cell references (wide columns, rows past 99,999, the last row) bound
    what the parser would allocate. Returns the sheet parts that hold a
    formula (so `parse` looks for uncached ones there only, without a
    second pass over big sheets).
    """
    with_formulas: set[str] = set()
    total = 0
    with zipfile.ZipFile(BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                try:
                    rows, cols, present, formulas = _sheet_extent(archive, name)
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
                        NotImplementedError, RuntimeError):
                    # a bad CRC, a size that lies, a broken deflate stream: damaged or forged
                    raise UnreadableFile(MSG_CORRUPT) from None
                cells = rows * cols
                total += cells
                if cells > limits.max_cells:
                    raise UnreadableFile(
                        f"工作表数据范围过大（约 {rows} 行 × {cols} 列），疑似异常文件；"
                        "请把数据复制到新工作簿另存后再上传")
                if formulas:
                    with_formulas.add(name)
                if cells > limits.sparse_cells and present < cells * limits.min_density:
                    # the parser allocates the whole range, however empty
                    raise UnreadableFile(
                        f"工作表的数据范围（约 {rows} 行 × {cols} 列）远大于其中实际的数据"
                        f"（约 {present} 个单元格），疑似异常文件；请把数据复制到新工作簿另存后再上传")
                if total > limits.max_cells:
                    raise UnreadableFile(
                        f"各工作表的数据范围合计过大（约 {total:,} 个单元格，上限 {limits.max_cells:,}），"
                        "疑似异常文件；请删去多余的工作表或拆分文件后再上传")
    return with_formulas


_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")
_ROOT_PREFIX = re.compile(rb"<(\w+:)?worksheet[\s>]")


def _cell_tags(chunk: bytes, prefix: bytes) -> int:
    """How many `<c>` elements start in `chunk` (plain or with the root's namespace prefix).

    `bytes.count` of the usual `<c ` and `<c>` is several times faster than
    the regex over a 50 MB sheet (cell text cannot hold a `<`: XML escapes
    it); a chunk where neither occurs is counted by the regex (other
    whitespace after `c`).
    """
    n = chunk.count(b"<c ") + chunk.count(b"<c>")
    if prefix:
        n += chunk.count(b"<" + prefix + b"c ") + chunk.count(b"<" + prefix + b"c>")
    return n or len(_CELL_TAG.findall(chunk))


def _sheet_extent(archive: zipfile.ZipFile, name: str) -> tuple[int, int, int, bool]:
    """(rows, columns, cells present, holds a formula) of one sheet's XML."""
    max_row = max_col = present = 0
    formulas = False
    last_row = 0
    tail = b""
    with archive.open(name) as stream:
        first = True
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            text = tail + chunk
            formulas = formulas or b"<f" in text
            if first:
                first = False
                root = _ROOT_PREFIX.search(text)
                prefix = root[1] or b"" if root else b""
                m = _DIMENSION.search(text)
                if m:
                    col = max(column_number(m[1]), column_number(m[3] or m[1]))
                    row = max(int(m[2]), int(m[4] or m[2]))
                    max_row, max_col = max(max_row, row), max(max_col, col)
            present += _cell_tags(chunk, prefix)
            for m in _FAR_CELL.finditer(text):
                if m.start() == 0 or text[m.start() - 1] not in b" \t\r\n":
                    continue
                ref = m[1]
                letters = ref.rstrip(b"0123456789")
                max_col = max(max_col, column_number(letters))
                max_row = max(max_row, int(ref[len(letters):]))
            cut = text.rfind(b"<row ")
            if cut >= 0:
                m = _ROW.match(text, cut)
                if m:
                    last_row = max(last_row, int(m[1]))
            tail = text[-256:]
    return max(max_row, last_row, 1), max_col or 26, present, formulas
