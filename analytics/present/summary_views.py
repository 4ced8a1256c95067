"""Page pieces of the 工作总结 kinds (评优表彰, 组织建设, 新媒体): the cards and the tables
of 总览, 区县对比 and 活动开展, as text in Chinese, from a `report.Report`.

The figures themselves are the report's (`metrics.summary_figures`); this module
only words and lays them out, so the pages stay thin and a test reads what a
user sees without Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics import periods, schema
from analytics.metrics.report import TOTAL
from analytics.present import fmt, labels

EMPTY_HONOURS = "所选年度还没有评优表彰数据。请在“数据上传”页导入“评优表彰”报表。"
EMPTY_ORGANISATION = "所选范围内还没有组织建设数据。请在“数据上传”页导入“组织建设”报表。"
EMPTY_MEDIA = "所选范围内还没有新媒体数据。请在“数据上传”页导入“新媒体”报表。"


@dataclass(frozen=True)
class CountCard:
    """One figure of a section: its name, the number with its measure word, a detail line."""

    label: str
    value: str
    line: str = ""


def _measures() -> dict[str, str]:
    return {t.name: t.get("measure", "个") for t in schema.choice_list("recipient_types")}


def _what() -> dict[str, str]:
    return {c.name: c.get("what") or c.name for c in schema.choice_list("organisation_items")}


def _is_share(measure: str | None) -> bool:
    """An item counted in % (配齐专职书记): a share per district, never summed over districts."""
    return measure == "%"


def _count_text(value, measure: str) -> str:
    if _is_share(measure):
        return fmt.MISSING if value is None or pd.isna(value) else f"{float(value):g}%"
    return fmt.fmt_count(value, measure)


def has_honours(report) -> bool:
    return bool(report.honour_totals.get("total"))


def has_organisation(report) -> bool:
    return report.organisation is not None and bool(len(report.organisation))


def has_media(report) -> bool:
    return bool(report.media_totals.get("articles"))


def honour_cards(report) -> list[CountCard]:
    """荣誉合计, 集体 and 个人, the busiest honour named under the total."""
    totals, words = report.honour_totals, _measures()
    top = ""
    if len(report.honours):
        best = report.honours.groupby("honour", sort=False)["count"].sum().idxmax()
        row = report.honours[report.honours["honour"] == best]
        top = f"最多：{best} {fmt.fmt_count(row['count'].sum(), words.get(row.iloc[0]['recipient_type'], '个'))}"
    cards = [CountCard(labels.HONOURS_TOTAL_LABEL, fmt.fmt_count(totals.get("total", 0), "项"),
                       top)]
    for kind, word in words.items():
        cards.append(CountCard(f"{kind}荣誉", fmt.fmt_count(totals.get(kind, 0), word)))
    return cards


def organisation_cards(report) -> list[CountCard]:
    """One card per 组织建设 item, in the list's order: "组建青年突击队" 19支."""
    what = _what()
    return [CountCard(what.get(row.item, row.item), _count_text(row.count, row.measure or "个"),
                      row.item)
            for row in report.organisation.itertuples(index=False)]


def _total_row(table: pd.DataFrame, skip: set[str] = frozenset()) -> pd.DataFrame:
    """`table` with a 合计 row under it (columns in `skip` left blank)."""
    sums = {c: (None if c in skip else table[c].sum()) for c in table.columns if c != "district"}
    return pd.concat([table, pd.DataFrame([{"district": TOTAL, **sums}])], ignore_index=True)


def honours_district_table(report) -> pd.DataFrame:
    """区县 | 荣誉合计 | 集体（个） | 个人（名） | each honour: the counts per district, and 合计."""
    types = report.honour_types_by_district
    words = _measures()
    table = types.merge(report.honours_by_district, on="district", how="left")
    names = [c for c in report.honours_by_district.columns if c != "district"]
    table = _total_row(table[["district", "total", *words, *names]])
    out = pd.DataFrame({"区县": table["district"]})
    out[labels.HONOURS_TOTAL_LABEL] = [fmt.fmt_count(v) for v in table["total"]]
    for kind, word in words.items():
        out[f"{kind}（{word}）"] = [fmt.fmt_count(v) for v in table[kind]]
    for name in names:
        out[name] = [fmt.fmt_count(v) for v in table[name]]
    return out


def organisation_district_table(report) -> pd.DataFrame:
    """区县 | each 组织建设 item with its measure word ("青年突击队（支）"), and 合计."""
    by = report.organisation_by_district
    measures = dict(zip(report.organisation["item"], report.organisation["measure"]))
    items = [i for i in report.organisation["item"] if i in by.columns]
    table = _total_row(by[["district", *items]],
                       skip={i for i in items if _is_share(measures.get(i))})
    out = pd.DataFrame({"区县": table["district"]})
    for item in items:
        word = measures.get(item) or "个"
        out[f"{item}（{word}）"] = [fmt.MISSING if v is None or pd.isna(v) else
                                   (f"{float(v):g}" if _is_share(word) else fmt.fmt_count(v))
                                   for v in table[item]]
    return out


def organisation_items(report) -> list[tuple[str, str]]:
    """(item, measure word) of the report's 组织建设 items, for a chart per item."""
    return [(row.item, row.measure or "个") for row in report.organisation.itertuples(index=False)]


def media_cards(report) -> list[CountCard]:
    """篇数, 阅读量, 转发, 参与人数 of all new-media rows."""
    totals = report.media_totals
    return [CountCard(label, fmt.fmt_count(totals.get(name, 0), labels.MEDIA_MEASURE_UNITS[name]))
            for name, label in labels.MEDIA_MEASURE_LABELS.items()]


def _year_month(key: str) -> tuple[int, tuple[int, int]]:
    year, month = periods.split_month_key(key)
    return year, (month, month)


def media_group_table(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """A `summary_figures.media_by` table with Chinese headers and numbers ("1.25万")."""
    out = pd.DataFrame({labels.MEDIA_GROUP_LABELS[by]:
                        [periods.period_label(*_year_month(m)) for m in table["month"]]
                        if by == "month" else table[by].tolist()})
    for name, label in labels.MEDIA_MEASURE_LABELS.items():
        out[f"{label}（{labels.MEDIA_MEASURE_UNITS[name]}）"] = [fmt.fmt_count(v) for v in table[name]]
    return out
