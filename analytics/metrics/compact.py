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

from collections.abc import Mapping, Sequence

import numpy as np
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


def concat_indicator_rows(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Compact frames (of one kind) one under the other, as `indicator_frames` of the
    rows one under the other would give them: categoricals recoded onto the sorted
    union of the values present, so nothing is hashed again (a kept year plus one
    new batch costs integer lookups, not 10⁶ string hashes)."""
    if len(parts) == 1 and all(_all_used(parts[0][c]) for c in parts[0].columns
                               if isinstance(parts[0][c].dtype, pd.CategoricalDtype)):
        return parts[0]
    columns = {}
    for name in parts[0].columns:
        series = [p[name] for p in parts]
        if not all(isinstance(s.dtype, pd.CategoricalDtype) for s in series):
            if any(isinstance(s.dtype, pd.CategoricalDtype) for s in series):   # compact + full
                series = [s.astype("object") for s in series]
            columns[name] = pd.concat(series, ignore_index=True) if len(series) > 1 \
                else series[0].reset_index(drop=True)
            continue
        present = []
        for s in series:
            own = s.cat.codes.to_numpy()
            used = np.bincount(own[own >= 0], minlength=len(s.cat.categories))
            present.append(s.cat.categories[np.flatnonzero(used)])
        union = pd.Index(sorted(set().union(*present)), dtype="object")
        codes = []
        for s in series:
            own = s.cat.codes.to_numpy()
            onto = union.get_indexer(s.cat.categories)
            codes.append(np.where(own >= 0, onto[np.maximum(own, 0)], -1))
        columns[name] = pd.Categorical.from_codes(np.concatenate(codes), categories=union,
                                                  ordered=series[0].cat.ordered)
    return pd.DataFrame(columns).copy()


def _all_used(column: pd.Series) -> bool:
    codes = column.cat.codes.to_numpy()
    return bool(np.bincount(codes[codes >= 0], minlength=len(column.cat.categories)).all())
