"""Parsing spreadsheet bytes into raw sheets: columns of cells, nothing interpreted.

`.xlsx`, `.xls`, `.xlsb`, `.ods` go through python-calamine; `.csv` is
decoded (UTF-8 with or without BOM, UTF-16, GBK/GB18030 — detected, not
assumed). This runs inside the child process (`isolate`), so it must not
import pandas.
"""
from __future__ import annotations

import csv
import io
import pickle
import re
from array import array
from itertools import islice
from dataclasses import dataclass, field

from analytics.errors import UnreadableFile
from analytics.ingest.sniff import (
    MSG_CORRUPT, MSG_ENCRYPTED,
)


CSV_ENCODINGS = ("utf-8", "gb18030")
_SEP = "\x00"


@dataclass
class RawSheet:
    """One sheet as read, column by column: `columns[j][i]` is at Excel row `first_row + i`.

    Column-major because validation works on whole columns and because
    columns of like cells cross the process boundary (pickle) much faster
    than rows do. All columns have the same length; short rows are padded "".
    """

    name: str
    columns: list[list] = field(default_factory=list)
    first_row: int = 1
    # merged ranges as (first row, first column, last row, last column), 0-based into `columns`
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    @classmethod
    def from_rows(cls, name: str, rows: list[list], first_row: int = 1) -> RawSheet:
        width = max(map(len, rows), default=0)
        if any(len(r) != width for r in rows):
            rows = [list(r) + [""] * (width - len(r)) for r in rows]
        return cls(name, [list(col) for col in zip(*rows)], first_row)

    def pack(self) -> tuple:
        """A form that pickles fast and small: per column its distinct cells (text-only ones
        joined) and one 32-bit code per cell.

        Sheets repeat themselves (one 区, a few hundred 单位, a dozen 时长):
        the parent then holds each distinct cell once, not once per row.
        """
        packed = []
        for col in self.columns:
            codes, uniques = _encode(col)
            if all(c.__class__ is str for c in uniques) and not any(_SEP in c for c in uniques):
                packed.append(("s", _SEP.join(uniques), len(uniques), codes.tobytes()))
            else:
                packed.append(("p", pickle.dumps(uniques, protocol=pickle.HIGHEST_PROTOCOL),
                               len(uniques), codes.tobytes()))
        return (self.name, self.first_row, self.height, packed, self.merges)

    @classmethod
    def unpack(cls, packed: tuple) -> RawSheet:
        """The sheet `pack` sent; equal cells of a column share one object."""
        import numpy as np

        name, first_row, height, columns, merges = packed
        out = []
        for how, body, count, codes in columns:
            found = (body.split(_SEP) if count else []) if how == "s" else pickle.loads(body)
            uniques = np.empty(len(found), dtype=object)
            uniques[:] = found
            out.append(uniques[np.frombuffer(codes, dtype=np.intc)].tolist() if height else [])
        return cls(name, out, first_row, merges)

    def fill_merged_down(self) -> None:
        """A vertically merged cell's value in every row it spans (单位 merged over its activities).

        Only the block's first column is filled: a merge across columns is a
        group or title cell, whose place is its first column (`header_cell`
        spreads it across for headers).
        """
        height = self.height
        for r1, c1, r2, _c2 in self.merges:
            if r2 <= r1 or c1 >= len(self.columns) or r1 >= height:
                continue
            col = self.columns[c1]
            value = col[r1]
            for r in range(r1 + 1, min(r2, height - 1) + 1):
                col[r] = value

    def header_cell(self, row: int, col: int) -> object:
        """The cell at (row, col), or the first cell of the merged range that covers it."""
        for r1, c1, r2, c2 in self.merges:
            if r1 <= row <= r2 and c1 <= col <= c2:
                row, col = r1, c1
                break
        if col >= len(self.columns) or row >= self.height:
            return ""
        return self.columns[col][row]

    @property
    def height(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def head(self, n: int) -> list[list]:
        """The first `n` rows (where headers are looked for)."""
        return [list(cells) for cells in zip(*(col[:n] for col in self.columns))]

    @property
    def rows(self) -> list[list]:
        """All rows (for tests and small sheets; validation uses `columns`)."""
        return self.head(self.height)


def _encode(col) -> tuple[array, list]:
    """(codes, distinct cells) of one column, in first-seen order."""
    if _numbers_mixed(col):
        return _encode_by_type(col)
    uniques = list(dict.fromkeys(col))
    position = {cell: k for k, cell in enumerate(uniques)}
    return array("i", map(position.__getitem__, col)), uniques


_NUMBER_TYPES = frozenset({bool, int, float})


def _numbers_mixed(cells) -> bool:
    """True where True, 1 and 1.0 (equal as dict keys) could meet in one column."""
    return len(_NUMBER_TYPES.intersection(map(type, cells))) > 1


def _encode_by_type(col) -> tuple[array, list]:
    """`_encode` keeping True, 1 and 1.0 apart (keyed by type too): the slow path."""
    seen: dict[tuple, int] = {}
    uniques: list = []
    codes = array("i")
    for cell in col:
        key = (cell.__class__, cell)
        code = seen.get(key)
        if code is None:
            code = seen[key] = len(uniques)
            uniques.append(cell)
        codes.append(code)
    return codes, uniques


def parse_raw_packed(data: bytes, fmt: str, *, name: str = "CSV",
                     formula_parts: set[str] | None = None) -> list[tuple]:
    """`parse_raw`, packed for the trip from the child (see `RawSheet.pack`)."""
    return [sheet.pack() for sheet in parse_raw(data, fmt, name=name, formula_parts=formula_parts)]


def parse_raw(data: bytes, fmt: str, *, name: str = "CSV",
              formula_parts: set[str] | None = None) -> list[RawSheet]:
    """Parse bytes already sniffed as `fmt`, in this process. Used by the child.

    `formula_parts`: the xlsx sheet parts known to hold formulas (from
    `sniff.check_sheet_ranges`); None looks in every sheet.
    """
    if fmt == "csv":
        rows = read_csv_rows(data)
        if b"=" in data:
            rows = [[FORMULA_WITHOUT_VALUE if _CSV_FORMULA.match(c) else c for c in row]
                    for row in rows]
        return [RawSheet.from_rows(name or "CSV", rows, 1)]
    return _read_calamine(data, fmt, formula_parts)


def _open_book(data: bytes, fmt: str):
    """The calamine workbook of `data`, already sniffed as `fmt`.

    From bytes calamine guesses the format by trying each parser, so an
    encrypted .xls (a FILEPASS record) comes back as "Cannot detect file
    format"; opened as a path with the right suffix, the .xls parser runs
    and says it is password protected.
    """
    import tempfile

    import python_calamine as pc

    try:
        return pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError:
        raise
    except pc.CalamineError:
        if fmt == "csv":
            raise
    with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as tmp:
        tmp.write(data)
        tmp.flush()
        return pc.CalamineWorkbook.from_path(tmp.name)


def _read_calamine(data: bytes, fmt: str = "xlsx",
                   formula_parts: set[str] | None = None) -> list[RawSheet]:
    import python_calamine as pc

    try:
        book = _open_book(data, fmt)
        uncached = uncached_formulas(data, formula_parts) \
            if fmt == "xlsx" and formula_parts != set() else \
            uncalculated_xls_formulas(data) if fmt == "xls" else \
            uncached_ods_formulas(data) if fmt == "ods" else {}
        sheets = []
        for meta in book.sheets_metadata:
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            start = sheet.start or (0, 0)
            raw = RawSheet(meta.name, _sheet_columns(sheet, start[0]), start[0] + 1)
            for r, c in uncached.get(meta.name, ()):
                r, c = r - start[0], c - start[1]
                if 0 <= r < raw.height and 0 <= c < len(raw.columns) and raw.columns[c][r] == "":
                    raw.columns[c][r] = FORMULA_WITHOUT_VALUE
            raw.merges = _merges(sheet, start, raw)
            del sheet       # its cells live on in `raw`: free the parser's copy before the next sheet
            raw.fill_merged_down()
            sheets.append(raw)
        return sheets
    except pc.PasswordError:
        raise UnreadableFile(MSG_ENCRYPTED) from None
    except (pc.CalamineError, pc.XmlError, pc.ZipError, ValueError, TypeError, OSError,
            EOFError, IndexError, KeyError):
        raise UnreadableFile(MSG_CORRUPT) from None
    except Exception as exc:  # noqa: BLE001 - python-calamine raises plain errors for odd files
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise UnreadableFile(MSG_ENCRYPTED) from None
        raise UnreadableFile(MSG_CORRUPT) from None


def _sheet_columns(sheet, skip: int) -> list[list]:
    """The sheet's cells as columns, read a slice of rows at a time; equal cells share one
    object.

    Never holds the sheet as Python rows (`to_python`): a 100,000-row
    sheet would be a million objects at once, most of them repeats.
    `iter_rows` starts at row 1 even when the used range starts lower
    (`skip` rows above it): those padding rows are dropped.
    """
    columns: list[list] = []
    shared: list[dict] = []
    kinds: list[set] = []       # per column, the number types seen (bool, int, float)
    rows = iter(sheet.iter_rows())
    for _ in zip(range(skip), rows):
        pass
    while True:
        chunk = list(islice(rows, _ROWS_PER_SLICE))
        if not chunk:
            return columns
        width = max(map(len, chunk))
        if width > len(columns):
            height = len(columns[0]) if columns else 0
            columns += [[""] * height for _ in range(width - len(columns))]
            shared += [{} for _ in range(width - len(shared))]
            kinds += [set() for _ in range(width - len(kinds))]
        if any(len(row) != len(columns) for row in chunk):
            chunk = [row + [""] * (len(columns) - len(row)) for row in chunk]
        for column, known, numbers, cells in zip(columns, shared, kinds, zip(*chunk)):
            numbers |= _NUMBER_TYPES.intersection(map(type, cells))
            if len(numbers) > 1:
                column += cells      # True and 1 in one column: equal as keys, so not shared
            else:
                column += map(known.setdefault, cells, cells)


_ROWS_PER_SLICE = 4096


def _merges(sheet, start: tuple[int, int], raw: RawSheet) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges, relative to the cells read (clipped to them)."""
    try:
        ranges = sheet.merged_cell_ranges or []
    except Exception:  # noqa: BLE001 - a format without merge records (.ods, some .xls)
        return []
    out = []
    height, width = raw.height, len(raw.columns)
    for (r1, c1), (r2, c2) in ranges[:MAX_MERGES]:
        r1, r2, c1, c2 = r1 - start[0], r2 - start[0], c1 - start[1], c2 - start[1]
        if r2 < 0 or c2 < 0 or r1 >= height or c1 >= width:
            continue
        out.append((max(r1, 0), max(c1, 0), min(r2, height - 1), min(c2, width - 1)))
    return out


# what a formula cell holds when the file carries no computed result (saved by a
# program that does not calculate, e.g. a script); `values` turns it into a row error
FORMULA_WITHOUT_VALUE = "\ufffe<公式无计算结果>"
MAX_MERGES = 100_000
# a CSV holds no computed values: a cell such as =SUM(B2:C2) or =10+20 is a formula
# its writer never calculated (a spreadsheet saving CSV writes the result instead)
_CSV_FORMULA = re.compile(r"^=\s*(?:[A-Za-z_][A-Za-z0-9_.]*\s*\(|\$?[A-Za-z]{1,3}\$?\d+|[\d(+-])")

_SHEET_ENTRY = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_SHEET_ENTRY_ID_FIRST = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]*)"[^>]*?\bname="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"'
                  rb'|<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')
_CELL = re.compile(rb'<c\b([^>/]*)>(.*?)</c>', re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_VALUE = re.compile(rb'<(?:\w+:)?v>[^<]')


def _cached_text(attributes: bytes, body: bytes) -> bool:
    """A formula whose cached result is empty text (=IF(B2="","",…), as Excel saves it:
    `t="str"` and an empty `<v>`), not a formula without a result (`<v/>` alone)."""
    return bool(_TEXT_TYPE.search(attributes)) and b"<v" in body


_TEXT_TYPE = re.compile(rb'\bt="str"')


def uncached_formulas(data: bytes, parts: set[str] | None = None) -> dict[str, set[tuple[int, int]]]:
    """Per sheet name, the (row, column) (0-based) of formula cells that carry no cached value.

    calamine reads such a cell as empty, indistinguishable from a blank one;
    the sheet XML still says a formula is there.
    """
    import html
    import zipfile

    from analytics.ingest.sniff import column_number

    out: dict[str, set[tuple[int, int]]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            book = archive.read("xl/workbook.xml")
            rels = archive.read("xl/_rels/workbook.xml.rels")
            targets = {}
            for m in _REL.finditer(rels):
                rid, target = (m[1], m[2]) if m[1] else (m[4], m[3])
                targets[rid] = target.decode()
            entries = [(m[1], m[2]) for m in _SHEET_ENTRY.finditer(book)] or \
                      [(m[2], m[1]) for m in _SHEET_ENTRY_ID_FIRST.finditer(book)]
            for name, rid in entries:
                target = targets.get(rid, "")
                path = target.lstrip("/") if target.startswith("/") else "xl/" + target
                if parts is not None and path not in parts:
                    continue
                try:
                    body = archive.read(path)
                except KeyError:
                    continue
                if b"<f" not in body:
                    continue
                cells = set()
                for m in _CELL.finditer(body):
                    if b"<f" not in m[2] or _VALUE.search(m[2]) or _cached_text(m[1], m[2]):
                        continue
                    ref = _CELL_REF.search(m[1])
                    if ref:
                        cells.add((int(ref[2]) - 1, column_number(ref[1]) - 1))
                if cells:
                    out[html.unescape(name.decode())] = cells
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return {}
    return out


def uncalculated_xls_formulas(data: bytes) -> dict[str, set[tuple[int, int]]]:
    """Per sheet, the (row, column) of the formulas of an .xls nobody ever calculated.

    A program that writes .xls without calculating (xlwt) stores every
    formula's result as empty text, which calamine reads as a blank cell.
    Excel stores the same for a formula that yields "" (=IF(B2="","",…)), so
    only a workbook where no formula holds any other result counts as never
    calculated. A file this cannot walk gives {} (its cells read as they are).
    """
    import struct

    try:
        stream = _ole_stream(data, ("Workbook", "Book"))
    except (struct.error, IndexError, ValueError):
        return {}
    if stream is None:
        return {}
    names: dict[int, str] = {}
    empty: dict[str, set[tuple[int, int]]] = {}
    sheet: str | None = None
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        rid, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4:pos + 4 + size]
        if rid == 0x0085 and len(body) >= 8:              # BOUNDSHEET: where a sheet's records start
            offset, count, flags = struct.unpack_from("<IxxBB", body)
            raw = body[8:8 + count * (2 if flags & 1 else 1)]
            names[offset] = raw.decode("utf-16-le" if flags & 1 else "latin-1", errors="replace")
        elif rid == 0x0809:                                # BOF: a sheet (or the globals) begins
            sheet = names.get(pos)
        elif rid == 0x0006 and len(body) >= 14 and sheet is not None:   # FORMULA
            row, col = struct.unpack_from("<HH", body)
            result = body[6:14]
            if result[6:8] != b"\xff\xff" or result[0] != 3:
                return {}        # a computed result: the workbook was calculated
            empty.setdefault(sheet, set()).add((row, col))
        pos += 4 + size
    return empty


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_MAX_ROWS = 1_048_576
_ODS_MAX_MARKED = 100_000


def uncached_ods_formulas(data: bytes) -> dict[str, set[tuple[int, int]]]:
    """Per sheet, the (row, column) of .ods formula cells without a value type (no result
    stored: calamine reads them as blank). LibreOffice always stores the result."""
    import zipfile
    from xml.etree.ElementTree import ParseError, iterparse

    out: dict[str, set[tuple[int, int]]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            with archive.open("content.xml") as probe:
                if not any(b"table:formula" in chunk for chunk in iter(lambda: probe.read(1 << 20), b"")):
                    return {}
            with archive.open("content.xml") as stream:
                name, row = "", 0
                for event, el in iterparse(stream, events=("start", "end")):
                    tag = el.tag
                    if event == "start" and tag == _ODS_TABLE + "table":
                        name, row = el.get(_ODS_TABLE + "name", ""), 0
                    elif event == "end" and tag == _ODS_TABLE + "table-row":
                        repeat = min(int(el.get(_ODS_TABLE + "number-rows-repeated", "1")), _ODS_MAX_ROWS)
                        col = 0
                        for cell in el:
                            span = min(int(cell.get(_ODS_TABLE + "number-columns-repeated", "1")), 16384)
                            if (cell.get(_ODS_TABLE + "formula") is not None
                                    and cell.get(_ODS_OFFICE + "value-type") is None
                                    and repeat * span <= _ODS_MAX_MARKED):    # no forged blow-up
                                found = out.setdefault(name, set())
                                found.update((r, c) for r in range(row, min(row + repeat, _ODS_MAX_ROWS))
                                             for c in range(col, col + span))
                            col += span
                        row += repeat
                        el.clear()
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, ParseError):
        return {}
    return out


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes | None:
    """The first stream named one of `names` in an OLE2 compound file (an .xls), or None."""
    import struct

    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    size, mini_size = 1 << shift, 1 << mini_shift
    if not 7 <= shift <= 16 or mini_shift > shift:
        return None
    fat_count, dir_start = struct.unpack_from("<II", data, 0x2C)
    cutoff, minifat_start, _minifat_count, difat_start, difat_count = \
        struct.unpack_from("<IIIII", data, 0x38)
    sectors = (len(data) - 512) // size + 1

    def sector(n: int) -> bytes:
        return data[(n + 1) * size:(n + 2) * size]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    n = difat_start
    for _ in range(min(difat_count, sectors)):
        if n >= sectors:
            break
        entries = struct.unpack(f"<{size // 4}I", sector(n))
        difat += entries[:-1]
        n = entries[-1]
    fat: list[int] = []
    for n in difat[:fat_count]:
        if n < sectors:
            fat += struct.unpack(f"<{size // 4}I", sector(n))

    def chain(start: int, table: list[int], limit: int) -> list[int]:
        out, n = [], start
        while n < len(table) and len(out) < limit:
            out.append(n)
            n = table[n]
        return out

    directory = b"".join(sector(n) for n in chain(dir_start, fat, sectors))
    entries = [directory[k:k + 128] for k in range(0, len(directory) - 127, 128)]
    if not entries:
        return None
    root_start = struct.unpack_from("<I", entries[0], 116)[0]
    for entry in entries:
        length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[:max(length - 2, 0)].decode("utf-16-le", errors="replace")
        if name not in names or entry[66] != 2:           # 2: a stream
            continue
        start, stream_size = struct.unpack_from("<II", entry, 116)
        if stream_size >= cutoff:
            body = b"".join(sector(n) for n in chain(start, fat, sectors))
        else:                                             # small: in the mini stream
            mini_stream = b"".join(sector(n) for n in chain(root_start, fat, sectors))
            minifat_bytes = b"".join(sector(n) for n in chain(minifat_start, fat, sectors))
            minifat = list(struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes))
            body = b"".join(mini_stream[k * mini_size:(k + 1) * mini_size]
                            for k in chain(start, minifat, len(mini_stream) // mini_size + 1))
        return body[:stream_size]
    return None


def decode_text(data: bytes) -> str:
    """CSV bytes -> text: BOMs first, then strict UTF-8, then GB18030 (a GBK superset)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("无法识别 CSV 文件的编码，请另存为 UTF-8 或 .xlsx 后再上传")


def read_csv_rows(data: bytes) -> list[list[str]]:
    """CSV rows as lists of strings; the delimiter (comma, tab, semicolon) is sniffed."""
    text = decode_text(data)
    first_lines = "\n".join(text.splitlines()[:20])
    delimiter = max(",\t;", key=first_lines.count) if first_lines else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise UnreadableFile("CSV 文件格式有误（引号不配对等），请用 Excel 打开后另存再上传") from None
    return rows
