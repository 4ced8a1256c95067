"""One district's early upload moves nobody else's figures (issue 17).

The bundled sample runs to October 2026 for every district; 青山区 then stores
its November workbook (a real Excel file, through the upload path). Each
district reads at its own last reported month, the whole area at the common
cut-off, and the command line and the report still agree.
"""
from __future__ import annotations

import base64
import json
import re
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import numpy
import openpyxl
import pytest

from analytics.access import SYSTEM
from analytics.cli.main import main
from analytics.metrics.report import TOTAL, build_report
from analytics.store.batches import store_file
from analytics.store.engine import get_engine
from analytics.store.frames import load_frames
from analytics.store.sample import SAMPLE_DIR, load_sample

YEAR = 2026
TODAY = date(2026, 12, 2)
CHROMIUM = "/usr/bin/chromium"


def november_workbook(path) -> None:
    """青山区's October sample workbook, moved to November (dates, 月份 and 期次)."""
    book = openpyxl.load_workbook(SAMPLE_DIR / "2026-10" / "青山区_2026-10.xlsx")
    for ws in book.worksheets:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, datetime) and cell.value.month == 10:
                    cell.value = cell.value.replace(month=11, day=min(cell.value.day, 30))
                elif cell.value == "2026年10月":
                    cell.value = "2026年11月"
                elif cell.value == "2026年第10期":
                    cell.value = "2026年第11期"
    book.save(path)


@pytest.fixture(scope="module")
def urls(tmp_path_factory):
    """(the sample as shipped, the sample plus 青山区's November)."""
    root = tmp_path_factory.mktemp("cutoffs")
    before, after = f"sqlite:///{root}/before.db", f"sqlite:///{root}/after.db"
    load_sample(get_engine(before))
    load_sample(get_engine(after))
    november_workbook(root / "青山区_2026-11.xlsx")
    results = store_file(get_engine(after), root / "青山区_2026-11.xlsx", actor=SYSTEM)
    assert all(r.batch_id for r in results)
    return before, after


def _report(url, **kwargs):
    return build_report(load_frames(get_engine(url)), year=YEAR, today=TODAY, **kwargs)


def test_one_districts_november_moves_nobody_elses_figures(urls):
    before, after = (_report(u) for u in urls)
    # the whole area keeps the common cut-off: 10月31日, 序时进度 83.29 %
    assert after.selection.as_of == before.selection.as_of == date(2026, 10, 31)
    area = after.target_of("activity_sessions")
    assert round(area["expected"] * 100, 2) == 83.29
    assert after.total == before.total
    assert after.yoy_of("activity_sessions") == before.yoy_of("activity_sessions")
    # every other district: the same figures, 同比 and status as before
    others = [d for d in before.selection.districts if d != "青山区"]
    for frame in ("targets", "yoy"):
        old = getattr(before, frame).set_index(["district", "indicator"])
        new = getattr(after, frame).set_index(["district", "indicator"])
        keys = [k for k in old.index if k[0] in [*others, TOTAL]]
        assert new.loc[keys].equals(old.loc[keys]), frame
    # 青山区 reads at its own November: 序时进度 91.51 %
    own = after.target_of("activity_sessions", "青山区")
    assert after.selection.as_of_of("青山区") == date(2026, 11, 30)
    assert round(own["expected"] * 100, 2) == 91.51
    # and the page says so in plain words
    assert after.selection.reported_text == "青山区已报至11月，其余区县至10月"
    assert before.selection.reported_text == ""


