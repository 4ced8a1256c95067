"""Page pieces every page uses: header, KPI card, chart, table, export panel, notices."""
from __future__ import annotations

import functools
import logging
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from analytics import schema
from analytics.errors import AnalyticsError
from analytics.present import fmt, palette, table_layout
from analytics.present.fmt import md_text
from analytics.present.views import Filters
from ui import cached, chinese

log = logging.getLogger(__name__)




# --- page pieces -------------------------------------------------------------------------

def page_header(title: str, f: Filters | None = None) -> Filters:
    """The page title and a caption naming the selection; returns the filters."""
    f = f or cached.filters()
    st.title(title)
    scope = "、".join(f.districts) if f.districts else schema.WHOLE_AREA
    if f.units:
        scope += f"（{len(f.units)} 个单位）"
    st.caption(md_text(f"{f.period_label} · {scope} · {cached.cut_offs(f).text}"))
    return f


def show_empty(message: str = "所选范围内暂无数据。") -> None:
    """A friendly notice instead of an empty table or chart."""
    st.info(message, icon="ℹ️")


def show_error(exc: AnalyticsError) -> None:
    st.error(md_text(exc))     # messages quote cells, sheet and file names


def metric_card(label: str, value: str, *, status: str | None = None,
                lines: tuple[str, ...] = (), help: str | None = None,
                delta: str | None = None) -> None:
    """A KPI card: big number, 同比 as the delta, a status badge (超前 green … 无目标
    grey), detail lines. A 持平 delta gets no arrow and no colour."""
    flat = delta == fmt.FLAT
    with st.container(border=True):
        st.metric(label, value, delta=delta, help=help,
                  delta_color="off" if flat else "normal",
                  delta_arrow="off" if flat else "auto",
                  delta_description="同比" if delta else None)
        if status:
            color, icon = palette.STATUS_BADGES.get(status, ("gray", ""))
            st.badge(f"{icon} {status}", color=color)
        for line in lines:
            st.caption(md_text(line))


def count_cards(cards, per_row: int = 3) -> None:
    """`summary_views.CountCard`s (label, value, status, lines) as metric cards, `per_row` a row."""
    for start in range(0, len(cards), per_row):
        for col, card in zip(st.columns(per_row), cards[start:start + per_row]):
            with col:
                metric_card(card.label, card.value, status=card.status, lines=card.lines)


def chart(fig, key: str) -> None:
    """A plotly figure at full width; plotly's mode bar speaks Chinese (`chinese.PLOTLY_CONFIG`)."""
    st.plotly_chart(fig, key=key, config=chinese.PLOTLY_CONFIG)


def table(df, key: str, *, column_config: dict | None = None, download: str | None = None,
          **kwargs):
    """A read-only table that fits its container (`fitted_columns`), index hidden (columns
    already labelled in Chinese); a blank cell shows "—", never "None"; a long table
    scrolls inside a fixed height under its header. `df` may be a pandas Styler.

    With `on_select="rerun"` (and a `selection_mode`) rows can be picked: the
    returned event holds the selection, and the picking boxes' column is left
    out of the room the columns get.

    `download` names the file of a 下载 CSV button under the table (`fmt.table_csv`:
    no cell runs as a formula). Streamlit's own toolbar download, which cannot be made
    safe, is switched off (`client.disableDataExport` in .streamlit/config.toml).
    """
    frame = getattr(df, "data", df)
    height = table_layout.table_height(len(frame))
    budget = table_layout.TABLE_BUDGET_PX
    if height is not None:
        kwargs.setdefault("height", height)
    if len(frame) > table_layout.LONG_TABLE_ROWS:
        budget -= table_layout.SCROLLBAR_PX     # a scrolling table loses its scroll bar's width
    if kwargs.get("on_select", "ignore") != "ignore":
        budget -= table_layout.ROW_MARKER_PX
    event = st.dataframe(df, key=key, hide_index=True, width="stretch",
                         column_config=fitted_columns(frame, column_config, budget=budget),
                         **{"placeholder": fmt.MISSING, **kwargs})
    if download:
        st.download_button("下载 CSV", functools.partial(fmt.table_csv, frame),
                           file_name=f"{download}.csv", mime="text/csv", key=f"{key}_csv",
                           on_click="ignore", icon=":material/download:")
    return event


