"""Every Chinese label of a code, in one place: indicators, columns, roles, kinds,
batch statuses and audit actions.

The codes themselves are defined where they live (`schema` for kinds and
indicators, `access.ROLES` for roles, the batches table for statuses); pages,
exports and the command line take the words from here.
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analytics import access, schema

KIND_LABELS: dict[str, str] = {name: kind.label for name, kind in schema.KINDS.items()}
BATCH_STATUS_LABELS: dict[str, str] = {"active": "有效", "replaced": "已被替换",
                                       "rolled_back": "已撤销"}
# audit_log.action values, with their Chinese labels
ACTION_LABELS: dict[str, str] = {
    "store": "导入", "import": "导入", "replace": "替换导入", "rollback": "撤销批次",
    "edit_targets": "修改目标", "sample": "导入示例数据", "clear_sample": "清除示例数据",
    "login": "登录", "login_failed": "登录失败", "account_locked": "账号锁定",
    "create_user": "创建账号", "disable_user": "停用账号", "enable_user": "启用账号",
    "reset_password": "重置密码", "set_role": "修改角色/区县", "change_password": "修改密码",
    "unlock_user": "解锁账号", "set_cutoff": "设定统计截止月",
}


def role_label(role: str) -> str:
    """"填报员" for "filler" (unknown codes shown as they are)."""
    return access.ROLES.get(role, role)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def batch_status_label(status: str) -> str:
    return BATCH_STATUS_LABELS.get(status, status)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def indicator_label(indicator: str) -> str:
    """The Chinese label of an indicator ("参学率")."""
    return schema.INDICATOR_BY_NAME[indicator].label


def label_with_unit(indicator: str) -> str:
    """Axis-title style: "参与人次（人次）", "参学率（%）"."""
    ind = schema.INDICATOR_BY_NAME[indicator]
    return f"{ind.label}（{ind.unit}）"


# --- table columns -------------------------------------------------------------

EXTRA_LABELS: dict[str, str] = {
    "month": "月份",
    "dimension": "三力一度",
    "person_key": "志愿者标识",
    "source_row": "原表行号",
    "district": "区县",
    "unit": "单位",
    "rank": "排名",
    "band": "参学等级",
    "hours": "服务时长（小时）",
    "cum_hours": "累计服务时长（小时）",
    "total_hours": "累计服务时长（小时）",
    "level": "星级",
    "star_level": "星级",
    "star_label": "星级",
    "label": "星级",
    "records": "服务次数",
    "count": "人数",
    "target": "目标值",
    "completion": "完成率",
    "expected": "序时进度",
    "status": "状态",
    "score": "得分",
    "value": "数值",
    "indicator": "指标",
}


def column_labels() -> dict[str, str]:
    """Chinese label of every canonical field, derived column and indicator."""
    labels: dict[str, str] = {}
    for kind in schema.KINDS.values():
        for f in kind.fields:
            labels.setdefault(f.name, f.label)
    labels.update(EXTRA_LABELS)
    for ind in schema.INDICATORS:
        labels[ind.name] = ind.label + (f"（{ind.unit}）" if ind.unit and ind.unit != "%" else "")
        labels[f"rank_{ind.name}"] = f"{ind.label}排名"
    labels["hours"] = EXTRA_LABELS["hours"]
    labels["date"] = "日期"
    return labels


def labelled(df: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """`df` (only `columns`, in that order, when given) with Chinese column names."""
    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    labels = column_labels()
    return df.rename(columns={c: labels.get(c, c) for c in df.columns})




# --- the 工作总结 kinds on the pages -----------------------------------------------

# 新媒体 figures (summary_figures.MEDIA_MEASURES) and what they are grouped by
MEDIA_MEASURE_LABELS: dict[str, str] = {"articles": "篇数", "reads": "阅读量", "shares": "转发",
                                        "participants": "参与人数"}
MEDIA_MEASURE_UNITS: dict[str, str] = {"articles": "篇", "reads": "人次", "shares": "次",
                                       "participants": "人"}
MEDIA_GROUP_LABELS: dict[str, str] = {"platform": "平台", "column": "栏目/专题", "month": "月份"}
# the total column of the 评优表彰 tables (集体 + 个人)
HONOURS_TOTAL_LABEL = "荣誉合计"


def media_measure_label(measure: str) -> str:
    """"阅读量" for "reads"."""
    return MEDIA_MEASURE_LABELS[measure]