def test_the_command_line_agrees_with_the_report_per_district(urls, capsys):
    _, after = urls
    assert main(["indicators", "--year", str(YEAR), "--json", "--db", after]) == 0
    cli = json.loads(capsys.readouterr().out)
    report = _report(after)
    assert cli["as_of"] == "2026-10-31"
    assert cli["reported_text"] == "青山区已报至11月，其余区县至10月"
    as_of = {d["district"]: d["as_of"] for d in cli["districts"]}
    assert as_of["青山区"] == "2026-11-30" and as_of["东湖区"] == "2026-10-31"
    assert as_of == {d: report.selection.as_of_of(d).isoformat()
                     for d in report.selection.districts}
    from_cli = {(d["district"], name): (t["expected"], t["status"])
                for d in cli["districts"] for name, t in d["targets"].items()}
    from_cli |= {(TOTAL, name): (t["expected"], t["status"])
                 for name, t in cli["total"]["targets"].items()}
    from_report = {(r.district, r.indicator): (round(r.expected, 6), r.status)
                   for r in report.targets.itertuples()}
    assert from_cli == from_report


def test_an_admins_cut_off_month_applies_to_every_district(urls):
    _, after = urls
    report = _report(after, cutoff_month=9)
    assert report.selection.as_of == date(2026, 9, 30)
    assert {report.selection.as_of_of(d) for d in report.selection.districts} == {date(2026, 9, 30)}
    assert "管理员设定的统计截止月" in report.selection.as_of_text
    assert report.selection.reported_text == ""


def test_cards_and_the_comparison_table_show_month_on_month_next_to_year_on_year(urls):
    from analytics.present import views

    before, after = (_report(u) for u in urls)
    cards = {c.indicator: c for c in views.kpi_cards(after)}
    sessions = after.mom_of("activity_sessions")
    assert sessions["month"] == "2026-10"     # the area's common cut-off month
    assert cards["activity_sessions"].mom == f"10月环比 {views.change_text(sessions, 'activity_sessions')}"
    assert cards["activity_sessions"].yoy == views.change_text(
        before.yoy_of("activity_sessions"), "activity_sessions")
    table = views.comparison_changes(after.comparison, after).set_index(["区县", "对比"])
    own = after.mom_of("activity_sessions", "青山区")
    assert own["month"] == "2026-11"
    assert table.loc[("青山区", "11月环比"), "活动场次"] == views.change_text(own, "activity_sessions")
    assert table.loc[("东湖区", "10月环比"), "活动场次"] == views.change_text(
        after.mom_of("activity_sessions", "东湖区"), "activity_sessions")
    assert table.loc[("青山区", "同比"), "活动场次"] == views.change_text(
        after.yoy_of("activity_sessions", "青山区"), "activity_sessions")


def test_a_month_a_district_has_not_reported_reads_as_missing_not_zero(urls):
    from analytics.present import fmt

    after = _report(urls[1])
    monthly = after.monthly.set_index(["district", "month"])
    assert monthly.loc[("青山区", "2026-11"), "activity_participants"] > 0
    east = monthly.loc[("东湖区", "2026-11"), "activity_participants"]
    assert fmt.fmt_value("activity_participants", east) == "—"      # not "0人次"
    assert monthly.loc[("东湖区", "2026-10"), "activity_participants"] > 0


