"""report_xlsx: Chinese sheets, numbers kept numeric, native charts, no formula injection."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import openpyxl
import pytest

from analytics.present.export_xlsx import report_xlsx
from analytics.metrics.report import build_report
from analytics.present.summary_text import draft_summary
from tests.report_helpers import activities, sample_frames, study

AS_OF = date(2026, 3, 31)
SHEETS = ["区县对比", "月度趋势", "目标完成", "同比", "三力一度", "活动类别", "星级志愿者",
          "参学落后单位", "工作总结"]


@pytest.fixture(scope="module")
def report():
    return build_report(sample_frames(), year=2026, months=(1, 3), as_of=AS_OF)


@pytest.fixture(scope="module")
def content(report) -> bytes:
    return report_xlsx(report)


@pytest.fixture(scope="module")
def book(content):
    return openpyxl.load_workbook(io.BytesIO(content))


def _xml(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return {name: z.read(name).decode("utf-8") for name in z.namelist()
                if name.endswith(".xml") or name.endswith(".rels")}


def _charts_by_sheet(content: bytes) -> dict[str, list[str]]:
    """{sheet name: [chart xml, ...]} following workbook -> sheet -> drawing -> chart rels."""
    xml = _xml(content)
    names = re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"',
                       xml["xl/workbook.xml"])
    rels = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"',
                           xml["xl/_rels/workbook.xml.rels"]))
    out: dict[str, list[str]] = {}
    for name, rid in names:
        sheet_file = rels[rid].split("/")[-1]
        sheet_rels = xml.get(f"xl/worksheets/_rels/{sheet_file}.rels", "")
        charts = []
        for drawing in re.findall(r'Target="../drawings/([^"]+)"', sheet_rels):
            drawing_rels = xml[f"xl/drawings/_rels/{drawing}.rels"]
            for chart in re.findall(r'Target="../charts/([^"]+)"', drawing_rels):
                charts.append(xml[f"xl/charts/{chart}"])
        out[name] = charts
    return out


def _refs(chart: str) -> list[str]:
    return re.findall(r"<c:f>([^<]+)</c:f>", chart)


def test_sheets_are_in_chinese_and_in_order(book):
    assert book.sheetnames == SHEETS


def test_comparison_sheet_values_ranks_and_formats(book):
    ws = book["区县对比"]
    assert ws["A1"].value == "区县对比 — 2026年1—3月（全部区县）"
    assert [c.value for c in ws[4]][:5] == ["区县", "参学率（%）", "排名", "参学人次（人次）", "排名"]
    assert [c.value for c in ws[5]] == ["东城区", 0.95, 1, 1900, 1, 2000, 1, 23, 1, 345, 2, 2, 1,
                                        100.5, 1]
    assert [c.value for c in ws[6]] == ["西城区", 0.9, 2, 450, 2, 500, 2, 6, 2, 682, 1, 2, 1,
                                        60, 2]
    total = [c.value for c in ws[7]]
    assert total[0] == "合计"
    assert total[1::2] == [0.94, 2350, 2500, 29, 1027, 3, 160.5]
    assert ws["B5"].number_format == "0.00%"
    assert ws["D5"].number_format == "#,##0"
    assert ws["N5"].number_format == "#,##0.0"
    assert ws["C5"].number_format == '"第"0"名"'
    assert ws["A9"].value == "各区年度目标"
    assert [c.value for c in ws[11]][:8] == ["东城区", None, None, None, None, None, None, 100]
    assert [c.value for c in ws[12]][:8] == ["西城区", None, None, None, None, None, None, 50]
    assert isinstance(ws["D5"].value, int | float)          # numbers stay numbers


def test_monthly_sheet_blocks(book):
    ws = book["月度趋势"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[0] == "活动场次（场）")
    assert rows[start + 1][:6] == ["月份", "东城区", "西城区", "合计", "合计累计", "目标进度（累计）"]
    assert [r[:5] for r in rows[start + 2:start + 5]] == [
        ["2026-01", 10, 0, 10, 10], ["2026-02", 8, 6, 14, 24], ["2026-03", 5, 0, 5, 29]]
    assert rows[start + 4][5] == pytest.approx(150 * 90 / 365)


def test_targets_sheet(book):
    ws = book["目标完成"]
    rows = [[c.value for c in row] for row in ws.iter_rows(values_only=False)]
    start = next(i for i, r in enumerate(rows) if r[0] == "活动场次（场）")
    assert rows[start + 1] == ["区县", "实际完成", "年度目标", "完成率", "序时进度", "状态"]
    assert rows[start + 2][:4] == ["东城区", 23, 100, 0.23]
    assert rows[start + 2][5] == "正常"
    assert rows[start + 3][5] == "滞后"
    assert rows[start + 4][:3] == ["合计", 29, 150]
    assert ws.cell(start + 3, 4).number_format == "0.00%"


def test_yoy_sheet_shows_rate_changes_in_points(book):
    rows = [[c.value for c in row] for row in book["同比"].iter_rows(min_row=5)]
    assert rows[0] == ["东城区", "参学率（%）", 0.95, 0.9, 5, None]
    assert rows[4] == ["东城区", "参与人次（人次）", 345, 300, 45, 0.15]
    assert book["同比"].cell(5, 5).number_format.startswith('+0.00"个百分点"')


def test_summary_sheet_holds_the_drafted_paragraph(book, report):
    ws = book["工作总结"]
    assert ws["A4"].value == draft_summary(report)
    assert [c.value for c in ws[6]][:4] == ["数据来源", "区县", "数值", "文中写法"]
    assert [c.value for c in ws[7]][:4] == ["参学人次", "合计", 2350, "2300余"]


def test_native_charts_by_sheet_and_type(content):
    charts = _charts_by_sheet(content)
    compare = charts["区县对比"]
    assert len(compare) == 7
    assert all("<c:barChart>" in c and '<c:barDir val="col"/>' in c for c in compare)
    assert _refs(compare[0]) == ["区县对比!$A$5:$A$6", "区县对比!$B$5:$B$6"]
    assert _refs(compare[4]) == ["区县对比!$A$5:$A$6", "区县对比!$J$5:$J$6"]   # 参与人次
    # districts with their own target (活动场次) get a 年度目标 marker series
    assert "<c:lineChart>" in compare[3] and "<c:lineChart>" not in compare[4]
    assert _refs(compare[3]) == ["区县对比!$A$5:$A$6", "区县对比!$H$5:$H$6",
                                 "区县对比!$A$5:$A$6", "区县对比!$H$11:$H$12"]
    monthly = charts["月度趋势"]
    assert len(monthly) == 9        # 7 indicators + 2 cumulative-vs-target (counts with a target)
    assert all("<c:lineChart>" in c for c in monthly)
    assert all(len(re.findall("<c:ser>", c)) == 2 for c in monthly)   # one per district / line
    radar = charts["三力一度"]
    assert len(radar) == 1 and "<c:radarChart>" in radar[0]
    assert _refs(radar[0]) == ["三力一度!$A$5", "三力一度!$B$4:$E$4", "三力一度!$B$5:$E$5",
                               "三力一度!$A$6", "三力一度!$B$4:$E$4", "三力一度!$B$6:$E$6"]
    targets = charts["目标完成"]
    assert len(targets) == 3
    sessions = next(c for c in targets if "活动场次：实际与目标" in c)
    # rows 23-24 are the two districts; row 25 (合计) is left out of the chart
    assert _refs(sessions) == ["目标完成!$B$22", "目标完成!$A$23:$A$24", "目标完成!$B$23:$B$24",
                               "目标完成!$C$22", "目标完成!$A$23:$A$24", "目标完成!$C$23:$C$24"]
    assert '<c:barDir val="bar"/>' in charts["活动类别"][0]
    assert len(charts["星级志愿者"]) == 1
    assert charts["同比"] == [] and charts["工作总结"] == []


def test_cumulative_chart_has_the_target_pace_series(content, book):
    monthly = _charts_by_sheet(content)["月度趋势"]
    pace = [c for c in monthly if "累计完成与目标进度" in c]
    assert len(pace) == 2
    ws = book["月度趋势"]
    for chart in pace:
        names = re.findall(r"<c:tx><c:strRef><c:f>([^<]+)</c:f>", chart)
        cells = [ws[ref.split("!")[1].replace("$", "")].value for ref in names]
        assert cells == ["合计累计", "目标进度（累计）"]


HOSTILE = ["=1+2", "+SUM(A1:A2)", "-2+3", "@cmd", "\t=tab", "\r=cr",
           '=HYPERLINK("http://evil.example","点我")']


def test_text_from_uploads_never_becomes_a_formula():
    units = HOSTILE
    acts = activities([("2026-02-01", d, u, "=2*3", "心理健康", 1, 10 + i, 0, 0)
                       for i, (d, u) in enumerate(zip(HOSTILE, units))])
    stud = study([("2026-02", d, u, 100, 90) for d, u in zip(HOSTILE, units)])
    report = build_report({"activities": acts, "study": stud}, year=2026, months=(1, 3),
                          as_of=AS_OF)
    content = report_xlsx(report)
    xml = _xml(content)
    sheets = [v for k, v in xml.items() if k.startswith("xl/worksheets/sheet")]
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)
    book = openpyxl.load_workbook(io.BytesIO(content))
    # OOXML writes a CR as _x000D_ (Excel shows the CR); openpyxl leaves it escaped
    districts = [c.value.replace("_x000D_", "\r") for c in book["区县对比"]["A"][4:4 + len(HOSTILE)]]
    assert sorted(districts) == sorted(HOSTILE)
    units_seen = [c.value.replace("_x000D_", "\r") for c in book["参学落后单位"]["B"][4:]]
    assert sorted(units_seen) == sorted(HOSTILE)
    for row in book["区县对比"].iter_rows(min_row=5, max_row=4 + len(HOSTILE), max_col=1):
        assert row[0].data_type == "s"


def test_empty_report_is_still_a_valid_workbook():
    content = report_xlsx(build_report({}, year=2026, as_of=date(2026, 6, 30)))
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == SHEETS
    assert book["月度趋势"]["A4"].value == "所选范围内暂无数据"
    assert book["目标完成"]["A4"].value.startswith("暂无年度目标数据")
    assert book["工作总结"]["A4"].value == "2026年，所选范围内暂无数据。"
    assert sum(len(c) for c in _charts_by_sheet(content).values()) == 1   # the star chart


def test_single_district_without_targets_has_no_target_charts():
    frames = sample_frames()
    frames["targets"] = frames["targets"].iloc[0:0]
    report = build_report(frames, year=2026, months=(1, 3), districts=["西城区"], as_of=AS_OF)
    charts = _charts_by_sheet(report_xlsx(report))
    assert charts["目标完成"] == []
    assert len(charts["月度趋势"]) == 7
    assert all(len(re.findall("<c:ser>", c)) == 1 for c in charts["月度趋势"])
    assert len(charts["区县对比"]) == 7


def test_formula_like_text_also_gets_the_quote_prefix():
    """Shown as text, and still text after a user edits the cell and presses Enter."""
    acts = activities([("2026-02-01", d, "一中团委", "活动", "心理健康", 1, 10 + i, 0, 0)
                       for i, d in enumerate(HOSTILE)] +
                      [("2026-02-01", "东城区", "一中团委", "活动", "心理健康", 1, 5, 0, 0)])
    report = build_report({"activities": acts}, year=2026, months=(1, 3), as_of=AS_OF)
    xml = _xml(report_xlsx(report))
    styles = xml["xl/styles.xml"]
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    quoted = {i for i, xf in enumerate(re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", xfs, re.S))
              if 'quotePrefix="1"' in xf}
    assert quoted
    sheet = xml["xl/worksheets/sheet1.xml"]
    strings = re.findall(r"<si><t[^>]*>(.*?)</t></si>", xml["xl/sharedStrings.xml"], re.S)
    cells = re.findall(r'<c r="A\d+" s="(\d+)" t="s"><v>(\d+)</v></c>', sheet)
    by_text = {strings[int(v)].replace("_x000D_", "\r"): int(s) for s, v in cells}
    for text in HOSTILE:
        assert by_text[text] in quoted, text
    assert by_text["东城区"] not in quoted


def test_target_charts_leave_out_the_total_bar(content):
    """The 合计 bar (sum of the districts) would dwarf every district's bar."""
    charts = _charts_by_sheet(content)["目标完成"]
    book = openpyxl.load_workbook(io.BytesIO(content))
    ws = book["目标完成"]
    for chart in charts:
        for ref in _refs(chart):
            cells = ref.split("!")[1].replace("$", "")
            if ":" not in cells:
                continue
            first, last = cells.split(":")
            labels = [ws[f"A{r}"].value for r in range(int(first[1:]), int(last[1:]) + 1)]
            assert "合计" not in labels, ref


def test_targets_note_for_a_range_from_march():
    report = build_report(sample_frames(), year=2026, months=(3, 3), as_of=AS_OF)
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))
    assert book["目标完成"]["A2"].value.startswith("序时进度 = 3月1日至 2026-03-31 的天数 ÷ 全年天数")
