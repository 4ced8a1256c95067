"""Saving the targets editor (目标管理): the changed districts become a targets batch.

The edited rows go through the same row checks as an uploaded targets sheet
(`ingest.check.check_frame_rows`) and are stored like an upload
(`batches.store_checked`): role-checked, audited and undoable, without
writing a file and parsing it again.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Engine

from analytics import access
from analytics.errors import AnalyticsError
from analytics.ingest.check import check_frame_rows
from analytics.ingest.results import FileCheck
from analytics.ingest.targets_editor import DISTRICT_COLUMN, changed_districts, grid_targets
from analytics.schema import KINDS
from analytics.store.batches import StoreResult, store_checked


def save_targets(engine: Engine, actor: access.User, *, year: int, before: pd.DataFrame,
                 after: pd.DataFrame, today: date | None = None,
                 now: datetime | None = None) -> list[StoreResult]:
    """Store the edited targets of the changed districts as a targets batch.

    The role is enforced (`edit_targets` for those districts) before anything
    is stored; the batch is audited and can be rolled back like an upload.
    Returns the store results ([] when nothing changed).
    """
    districts = changed_districts(before, after)
    if not districts:
        return []
    access.authorize(actor, "edit_targets", districts)
    rows = grid_targets(after[after[DISTRICT_COLUMN].isin(districts)], year=year)
    emptied = [d for d in districts if d not in set(rows["district"])]
    if emptied:
        raise AnalyticsError(
            f"{'、'.join(emptied)} 的目标不能全部清空；如需删除，请在“数据上传”页撤销对应的目标批次。")
    had_targets = grid_targets(before[before[DISTRICT_COLUMN].isin(districts)], year=year)
    header = [f.label for f in KINDS["targets"].fields]
    body = [[int(r.year), r.district, r.indicator, float(r.value)] for r in rows.itertuples()]
    sheet = check_frame_rows("targets", header, body, today=today, sheet=f"{year}年目标")
    stamp = (now or datetime.now()).strftime("%Y-%m-%d %H:%M:%S")
    name = f"目标管理_{year}_在线编辑"
    # each save is its own batch: the same values saved again later are a new edit
    digest = hashlib.sha256(f"{name}|{actor.username}|{stamp}|{body!r}".encode()).hexdigest()
    return store_checked(engine, FileCheck(name, digest, [sheet]), actor=actor,
                         replace=not had_targets.empty)
