"""Shaping for the admin-side pages: login gate, upload preview, batches,
accounts, audit log and targets.

Pure functions over DataFrames and the loader/auth/store objects, so the
pages stay thin (read widgets, call these, render) and this is tested
without Streamlit. Every table a page shows gets Chinese column names here.
"""
from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd

from analytics import access
from analytics.errors import AnalyticsError
from analytics.present.targets_grid import DISTRICT_COLUMN, changed_districts, grid_targets
from analytics.schema import INDICATORS, KINDS
from analytics.store.batches import store_file


def targets_sheet_bytes(rows: pd.DataFrame, *, note: str) -> bytes:
    """A targets sheet (UTF-8 CSV, headers as in the template) for the loader.

    `note` goes on a 注： line under the table (skipped by the loader); it
    makes each saved edit a distinct file, so saving the same values again
    later is not mistaken for a duplicate upload.
    """
    labels = {i.name: i.label for i in INDICATORS}
    fields = KINDS["targets"].fields
    out = io.StringIO()
    sheet = pd.DataFrame({
        fields[0].label: rows["year"].astype(int),
        fields[1].label: rows["district"],
        fields[2].label: rows["indicator"].map(labels),
        fields[3].label: rows["value"].map(lambda v: f"{float(v):.10g}"),
    })
    sheet.to_csv(out, index=False, lineterminator="\n")
    out.write(f"注：{note}\n")
    return out.getvalue().encode("utf-8-sig")


def save_targets(engine, actor, *, year: int, before: pd.DataFrame, after: pd.DataFrame,
                 today: date | None = None, now: datetime | None = None) -> list:
    """Store the edited targets of the changed districts as a targets batch.

    The role is enforced (`edit_targets` for those districts) before anything
    is stored; the batch is audited and can be rolled back like an upload.
    Returns the store results ([] when nothing changed).
    """
    districts = changed_districts(before, after)
    if not districts:
        return []
    access.authorize(actor, "edit_targets", [d for d in districts])
    rows = grid_targets(after[after[DISTRICT_COLUMN].isin(districts)], year=year)
    emptied = [d for d in districts if d not in set(rows["district"])]
    if emptied:
        raise AnalyticsError(
            f"{'、'.join(emptied)} 的目标不能全部清空；如需删除，请在“数据上传”页撤销对应的目标批次。")
    had_targets = grid_targets(before[before[DISTRICT_COLUMN].isin(districts)], year=year)
    stamp = (now or datetime.now()).strftime("%Y-%m-%d %H:%M:%S")
    content = targets_sheet_bytes(rows, note=f"{actor.username} 于 {stamp} 在线编辑")
    return store_file(engine, content, filename=f"目标管理_{year}_在线编辑.csv", actor=actor,
                      replace=not had_targets.empty, today=today)
