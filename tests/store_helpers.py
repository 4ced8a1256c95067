"""Canonical frames and checked files for the storage tests, built without Excel.

`checked(...)` wraps canonical frames into the loader's `FileCheck`, so the
storage core is tested on exactly what the loader hands it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from analytics import schema

try:
    from analytics.ingest.results import FileCheck, SheetCheck
except ImportError:  # the loader is written concurrently; same fields as its API
    @dataclass
    class SheetCheck:  # type: ignore[no-redef]
        sheet: str
        kind: str | None
        header_row: int | None
        frame: pd.DataFrame
        errors: list = field(default_factory=list)
        warnings: list = field(default_factory=list)
        rejected: list = field(default_factory=list)

    @dataclass
    class FileCheck:  # type: ignore[no-redef]
        file: str
        sha256: str
        sheets: list


def activities(district: str, month: str, n: int = 3, participants: int = 10) -> pd.DataFrame:
    """n activities in one district-month, `participants` each."""
    dates = pd.to_datetime([f"{month}-{1 + i % 28:02d}" for i in range(n)])
    return pd.DataFrame({
        "date": dates, "district": district, "unit": [f"单位{i % 3}" for i in range(n)],
        "title": [f"活动{i}" for i in range(n)], "category": "志愿服务",
        "sessions": pd.Series([1] * n, dtype="int64"),
        "participants": pd.Series([participants] * n, dtype="int64"),
        "volunteers": pd.Series([2] * n, dtype="Int64"),
        "service_hours": pd.Series([1.5] * n, dtype="float64"),
        "reached": pd.Series([None] * n, dtype="Int64"),
        "funds": pd.Series([float("nan")] * n, dtype="float64"),
        "project": None, "beneficiaries": pd.Series([None] * n, dtype="Int64"), "date_span": None,
        "month": month, "dimension": "大局贡献度",
        "source_row": pd.Series(range(2, n + 2), dtype="int64"),
    })[list(schema.KINDS["activities"].columns)]


def study(district: str, month: str, rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    """rows: (unit, members, learners)."""
    return pd.DataFrame({
        "period": f"{month[:4]}年第1期", "month": month, "district": district,
        "unit": [u for u, _, _ in rows],
        "members": pd.Series([m for _, m, _ in rows], dtype="int64"),
        "learners": pd.Series([x for _, _, x in rows], dtype="int64"),
        "rate": pd.Series([x / m for _, m, x in rows], dtype="float64"),
        "source_row": pd.Series(range(2, len(rows) + 2), dtype="int64"),
    })[list(schema.KINDS["study"].columns)]


def volunteer(district: str, month: str, hours: list[float], ids: list[str | None] | None = None
              ) -> pd.DataFrame:
    n = len(hours)
    ids = ids or [f"V{i:03d}" for i in range(n)]
    names = [f"志愿者{i}" for i in range(n)]
    return pd.DataFrame({
        "volunteer_id": pd.Series(ids, dtype=object), "name": names, "district": district,
        "unit": "单位0", "project": None,
        "date": pd.to_datetime([f"{month}-{1 + i % 28:02d}" for i in range(n)]),
        "hours": pd.Series(hours, dtype="float64"), "month": month,
        "person_key": [f"id:{v}" if v else f"name:{nm}|单位0" for v, nm in zip(ids, names)],
        "source_row": pd.Series(range(2, n + 2), dtype="int64"),
    })[list(schema.KINDS["volunteer"].columns)]


def targets(year: int, rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """rows: (district, indicator, value)."""
    return pd.DataFrame({
        "year": pd.Series([year] * len(rows), dtype="int64"),
        "district": [d for d, _, _ in rows], "indicator": [i for _, i, _ in rows],
        "value": pd.Series([v for _, _, v in rows], dtype="float64"),
        "source_row": pd.Series(range(2, len(rows) + 2), dtype="int64"),
    })[list(schema.KINDS["targets"].columns)]


def checked(name: str, *sheets: tuple[str, pd.DataFrame], rejected: int = 0,
            salt: str = "") -> FileCheck:
    """A FileCheck of (kind, frame) sheets; `rejected` adds that many rejected rows
    to the first sheet. The SHA-256 derives from the content (and `salt`)."""
    digest = hashlib.sha256((name + salt).encode())
    built = []
    for i, (kind, frame) in enumerate(sheets):
        digest.update(frame.to_csv().encode())
        bad = [{"row": 100 + j, "values": {"日期": "x"}, "errors": ["日期无法识别"]}
               for j in range(rejected if i == 0 else 0)]
        sheet = SheetCheck(sheet=schema.KINDS[kind].label, kind=kind, header_row=1,
                           frame=frame, errors=[], warnings=[], rejected=bad,
                           **_extra_sheet_fields())
        built.append(sheet)
    return FileCheck(file=name, sha256=digest.hexdigest(), sheets=built)


def _extra_sheet_fields() -> dict:
    names = set(getattr(SheetCheck, "__dataclass_fields__", {}))
    extra = {}
    if "totals" in names:
        extra["totals"] = {}
    if "scopes" in names:
        extra["scopes"] = []
    return extra
