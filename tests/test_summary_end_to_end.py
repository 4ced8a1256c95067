"""End to end: the sheets one district work summary implies (seed 000, 2022) are built
with openpyxl, imported through `python -m analytics import`, and every figure is
found, worded as the summaries write it, in `python -m analytics report --format md`."""
from __future__ import annotations

import openpyxl
import pytest

from analytics.cli.main import main

DISTRICT = "某区"

ACTIVITY_HEADER = ["日期", "区", "单位", "活动名称", "活动类别", "场次", "参与人次", "志愿者人数",
                   "服务时长", "覆盖人数", "经费", "专项", "受助人数"]
ACTIVITIES = [
    # (date, title, category, sessions, participants, volunteers, hours, reached, funds, 专项, 受助人数)
    ("2022-06-10", "心理健康服务进社区", "心理健康", 15, 512, None, None, None, None, None, None),
    ("2022-06-20", "心理个案咨询", "心理健康", 1, 150, None, None, None, None, "个案咨询", None),
    ("2022-05-30", "轻松备考 与你同行", "心理健康", 4, 3050, None, None, None, None, "高考减压",
     None),
    ("2022-08-01", "返乡大学生向基层报到", "返家乡社会实践", 27, 682, None, None, None, None,
     "返家乡", None),
    ("2022-08-25", "希望工程圆梦助学", "助学帮困", 1, 8, None, None, None, 40000, "圆梦助学", 8),
    ("2022-10-15", "青年职业技能培训", "技能培训", 6, 514, None, None, None, None, "技能培训",
     None),
    ("2022-07-10", "青少年防溺水宣传志愿服务", "安全教育", 23, 312, 40, 812.5, 1050, None,
     "防溺水", None),
]

HONOUR_HEADER = ["年度", "区", "荣誉名称", "级别", "类型", "获评对象", "数量", "授予单位"]
HONOURS = [
    ("五四红旗团委", "集体", 4), ("五四红旗团支部", "集体", 4), ("优秀共青团员", "个人", 54),
    ("优秀团干部", "个人", 35), ("青年五四奖章", "个人", 5), ("青年五四奖章集体", "集体", 6),
    ("优秀青年志愿者", "个人", 94), ("优秀青年志愿服务集体", "集体", 5),
]

ORGANISATION_HEADER = ["月份", "区", "单位", "项目", "数量", "计量单位"]
ORGANISATION = [("青年突击队", 19), ("新增青年技能人才", 159), ("新增青年高技能人才", 151),
                ("新增青年其他人才", 5)]

MEDIA_HEADER = ["日期", "区", "平台", "栏目/专题", "标题", "阅读量", "转发", "参与人数"]
# 8 articles of 青春热议二十大: 18 团干部, 6 青联委员, 9 教师, 8 学生, 11 志愿者, 6 大学生; 50000 reads
VOICES = [18, 6, 9, 8, 11, 6, 0, 0]


def _media_rows() -> list[tuple]:
    rows = [(f"2022-{1 + i % 11:02d}-05", "微信公众号", "青年大学习", f"青年大学习第{i + 1}期",
             None, None, None) for i in range(32)]
    rows += [("2022-10-2" + str(i), "微信公众号", "青春热议二十大", f"青春热议二十大（{i + 1}）",
              6250, 10, VOICES[i]) for i in range(8)]
    rows += [("2022-04-1" + str(i), "微信公众号", "青心聚力 战疫同行", f"战疫同行（{i + 1}）",
              None, None, 10) for i in range(7)]
    return rows


