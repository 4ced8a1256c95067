"""Tables that fit: column widths within the room there is, numbers right-aligned."""
from __future__ import annotations

import pandas as pd

from analytics.present import table_layout as tl


def test_a_narrow_table_keeps_the_widths_its_content_needs():
    frame = pd.DataFrame({"区县": ["青山区", "临江区"], "参学率": ["93.33%", "75.00%"]})
    widths = tl.fitted_widths(frame)
    assert widths == tl.natural_widths(frame)
    assert widths["区县"] >= tl.text_width("青山区")


def test_a_wide_table_is_narrowed_to_the_budget_from_its_widest_columns():
    frame = pd.DataFrame({"批次号": [6], "区县": ["青山区"], "文件名": ["很长的文件名" * 8 + ".xlsx"],
                          "SHA-256": ["dc3e5f6c726a2ff264f1db61" * 3], "状态": ["有效"]})
    natural = tl.natural_widths(frame)
    assert sum(natural.values()) > tl.TABLE_BUDGET_PX
    widths = tl.fitted_widths(frame)
    assert sum(widths.values()) <= tl.TABLE_BUDGET_PX
    for short in ("批次号", "区县", "状态"):       # key columns are not cut
        assert widths[short] == natural[short]
    assert widths["文件名"] == widths["SHA-256"] < natural["文件名"]


def test_many_columns_never_go_below_the_minimum_width():
    frame = pd.DataFrame({f"第{i}列很长的表头": ["一些文字"] for i in range(30)})
    assert min(tl.fitted_widths(frame).values()) >= tl.MIN_COLUMN_PX


def test_numbers_with_units_are_right_aligned_text_is_not():
    frame = pd.DataFrame({"区县": ["青山区", "临江区"], "参学率": ["93.33%", "75.00%"],
                          "参与人次": ["1,200人次", "44人次"], "排名": ["第1名", "第2名"],
                          "场次": [3, 2], "启用": [True, False], "状态": ["超前", "滞后"],
                          "参学人次": ["28.97万人次（第3）", "7,453.5小时（第1）"]})
    assert tl.right_aligned(frame) == ["参学率", "参与人次", "排名", "场次", "参学人次"]


def test_long_tables_scroll_in_a_fixed_height():
    assert tl.table_height(tl.AUTO_HEIGHT_ROWS) is None          # Streamlit shows them all
    assert tl.table_height(12) == 13 * tl.ROW_PX + 2              # all 12 rows, no scrolling
    assert tl.table_height(tl.LONG_TABLE_ROWS) == tl.LONG_TABLE_HEIGHT_PX
    assert tl.table_height(tl.LONG_TABLE_ROWS + 1) == tl.LONG_TABLE_HEIGHT_PX


def test_a_header_is_measured_as_shown_with_an_editors_pencil():
    frame = pd.DataFrame({"志愿服务时长（小时）": [8100.0], "区": ["东湖区"]})
    plain = tl.natural_widths(frame)
    shown = tl.natural_widths(frame, headers={"志愿服务时长（小时）": "志愿服务时长"},
                              editable=["志愿服务时长（小时）"])
    # the label shown, not the column's name, sets the width; the pencil adds its room
    assert shown["志愿服务时长（小时）"] == (
        tl.text_width("志愿服务时长") + tl.EDIT_ICON_PX + tl.CELL_PADDING_PX)
    assert shown["志愿服务时长（小时）"] < plain["志愿服务时长（小时）"]
    assert shown["区"] == plain["区"]
