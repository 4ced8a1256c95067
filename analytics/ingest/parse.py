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

    @classmethod
    def from_rows(cls, name: str, rows: list[list], first_row: int = 1) -> RawSheet:
        width = max(map(len, rows), default=0)
        if any(len(r) != width for r in rows):
            rows = [list(r) + [""] * (width - len(r)) for r in rows]
        return cls(name, [list(col) for col in zip(*rows)], first_row)

    def pack(self) -> tuple:
        """A form that pickles fast: text-only columns joined, others pickled one by one."""
        packed = []
        for col in self.columns:
            if all(c.__class__ is str for c in col) and not any(_SEP in c for c in col):
                packed.append(("s", _SEP.join(col)))
            else:
                packed.append(("p", pickle.dumps(list(col), protocol=pickle.HIGHEST_PROTOCOL)))
        return (self.name, self.first_row, len(self.columns[0]) if self.columns else 0, packed)

    @classmethod
    def unpack(cls, packed: tuple) -> RawSheet:
        name, first_row, height, columns = packed
        out = []
        for how, body in columns:
            out.append((body.split(_SEP) if height else []) if how == "s" else pickle.loads(body))
        return cls(name, out, first_row)

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


def parse_raw_packed(data: bytes, fmt: str, *, name: str = "CSV") -> list[tuple]:
    """`parse_raw`, packed for the trip from the child (see `RawSheet.pack`)."""
    return [sheet.pack() for sheet in parse_raw(data, fmt, name=name)]


def parse_raw(data: bytes, fmt: str, *, name: str = "CSV") -> list[RawSheet]:
    """Parse bytes already sniffed as `fmt`, in this process. Used by the child."""
    if fmt == "csv":
        return [RawSheet.from_rows(name or "CSV", read_csv_rows(data), 1)]
    return _read_calamine(data, fmt)


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


def _read_calamine(data: bytes, fmt: str = "xlsx") -> list[RawSheet]:
    import python_calamine as pc

    try:
        book = _open_book(data, fmt)
        sheets = []
        for meta in book.sheets_metadata:
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=True)
            start = sheet.start
            sheets.append(RawSheet.from_rows(meta.name, rows, start[0] + 1 if start else 1))
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
