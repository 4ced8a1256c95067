"""The rows the indicators read, in compact form: the same numbers from fewer bytes.

A city's year is ~10⁶ volunteer rows of ten columns, most of them text.
The indicators (`indicators`, `report.build_report`, `views.unit_summary`)
read six of them, and spend most of their time hashing text: `person_key`
for distinct volunteers, cumulative distinct counts and stars, district,
unit and month for every group-by. So the frames handed to them keep only
those columns, the text ones as categoricals (integer codes, hashed once
per data version; months ordered, so max() and comparisons read as text). Nothing is
summed, rounded or dropped: every indicator over these frames equals the
one over the full frames (tests/test_compact.py compares them).
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

# the columns of each kind the indicator functions read (kinds not listed: kept whole)
INDICATOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "volunteer": ("district", "unit", "month", "date", "hours", "person_key"),
}
# text columns held as integer codes (categoricals): grouped, matched and counted by code;
# the ordered ones ("YYYY-MM" months) compare and take max() in their text order
CODED_COLUMNS: dict[str, tuple[str, ...]] = {"volunteer": ("person_key", "district", "unit")}
ORDERED_COLUMNS: dict[str, tuple[str, ...]] = {"volunteer": ("month",)}


def indicator_frames(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """`frames` with the indicator columns only, `person_key` coded (a new dict, new frames
    for the kinds narrowed; the others are the same objects)."""
    out = dict(frames)
    for kind, columns in INDICATOR_COLUMNS.items():
        df = frames.get(kind)
        if df is None or not set(columns) <= set(df.columns):
            continue
        narrow = df[list(columns)].copy()
        for name in CODED_COLUMNS.get(kind, ()):
            narrow[name] = narrow[name].astype("category")
        for name in ORDERED_COLUMNS.get(kind, ()):
            values = sorted(narrow[name].dropna().unique())
            narrow[name] = narrow[name].astype(pd.CategoricalDtype(values, ordered=True))
        out[kind] = narrow.copy()      # one block per dtype: later filters do not merge them
    return out