def _summary_workbook(path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "活动台账"
    ws.append(ACTIVITY_HEADER)
    for date, title, cat, sessions, people, vols, hours, reached, funds, project, helped \
            in ACTIVITIES:
        ws.append([date, DISTRICT, "团区委", title, cat, sessions, people, vols, hours, reached,
                   funds, project, helped])
    ws = wb.create_sheet("评优表彰")
    ws.append(HONOUR_HEADER)
    for honour, kind, count in HONOURS:
        ws.append([2022, DISTRICT, honour, "区级", kind, f"{count}{'个' if kind == '集体' else '名'}",
                   count, "团区委"])
    ws = wb.create_sheet("组织建设")
    ws.append(ORGANISATION_HEADER)
    for item, count in ORGANISATION:
        ws.append(["2022-12", DISTRICT, "团区委", item, count, None])
    ws = wb.create_sheet("新媒体")
    ws.append(MEDIA_HEADER)
    for date, platform, column, title, reads, shares, people in _media_rows():
        ws.append([date, DISTRICT, platform, column, title, reads, shares, people])
    ws = wb.create_sheet("青年大学习")
    ws.append(["月份", "区", "单位", "团员数", "参学人数"])
    ws.append(["2022-12", DISTRICT, "团区委", 125000, 120500])
    wb.save(path)


@pytest.fixture(scope="module")
def markdown(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("summary_e2e")
    url = f"sqlite:///{root / 'league.db'}"
    path = root / "2022年工作总结.xlsx"
    _summary_workbook(path)
    assert main(["import", str(path), "--db", url]) == 0
    out = root / "报告.md"
    assert main(["report", "--year", "2022", "--format", "md", "-o", str(out), "--db", url]) == 0
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("wording", [
    # 评优表彰
    "“五四红旗团委”4个", "“五四红旗团支部”4个", "“优秀共青团员”54名", "“优秀团干部”35名",
    "“青年五四奖章”5名", "“青年五四奖章集体”6个", "“优秀青年志愿者”94名",
    "“优秀青年志愿服务集体”5个", "共207个集体和个人获荣誉称号",
    # 组织建设 and 技能培训's new talents
    "组建青年突击队19支", "新增青年技能人才159名", "新增青年高技能人才151名",
    "专业技术人才等5名",
    # 新媒体
    "“青年大学习”专栏，发表文章32篇", "“青春热议二十大”专栏，发表文章8篇，58名青年参与，阅读量达5万人次",
    "“青心聚力 战疫同行”专栏，发表文章7篇，70名青年参与",
    # 专项, each with its figures
    "个案咨询专项：开展活动1场次，参与青年150人次", "高考减压专项：开展活动4场次，参与青年3000余人次",
    "返家乡专项：开展活动27场次，参与青年682人次",
    "圆梦助学专项：开展活动1场次，参与青年8人次，帮扶8名，筹款4万元，每人5000元",
    "技能培训专项：开展活动6场次，参与青年514人次",
    "防溺水专项：开展活动23场次，参与青年312人次，覆盖群众1000余人，志愿者40名，总服务时长超800小时",
    # 三力一度 paragraph
    "参学“青年大学习”超12万人次",
])
def test_each_figure_of_the_summary_is_in_the_markdown_report(markdown, wording):
    assert wording in markdown


def test_sections_can_be_chosen(tmp_path):
    url = f"sqlite:///{tmp_path / 'league.db'}"
    path = tmp_path / "总结.xlsx"
    _summary_workbook(path)
    assert main(["import", str(path), "--db", url]) == 0
    out = tmp_path / "r.md"
    assert main(["report", "--year", "2022", "--format", "md", "-o", str(out), "--db", url,
                 "--sections", "评优表彰,专项"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "“优秀共青团员”54名" in text and "防溺水专项" in text
    assert "工作总结数据段落" not in text and "青年突击队" not in text


def test_unknown_section_is_a_chinese_error(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'league.db'}"
    code = main(["report", "--year", "2022", "--format", "md", "--db", url, "--sections", "表彰"])
    assert code == 1
    assert "没有名为“表彰”的工作总结部分" in capsys.readouterr().err


def test_honour_level_outside_the_list_is_rejected_in_chinese(tmp_path, capsys):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HONOUR_HEADER)
    ws.append([2022, DISTRICT, "优秀共青团员", "乡级", "个人", "张三", 1, "团区委"])
    ws.append([2022, DISTRICT, "优秀共青团员", "市级", "个人", "李四", 1, "团市委"])
    path = tmp_path / "表彰.xlsx"
    wb.save(path)
    url = f"sqlite:///{tmp_path / 'league.db'}"
    code = main(["import", str(path), "--db", url, "--skip-bad-rows"])
    out = capsys.readouterr()
    assert code == 1
    assert "“乡级”不是可选的级别" in out.out + out.err
