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
from analytics.metrics import progress
from analytics.metrics.report import TOTAL
from analytics.present import fmt, labels

EMPTY_HONOURS = "所选年度还没有评优表彰数据。请在“数据上传”页导入“评优表彰”报表。"
EMPTY_ORGANISATION = "所选范围内还没有组织建设数据。请在“数据上传”页导入“组织建设”报表。"
EMPTY_MEDIA = "所选范围内还没有新媒体数据。请在“数据上传”页导入“新媒体”报表。"


@dataclass(frozen=True)
class CountCard:
    """One figure of a section: its name, the number with its measure word, the status
    against its target (None without one) and detail lines."""

    label: str
    value: str
    status: str | None = None
    lines: tuple[str, ...] = ()


def _measures() -> dict[str, str]:
    return {t.name: t.get("measure", "个") for t in schema.choice_list("recipient_types")}


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


def _target_lines(report, indicator: str, unit: str) -> tuple[str | None, tuple[str, ...]]:
    """(status, lines) of the whole selection against its target, like the KPI cards."""
    entry = report.target_of(indicator)
    if entry is None or pd.isna(entry.get("target")):
        return None, ()
    return entry["status"], (f"年度目标 {fmt.fmt_count(entry['target'], unit)}"
                             f" · 完成 {fmt.fmt_rate(entry.get('completion'))}",
                             f"序时进度 {fmt.fmt_rate(entry.get('expected'))}")


def honour_cards(report) -> list[CountCard]:
    """荣誉合计 (against its target), 集体 and 个人; the busiest honour under the total."""
    totals, words = report.honour_totals, _measures()
    unit = schema.INDICATOR_BY_NAME[schema.HONOURS_TARGET].unit
    status, lines = _target_lines(report, schema.HONOURS_TARGET, unit)
    if len(report.honours):
        counts = report.honours.groupby("honour", sort=False)["count"].sum()
        best = counts.idxmax()
        kind = report.honours.loc[report.honours["honour"] == best, "recipient_type"].iloc[0]
        lines += (f"最多：{best} {fmt.fmt_count(counts[best], words.get(kind, '个'))}",)
    cards = [CountCard(labels.HONOURS_TOTAL_LABEL, fmt.fmt_count(totals.get("total", 0), unit),
                       status, lines)]
    for kind, word in words.items():
        cards.append(CountCard(f"{kind}荣誉", fmt.fmt_count(totals.get(kind, 0), word)))
    return cards


def organisation_cards(report) -> list[CountCard]:
    """One card per 组织建设 item, in the list's order ("青年突击队" 19支), against its target."""
    cards = []
    for row in report.organisation.itertuples(index=False):
        measure = row.measure or "个"
        status, lines = _target_lines(report, schema.organisation_target(row.item), measure)
        cards.append(CountCard(row.item, _count_text(row.count, measure), status, lines))
    return cards


def summary_target_table(report, indicator: str | None = None) -> pd.DataFrame:
    """区县 | 指标 | 完成数 | 年度目标 | 完成率 | 序时进度 | 状态: 获评荣誉 and the 组织建设
    items (or only `indicator`) that have a target, per district and 合计 (empty when none)."""
    rows = []
    table = report.summary_targets
    if indicator is not None:
        table = table[table["indicator"] == indicator]
    for r in table.itertuples(index=False):
        ind = schema.INDICATOR_BY_NAME[r.indicator]
        rows.append({"区县": r.district, "指标": ind.label,
                     "完成数": fmt.fmt_count(r.actual, ind.unit),
                     "年度目标": fmt.fmt_count(r.target, ind.unit),
                     "完成率": fmt.fmt_rate(r.completion), "序时进度": fmt.fmt_rate(r.expected),
                     "状态": r.status})
    return pd.DataFrame(rows, columns=["区县", "指标", "完成数", "年度目标", "完成率", "序时进度",
                                       "状态"])


