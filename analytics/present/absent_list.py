"""The 未学名单 workbook and the 团支部 参学率 table of the 青年大学习 page.

The workbook holds one sheet per 团支部, ready to send to its 支部书记, and a
last sheet of learners on no roster (非团员青年, or a name typed
differently). Names only ever come here for someone allowed to see them
(`access.name_districts`); the leaders' exports never call this module.
"""
from __future__ import annotations

import io
import re

import pandas as pd
import xlsxwriter

from analytics.present import fmt
from analytics.present.fmt import FORMULA_STARTS

NOT_ON_ROSTER_SHEET = "不在名单的参学人员"
_PERSON_HEADINGS = ("序号", "姓名", "学号/编号", "期次", "单位", "团支部", "区县")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LIMIT = 31


def branch_rate_table(branches: pd.DataFrame) -> pd.DataFrame:
    """`records.branch_rates` as a table to read: Chinese columns, 参学率 as text."""
    return pd.DataFrame({
        "区县": branches["district"], "单位": branches["unit"], "团支部": branches["branch"],
        "期次": branches["period"], "参学人数": branches["learners"].astype("int64"),
        "应学团员数": branches["members"].astype("int64"),
        "参学率": [fmt.fmt_rate(v) for v in branches["study_rate"]],
        "档次": branches["band"].fillna("未知（无团员名单）"),
    }).reset_index(drop=True)


def _sheet_names(labels: list[str]) -> list[str]:
    """Excel sheet names for `labels`: forbidden characters gone, ≤ 31 characters, unique."""
    names, seen = [], set()
    for label in labels:
        base = _BAD_SHEET_CHARS.sub("_", label).strip("'") or "团支部"
        name, k = base[:SHEET_NAME_LIMIT], 2
        while name.lower() in seen:
            suffix = f"({k})"
            name, k = base[:SHEET_NAME_LIMIT - len(suffix)] + suffix, k + 1
        seen.add(name.lower())
        names.append(name)
    return names


def _write_people(wb, ws, title: str, people: list[dict]) -> None:
    bold = wb.add_format({"bold": True, "font_size": 13})
    head = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    text = wb.add_format({"border": 1})
    quoted = wb.add_format({"border": 1, "quote_prefix": True})
    ws.write_string(0, 0, title, bold)
    for col, heading in enumerate(_PERSON_HEADINGS):
        ws.write_string(1, col, heading, head)
    for i, p in enumerate(people, start=2):
        ws.write_number(i, 0, i - 1, text)
        values = (p["name"], p["member_id"], p["period"], p["unit"], p["branch"], p["district"])
        for col, value in enumerate(values, start=1):
            value = "" if value is None else str(value)
            ws.write_string(i, col, value, quoted if value.startswith(FORMULA_STARTS) else text)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 3, 14)
    ws.set_column(4, 6, 22)
    ws.freeze_panes(2, 0)


def absent_xlsx(report: dict) -> bytes:
    """The `absent_report` as .xlsx bytes: one sheet per 团支部 (district, unit, branch
    sorted), then the learners on no roster. An empty report still has one sheet."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_numbers": False, "strings_to_urls": False})
    wb.set_properties({"title": f"青年大学习未学名单 {report['month']}", "author": "团务数据看板"})
    groups: dict[tuple, list[dict]] = {}
    for p in report["absent"]:
        groups.setdefault((p["district"], p["unit"], p["branch"]), []).append(p)
    keys = sorted(groups, key=lambda k: tuple(x or "" for x in k))
    for key, name in zip(keys, _sheet_names([k[2] or "团支部" for k in keys])):
        district, unit, branch = key
        _write_people(wb, wb.add_worksheet(name),
                      f"{report['month']} 青年大学习未学名单：{district} {unit} {branch}"
                      f"（{len(groups[key])} 人）", groups[key])
    others = report.get("not_on_roster", [])
    if others or not keys:
        title = (f"{report['month']} 参学但不在团员名单中的人员（非团员青年或姓名填写不一致，"
                 f"{len(others)} 人）") if others else f"{report['month']} 没有未学的团员"
        _write_people(wb, wb.add_worksheet(NOT_ON_ROSTER_SHEET if others else "未学名单"),
                      title, others)
    wb.close()
    return buffer.getvalue()


def absent_filename(report: dict, scope: str) -> str:
    return f"青年大学习未学名单_{scope}_{report['month']}.xlsx"
