"""Chinese where Streamlit and plotly only speak English.

Streamlit's file uploader ("Upload", "20MB per file", and its refusals "text/plain
files are not allowed.", "File must be 20.0MB or smaller."), its skip link and the
date range picker's "Date range / Select... / Past Week" quick choices have no text
options (nor have the full-screen button Streamlit adds to plotly's mode bar and the
data grid's toolbar tooltips, column menu, show/hide-columns list and search box), so a
stylesheet hides their English text and shows Chinese in its place (CSS ``content``
on their stable ``data-testid`` selectors); `tests/test_browser.py` reads the
visible text of every page to catch what this misses. Plotly's mode bar is translated
with a plotly locale (`PLOTLY_CONFIG`).
"""
from __future__ import annotations

import streamlit as st

UPLOAD_BUTTON = "选择文件"
UPLOAD_TYPES = ("xlsx", "xls", "csv")      # what the upload page's file uploader accepts


def _css_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _refusals(max_upload_mb: int) -> str:
    """Chinese for the uploader's refusals, which Streamlit writes in English into a
    tooltip (shown while the pointer is on the file) and nowhere else.

    The browser refuses a file for its type (not one of `UPLOAD_TYPES`) or its size;
    which one is told by the file's name, so the reason also shows next to the file.
    """
    types = "、".join(f".{t}" for t in UPLOAD_TYPES)
    wrong_type = f"文件类型不支持：只能上传 {types} 文件"
    too_big = f"文件超过 {max_upload_mb} MB，无法上传；请删去多余的工作表或拆分后再传"
    allowed = ", ".join(f'[title$=".{t}" i]' for t in UPLOAD_TYPES)
    name = '[data-testid="stFileChipName"]'
    chip = '[data-testid="stFileChip"][aria-invalid="true"]'
    tip = '[data-testid="stTooltipErrorContent"]'
    return f"""
body:has([data-testid="stFileChip"]:hover) {tip} {{ font-size: 0; }}
body:has([data-testid="stFileChip"]:hover) {tip}::after {{
  content: {_css_text(f"无法上传：只能上传 {types} 文件，每个不超过 {max_upload_mb} MB")};
  font-size: 0.875rem;
}}
body:has({chip}:hover {name}:not({allowed})) {tip}::after {{ content: {_css_text(wrong_type)}; }}
body:has({chip}:hover {name}:is({allowed})) {tip}::after {{ content: {_css_text(too_big)}; }}
{chip} {name} + *::after {{ color: #c8102e; }}
{chip}:has({name}:not({allowed})) {name} + *::after {{ content: " · 类型不支持"; }}
{chip}:has({name}:is({allowed})) {name} + *::after {{ content: {_css_text(f" · 超过 {max_upload_mb} MB")}; }}
"""


# the data grid's toolbar buttons (their aria-label, "Search" or "Search: <table label>")
# and the Chinese of the tooltip Streamlit shows over each
GRID_TOOLBAR = {
    "Show/hide columns": "显示/隐藏列", "Search": "在表中查找", "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏", "Clear selection": "清除选择",
}
# the data grid's column menu (the ⋮ on a header): its items have no test ids, so each is
# found by its place; "Sort ascending/descending" are the two items before the divider
COLUMN_MENU = '[data-testid="stDataFrameColumnMenu"] [role="menu"]'
COLUMN_MENU_ITEMS = {
    '> [role="menuitem"]:has(+ [role="menuitem"] + :not([role]))': "升序排列",
    '> [role="menuitem"]:has(+ :not([role]))': "降序排列",
    '> [role="menuitem"]:nth-last-child(3)': "自动调整列宽",
    '> [role="menuitem"]:last-child': "隐藏此列",
}
# what the column menu offers but the dashboard does not need, and CSS cannot put into
# Chinese: the column's type icon and 复制列名 (English native title tooltips),
# 统计 (an English statistics panel), 格式 (Dollar, Euro, Yen … over formats our columns
# already set) and 固定/取消固定 (which of the two it is cannot be told apart, and
# tables fit their container, so pinning moves nothing into view; the key column is
# pinned already, `widgets.fitted_columns`)
COLUMN_MENU_HIDDEN = (
    "> :first-child > [title]:first-child", "> :first-child button",
    '> [role="presentation"]:has([aria-haspopup])',
    '> [role="menuitem"]:nth-last-child(2)',
)
SEARCH_BAR = ".gdg-search-bar"      # the grid's search box (glide-data-grid)


