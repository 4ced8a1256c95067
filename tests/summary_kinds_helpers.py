"""A small workbook of the 工作总结 kinds (评优表彰, 组织建设, 新媒体) and their targets, for
the page tests, next to `dashboard_helpers.small_data` (March of this year):

- 评优表彰: 青山区 “优秀共青团员” 12名 (个人), “五四红旗团支部” 2个 (集体); 临江区 “优秀团干部”
  5名 → 集体 2, 个人 17, 荣誉合计 19 (青山区 14, 临江区 5);
- 组织建设: 青山区 推优入党 8名, 青年突击队 3支; 临江区 推优入党 4名;
- 新媒体: 青山区 微信公众号 “青春热议” 2篇 (阅读 1200 + 800, 转发 10 + 5, 参与 6);
  临江区 视频号 “青春短视频” 1篇 (阅读 3000, 转发 20, 参与 9);
- 年度目标 (with small_data's two, as the targets of a year are replaced together):
  青山区 获评荣誉 20 (14 / 20 = 70%), 推优入党 10 (80%); 临江区 推优入党 40 (10%, 滞后
  at 31 March, 序时进度 24.66%).
"""
from __future__ import annotations

from pathlib import Path

import openpyxl

from analytics import access
from analytics.store import batches
from tests.dashboard_helpers import YEAR

MARCH = f"{YEAR}-03"


def summary_workbook(path: Path) -> Path:
    """The sheets above in one .xlsx, headers as staff write them."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "评优表彰"
    ws.append(["年度", "区", "荣誉名称", "级别", "类型", "获评对象", "数量", "授予单位"])
    ws.append([YEAR, "青山区", "优秀共青团员", "区级", "个人", "12名", 12, "团区委"])
    ws.append([YEAR, "青山区", "五四红旗团支部", "区级", "集体", "一中团支部等", 2, "团区委"])
    ws.append([YEAR, "临江区", "优秀团干部", "区级", "个人", "5名", 5, "团区委"])
    ws = wb.create_sheet("组织建设")
    ws.append(["月份", "区", "单位", "项目", "数量", "计量单位"])
    ws.append([MARCH, "青山区", "团区委", "推优入党", 8, "名"])
    ws.append([MARCH, "青山区", "团区委", "青年突击队", 3, "支"])
    ws.append([MARCH, "临江区", "团区委", "推优入党", 4, "名"])
    ws = wb.create_sheet("新媒体")
    ws.append(["日期", "区", "平台", "栏目/专题", "标题", "阅读量", "转发", "参与人数"])
    ws.append([f"{MARCH}-05", "青山区", "微信公众号", "青春热议", "青春热议（一）", 1200, 10, 6])
    ws.append([f"{MARCH}-12", "青山区", "微信公众号", "青春热议", "青春热议（二）", 800, 5, None])
    ws.append([f"{MARCH}-20", "临江区", "视频号", "青春短视频", "青春短视频第1期", 3000, 20, 9])
    ws = wb.create_sheet("年度目标")
    ws.append(["年度", "区", "指标", "目标值"])
    for district, indicator, value in [("全部", "参学率", 0.95), ("青山区", "活动场次", 4),
                                       ("青山区", "获评荣誉", 20), ("青山区", "推优入党", 10),
                                       ("临江区", "推优入党", 40)]:
        ws.append([YEAR, district, indicator, value])
    wb.save(path)
    return path


def store_summary_kinds(engine, folder: Path) -> None:
    """Store the workbook (its targets replace small_data's, which it repeats)."""
    path = summary_workbook(folder / "工作总结数据.xlsx")
    results = batches.store_file(engine, path, actor=access.SYSTEM, replace=True, isolate=False)
    assert results and all(r.batch_id for r in results), results