class _Tables(HTMLParser):
    """Every <table> of a page as rows of cell texts, and the text of class="note"."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.notes: list[str] = []
        self._cell: str | None = None
        self._note: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag == "p" and ("class", "note") in attrs:
            self._note = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._note is not None:
            self._note += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(self._cell.strip())
            self._cell = None
        elif tag == "p" and self._note is not None:
            self.notes.append(self._note)
            self._note = None


def _figures(page: str) -> list[dict]:
    """The plotly figures of an exported page: {"data": [...], "layout": {...}}."""
    decoder, out = json.JSONDecoder(), []
    for match in re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*', page):
        data, end = decoder.raw_decode(page, match.end())
        layout, _ = decoder.raw_decode(page, page.index("{", end))
        out.append({"data": data, "layout": layout})
    return out


def _numbers(values) -> list[float]:
    """A trace's numbers as plotly writes them: a list, or base64 `bdata` of a dtype."""
    if isinstance(values, dict):
        return numpy.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def test_the_html_report_shows_each_districts_own_progress_like_the_pages(urls, tmp_path):
    """The exported file: 序时进度 and status of a district at its own cut-off, the area's
    at the common one, the plain-words sentence, and a chart of each district's 完成率
    against its own 序时进度 — the same figures the pages show."""
    from analytics.present import views
    from analytics.present.export_html import report_html

    report = _report(urls[1])
    path = tmp_path / "报告.html"
    path.write_text(report_html(report), encoding="utf-8")
    page = path.read_text(encoding="utf-8")
    parsed = _Tables()
    parsed.feed(page)
    assert "青山区已报至11月，其余区县至10月" in parsed.notes[0]
    assert parsed.notes[0].startswith("数据截至 2026年10月31日")
    [targets] = [t for t in parsed.tables if "序时进度" in t[0]]
    head = targets[0]
    rows = {(r[0], r[1]): dict(zip(head, r)) for r in targets[1:]}
    assert {k: rows[("青山区", "活动场次")][k] for k in ("序时进度", "统计截至", "状态")} == {
        "序时进度": "91.51%", "统计截至": "2026-11-30", "状态": "超前"}
    assert {k: rows[("东湖区", "活动场次")][k] for k in ("序时进度", "统计截至")} == {
        "序时进度": "83.29%", "统计截至": "2026-10-31"}
    assert {k: rows[("合计", "活动场次")][k] for k in ("序时进度", "统计截至")} == {
        "序时进度": "83.29%", "统计截至": "2026-10-31"}
    # each district's status in the file is the one 总览 shows for it
    shown = views.district_status_table(report).set_index("区县")
    for district in report.selection.districts:
        for label in ("参学率", "活动场次", "参与人次", "志愿服务时长"):
            if (district, label) in rows:
                assert rows[(district, label)]["状态"] == shown.loc[district, f"{label}状态"]
    # the chart of 活动场次 by district: 青山区's 序时进度 tick at its own November
    [chart] = [f for f in _figures(page)
               if f["layout"].get("title", {}).get("text") == "各区县活动场次完成率与本区序时进度"]
    ticks = {y: x for trace in chart["data"] if trace["name"] == "序时进度"
             for y, x in zip(trace["y"], _numbers(trace["x"]))}
    assert round(ticks["青山区"] * 100, 2) == 91.51
    assert {round(v * 100, 2) for d, v in ticks.items() if d != "青山区"} == {83.29}


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="需要 Debian 的 /usr/bin/chromium")
def test_the_html_reports_category_names_do_not_overlap(urls, tmp_path):
    """The sample's 14 activity categories, in the exported file opened in Chromium at
    1440 and 1024 px: no two category names under the chart overlap."""
    from playwright.sync_api import sync_playwright

    from analytics.present.export_html import report_html

    path = tmp_path / "报告.html"
    path.write_text(report_html(_report(urls[1])), encoding="utf-8")
    overlaps = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            for width in (1440, 1024):
                view = browser.new_page(viewport={"width": width, "height": 1000})
                view.goto(path.as_uri(), wait_until="load")
                view.wait_for_function("document.querySelectorAll('.main-svg').length > 20")
                view.wait_for_timeout(500)
                overlaps[width] = view.evaluate(CATEGORY_OVERLAPS_JS)
        finally:
            browser.close()
    assert overlaps == {1440: [], 1024: []}


# the category chart's tick names, as pairs whose boxes overlap
CATEGORY_OVERLAPS_JS = """() => {
  const plot = [...document.querySelectorAll('.js-plotly-plot')]
    .find(p => (p.querySelector('.gtitle') || {}).textContent === '各类别活动参与人次');
  const boxes = [...plot.querySelectorAll('.xtick text')].map(t => [t.textContent, t.getBoundingClientRect()]);
  const out = [];
  for (let i = 0; i + 1 < boxes.length; i++) {
    const [a, p] = boxes[i], [b, q] = boxes[i + 1];
    if (p.right > q.left + 1 && q.right > p.left + 1) out.push(`${a} / ${b}`);
  }
  return out;
}"""
