"""报送情况 / 报送进度 tables: `metrics.reporting` frames with Chinese headers and values."""
from __future__ import annotations

import pandas as pd

from analytics import periods
from analytics.present import fmt
from analytics.present.labels import KIND_LABELS

REPORTED = "已报"
MISSING = "未报"
NOT_EXPECTED = fmt.MISSING      # not expected of that unit


def reporting_table(status: pd.DataFrame) -> pd.DataFrame:
    """One row per unit of a district-month, one column per kind:
    "已报 #12（zhang，04-02 09:30）", "未报" or "—" (not expected of that unit)."""
    kinds = [k for k in KIND_LABELS if k in set(status["kind"])]
    labels = [KIND_LABELS[k] for k in kinds]
    rows = []
    for (district, unit), group in status.groupby(["district", "unit"], sort=True):
        cells = {KIND_LABELS[k]: NOT_EXPECTED for k in kinds}
        for r in group.itertuples():
            cells[KIND_LABELS[r.kind]] = _cell(r)
        state = "已全部报送" if group["reported"].all() else "待报送"
        rows.append({"区县": district, "单位": unit, **cells, "状态": state,
                     "名单内": "是" if group["listed"].any() else ""})
    frame = pd.DataFrame(rows, columns=["区县", "单位", *labels, "状态", "名单内"])
    # units still to report first, so they are seen without scrolling
    return frame.sort_values(["状态", "区县", "单位"], ascending=[False, True, True],
                             kind="stable").reset_index(drop=True)


def _cell(row) -> str:
    if not row.reported:
        return MISSING
    when = f"，{row.created_at:%m-%d %H:%M}" if not pd.isna(row.created_at) else ""
    return f"{REPORTED} #{row.batch_id}（{row.username}{when}）"


def progress_table(progress: pd.DataFrame, *, shown_missing: int = 5) -> pd.DataFrame:
    """报送进度 per district: 应报单位, 已报单位 (at least one kind), 报齐单位 (every kind
    expected), 报送率, "已报/应报" per kind, and the first units that sent nothing yet."""
    def names(units: list[str]) -> str:
        more = f" 等 {len(units)} 个" if len(units) > shown_missing else ""
        return "、".join(units[:shown_missing]) + more

    kinds = [k for k in KIND_LABELS if any(k in b for b in progress["by_kind"])]
    frame = pd.DataFrame({
        "区县": progress["district"], "月份": [periods.month_label(m) for m in progress["month"]],
        "应报单位": progress["expected_units"], "已报单位": progress["reported_units"],
        "报齐单位": progress["complete_units"],
        "报送率": [None if pd.isna(r) else f"{r * 100:.0f}%" for r in progress["rate"]],
    })
    for kind in kinds:
        frame[KIND_LABELS[kind]] = [f"{b[kind][0]}/{b[kind][1]}" if kind in b else None
                                    for b in progress["by_kind"]]
    frame["尚未报送"] = [names(m) for m in progress["missing"]]
    return frame.reset_index(drop=True)