def summary_status_table(report) -> pd.DataFrame:
    """区县 (and 合计) | "<获评荣誉 or item>状态" for each that has a target anywhere:
    超前 / 正常 / 滞后, or 无目标 — the 总览's short form of `summary_target_table`."""
    table = report.summary_targets
    names = list(dict.fromkeys(table["indicator"]))
    out = pd.DataFrame({"区县": [*report.selection.districts, TOTAL]})
    for name in names:
        rows = table[table["indicator"] == name].set_index("district")["status"]
        out[f"{schema.INDICATOR_BY_NAME[name].label}状态"] = [
            rows.get(d, progress.NO_TARGET) for d in out["区县"]]
    return out if names else out.iloc[0:0]


def honours_by_honour_table(report) -> pd.DataFrame:
    """荣誉（量词） | each district | 合计: every honour's count per district (区县对比's detail)."""
    by = report.honours_by_district.set_index("district")
    words = _measures()
    kinds = dict(zip(report.honours["honour"], report.honours["recipient_type"]))
    names = list(by.columns)
    out = pd.DataFrame({"荣誉": [f"{n}（{words.get(kinds.get(n), '个')}）" for n in names]})
    for district in by.index:
        out[district] = [fmt.fmt_count(by.at[district, n]) for n in names]
    out[TOTAL] = [fmt.fmt_count(by[n].sum()) for n in names]
    return out


def _total_row(table: pd.DataFrame, skip: set[str] = frozenset()) -> pd.DataFrame:
    """`table` with a 合计 row under it (columns in `skip` left blank)."""
    sums = {c: (None if c in skip else table[c].sum()) for c in table.columns if c != "district"}
    return pd.concat([table, pd.DataFrame([{"district": TOTAL, **sums}])], ignore_index=True)


def honours_district_table(report) -> pd.DataFrame:
    """区县 | 荣誉合计 | 集体（个） | 个人（名） | 最多的荣誉: per district, and 合计."""
    words = _measures()
    table = _total_row(report.honour_types_by_district[["district", "total", *words]])
    by = report.honours_by_district.set_index("district")
    out = pd.DataFrame({"区县": table["district"]})
    out[labels.HONOURS_TOTAL_LABEL] = [fmt.fmt_count(v) for v in table["total"]]
    for kind, word in words.items():
        out[f"{kind}（{word}）"] = [fmt.fmt_count(v) for v in table[kind]]
    sums = by.sum()
    tops = [by.loc[d] if d in by.index else None for d in table["district"][:-1]] + [sums]
    out["最多的荣誉"] = [fmt.MISSING if row is None or not len(row) or row.max() == 0
                        else f"{row.idxmax()} {fmt.fmt_count(row.max())}" for row in tops]
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


def organisation_items(report) -> dict[str, str]:
    """{item: measure word} of the report's 组织建设 items, for a chart per item."""
    return {row.item: row.measure or "个" for row in report.organisation.itertuples(index=False)}


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


def media_of(report, by: str) -> pd.DataFrame:
    """The report's 新媒体 table grouped `by` "platform", "column" or "month"."""
    return {"platform": report.media_by_platform, "column": report.media_by_column,
            "month": report.media_by_month}[by]


def summary_kind_tables(report, sections: tuple[str, ...] | None = None
                        ) -> list[tuple[str, pd.DataFrame]]:
    """(heading, table) of 评优表彰, 组织建设 and 新媒体 as the pages show them (per district,
    per platform), for the exports: the kinds with data whose 工作总结 section is chosen
    (`sections`, None: all), so a file holds only what the user picked."""
    kinds = [("评优表彰", "评优表彰（各区县）", has_honours, honours_district_table),
             ("组织建设", "组织建设（各区县）", has_organisation, organisation_district_table),
             ("新媒体", "新媒体（各平台）", has_media,
              lambda r: media_group_table(r.media_by_platform, "platform"))]
    return [(heading, table(report)) for section, heading, has, table in kinds
            if has(report) and (sections is None or section in sections)]