def _data_grid() -> str:
    """Chinese for the data grid's toolbar tooltips, column menu, show/hide-columns
    list and search box, which Streamlit and glide-data-grid only write in English."""
    rules = []
    tip = '[data-testid="stTooltipContent"] [data-testid="stMarkdownContainer"] p'
    for label, chinese in GRID_TOOLBAR.items():
        button = (f'[data-testid="stElementToolbarButton"]:hover '
                  f':is(button[aria-label="{label}"], button[aria-label^="{label}: "])')
        rules.append(f"body:has({button}) {tip} {{ font-size: 0; }}\n"
                     f"body:has({button}) {tip}::after {{ content: {_css_text(chinese)}; "
                     "font-size: 0.875rem; }")
    for item, chinese in COLUMN_MENU_ITEMS.items():
        rules.append(f"{COLUMN_MENU} {item} {{ font-size: 0; }}\n"
                     f"{COLUMN_MENU} {item}::after {{ content: {_css_text(chinese)}; "
                     "font-size: 0.875rem; }")
    hidden = ", ".join(f"{COLUMN_MENU} {item}" for item in COLUMN_MENU_HIDDEN)
    columns = '[data-testid="stDataFrameColumnVisibilityMenu"]'
    found = f'{SEARCH_BAR} [data-testid="search-result-area"]'
    return "\n".join(rules) + f"""
{hidden} {{ display: none; }}
{columns} > * > label:first-child > span:last-child {{ font-size: 0; }}
{columns} > * > label:first-child > span:last-child::after {{ content: "全选"; font-size: 0.875rem; }}
{columns} label:has(input[aria-label="(index)"]) {{ display: none; }}
{SEARCH_BAR} .gdg-search-status label {{ font-size: 0; }}
{SEARCH_BAR} .gdg-search-status label::after {{ content: "输入要查找的文字"; font-size: 0.75rem; }}
{found} {{ font-size: 0; }}
{found}::after {{ content: "找到的单元格已标出，按回车跳到下一处"; font-size: 0.75rem; }}
{SEARCH_BAR}:has(button[disabled]) [data-testid="search-result-area"]::after {{ content: "没有找到"; }}
"""


def stylesheet(max_upload_mb: int) -> str:
    """The `<style>` that puts Chinese over Streamlit's English labels."""
    limit = f"拖放文件到此处，或点击“{UPLOAD_BUTTON}”；每个文件不超过 {max_upload_mb} MB"
    return f"""<style>{_refusals(max_upload_mb)}{_data_grid()}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{
  font-size: 0; line-height: 0;
}}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: {_css_text(UPLOAD_BUTTON)}; font-size: 0.875rem; line-height: 1.6;
}}
[data-testid="stFileUploaderDropzoneInstructions"] > * {{ display: none; }}
[data-testid="stFileUploaderDropzoneInstructions"]::after {{
  content: {_css_text(limit)}; font-size: 0.875rem; opacity: 0.75;
}}
.js-plotly-plot .plotly .modebar-btn[data-title="Fullscreen"]::after {{ content: "全屏"; }}
.js-plotly-plot .plotly .modebar-btn[data-title="Close fullscreen"]::after {{ content: "退出全屏"; }}
[data-testid="stSkipToContent"] {{ font-size: 0; }}
[data-testid="stSkipToContent"]::after {{ content: "跳到主要内容"; font-size: 1rem; }}
[data-testid="stDateInputQuickSelect"] {{ display: none; }}
</style>"""


def apply() -> None:
    """Add the stylesheet to this page run (the router calls it on every run)."""
    st.html(stylesheet(int(st.get_option("server.maxUploadSize"))))


# plotly's own mode-bar and hover texts, in Chinese (a plotly locale passed with each chart)
PLOTLY_DICTIONARY = {
    "Autoscale": "自动缩放", "Box Select": "矩形框选", "Lasso Select": "套索选择",
    "Pan": "平移", "Reset axes": "重置坐标轴", "Reset view": "重置视图",
    "Zoom": "缩放", "Zoom in": "放大", "Zoom out": "缩小",
    "Download plot as a png": "下载图表（PNG 图片）", "Download plot as a PNG": "下载图表（PNG 图片）",
    "Download plot": "下载图表", "Show closest data on hover": "悬停时显示最近的数据",
    "Compare data on hover": "悬停时比较数据", "Toggle Spike Lines": "切换辅助线",
    "Toggle show closest data on hover": "切换悬停显示最近数据",
    "Double-click to zoom back out": "双击还原", "Snapshot succeeded": "图片已生成",
    "Taking snapshot - this may take a few seconds": "正在生成图片，请稍候",
    "Sorry, there was a problem downloading your snapshot!": "抱歉，图片下载失败",
    "Produced with Plotly.js": "由 Plotly.js 生成", "Reset": "重置",
    "Orbital rotation": "轨道旋转", "Turntable rotation": "转盘旋转",
    "Zoom back out": "还原", "trace": "系列",
}
PLOTLY_CONFIG = {
    "displaylogo": False,
    "locale": "zh-CN",
    "locales": {"zh-CN": {"dictionary": PLOTLY_DICTIONARY, "format": {
        "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        "shortDays": ["日", "一", "二", "三", "四", "五", "六"],
        "months": [f"{m}月" for m in range(1, 13)],
        "shortMonths": [f"{m}月" for m in range(1, 13)],
        "date": "%Y-%m-%d", "decimal": ".", "thousands": ",",
    }}},
}