def text_table(df: pd.DataFrame) -> None:
    """A short table of sentences (help texts): static, its long cells wrap instead of
    being cut at a column's width, so it always fits and every word can be read."""
    st.table(df.map(md_text), hide_index=True)


def fitted_columns(frame: pd.DataFrame, column_config: dict | None = None, *,
                   budget: int = table_layout.TABLE_BUDGET_PX, editable: bool = False) -> dict:
    """`column_config` with every column given a width that fits the page
    (`table_layout.fitted_widths`, headers measured by their shown label) and numbers
    right-aligned; the first column (the key: 区县, 批次号, 时间 …) is pinned on the left.
    `editable`: a `st.data_editor`'s, whose columns not disabled show a pencil."""
    config = dict(column_config or {})
    entries = {str(c): dict(config[c]) for c in frame.columns
               if isinstance(config.get(c), Mapping)}
    headers = {c: e["label"] for c, e in entries.items() if e.get("label")}
    pencils = [str(c) for c in frame.columns
               if editable and not entries.get(str(c), {}).get("disabled")]
    widths = table_layout.fitted_widths(frame, budget, headers=headers, editable=pencils)
    right = set(table_layout.right_aligned(frame))
    for position, column in enumerate(frame.columns):
        name = str(column)
        entry = config.get(column)
        if entry is None or isinstance(entry, str):
            entry = st.column_config.Column(entry)
        entry = dict(entry)
        if entry.get("width") is None:
            entry["width"] = widths[name]
        if name in right and entry.get("alignment") is None:
            entry["alignment"] = "right"
        if position == 0 and entry.get("pinned") is None:
            entry["pinned"] = True
        config[column] = entry
    return config


def export_panel(rep, key: str) -> None:
    """Downloads of the selection (Excel with charts, offline HTML) and the drafted 工作总结,
    with the sections the user picks (the same sections in the text and both files).

    The files are built only when a button is clicked (deferred download data).
    """
    import functools

    st.subheader("导出")
    try:
        from analytics.present.export_html import report_html
        from analytics.present.export_xlsx import report_xlsx
        from analytics.present import summary_text
    except ImportError:
        st.caption("导出功能尚未安装。")
        return
    chosen = tuple(st.multiselect(
        "工作总结包含的部分", list(summary_text.SECTIONS), default=list(summary_text.SECTIONS),
        key=f"{key}_sections", placeholder="选择要写入工作总结的部分",
        help="“三力一度”为参学、活动、志愿服务和目标完成情况的段落；所选部分同时写入 Excel 和 HTML 报告。"))
    stem = f"团务数据_{rep.selection.area_label}_{rep.selection.period_label}"
    left, right = st.columns(2)
    left.download_button(
        "下载 Excel 报告（含图表）", functools.partial(report_xlsx, rep, chosen),
        file_name=f"{stem}.xlsx", key=f"{key}_xlsx", on_click="ignore", icon=":material/download:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    right.download_button(
        "下载离线 HTML 报告", functools.partial(report_html, rep, chosen), file_name=f"{stem}.html",
        key=f"{key}_html", on_click="ignore", mime="text/html", icon=":material/download:")
    with st.expander("工作总结数据段落（可复制）", expanded=False):
        if not chosen:
            show_empty("未选择工作总结的部分：请在上方选择至少一个部分。")
            return
        try:
            paragraph = (summary_text.draft_summary(rep) if summary_text.shows_paragraph(chosen)
                         else None)
            sections = summary_text.extra_sections(rep, chosen)
        except AnalyticsError as exc:
            st.error(md_text(exc))
            return
        st.caption("由所选范围的数据自动生成，复制后可直接粘贴到工作总结中（右上角复制按钮）。")
        if paragraph is not None:
            st.code(paragraph, language=None, wrap_lines=True)
        for name, text in sections:
            st.markdown(f"**{md_text(name)}**")
            st.code(text, language=None, wrap_lines=True)
        if paragraph is None and not sections:
            show_empty("所选部分在所选范围内暂无数据。")
