"""Reading a file into raw sheets: the guards (`sniff`), then the parse in a child
(`isolate`), started early so the caller can work while it runs.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from analytics.errors import NoTable, UnreadableFile
from analytics.ingest.sniff import (
    Limits, sniff_format, too_big_message,
)
from analytics.ingest.isolate import ChildParse
from analytics.ingest.parse import RawSheet, parse_raw


def read_bytes(source: str | Path | bytes, limits: Limits = Limits()) -> bytes:
    """The file's bytes, whether given a path or the bytes themselves."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    try:
        size = Path(source).stat().st_size
        if size > limits.max_bytes:
            raise UnreadableFile(too_big_message(size, limits))
        return Path(source).read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(f"找不到文件：{source}") from None
    except IsADirectoryError:
        raise UnreadableFile(f"这是一个文件夹，不是表格文件：{source}") from None
    except OSError as exc:
        raise UnreadableFile(f"无法打开文件：{source}（{exc.strerror or exc}）") from None


def read_workbook(source: str | Path | bytes, *, filename: str | None = None,
                  limits: Limits = Limits(), isolate: bool = True) -> list[RawSheet]:
    """Every sheet of a workbook (or the one table of a CSV) as raw cells.

    >>> sheets = read_workbook("活动台账.xlsx")      # doctest: +SKIP
    >>> sheets[0].name, sheets[0].first_row, sheets[0].head(1)   # doctest: +SKIP
    ('3月', 1, [['东城区团委活动台账', '', ...]])

    Raises `UnreadableFile` for anything that is not a readable spreadsheet
    and `NoTable` when every sheet is empty. `isolate=False` parses in this
    process (only for files already known to be safe, e.g. in tests).
    """
    return start_reading(source, filename=filename, limits=limits, isolate=isolate)()


def start_reading(source: str | Path | bytes, *, filename: str | None = None,
                  limits: Limits = Limits(), isolate: bool = True,
                  owner: str | None = None) -> Callable[[], list[RawSheet]]:
    """Like `read_workbook`, but returns at once with a function that waits for the sheets.

    The guards on the bytes run now; the parse runs in the child while the
    caller does other work (e.g. imports pandas). The child takes a slot of
    the worker pool (`isolate.POOL`, per `owner` and overall) until the
    sheets are returned; a full pool raises `ParserBusy`.
    """
    data = read_bytes(source, limits)
    if filename is None and not isinstance(source, (bytes, bytearray, memoryview)):
        filename = Path(source).name
    fmt = sniff_format(data, limits)
    name = Path(filename).stem if filename else "CSV"
    if isolate:
        job = ChildParse(data, fmt, name=name, limits=limits, owner=owner)
        return lambda: _with_data([RawSheet.unpack(p) for p in job.result()])
    return lambda: _with_data(parse_raw(data, fmt, name=name))


def _with_data(sheets: list[RawSheet]) -> list[RawSheet]:
    if not any(sheet.height for sheet in sheets):
        raise NoTable("工作簿中没有任何数据（所有工作表都是空的）")
    return sheets
