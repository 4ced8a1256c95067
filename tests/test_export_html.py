"""report_html / report_markdown: self-contained, escaped, with the tables and the paragraph."""
from __future__ import annotations

import os
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analytics.present.export_html import report_html, report_markdown
from analytics.metrics.report import build_report
from analytics.present.summary_text import draft_summary
from tests.report_helpers import sample_frames, study

AS_OF = date(2026, 3, 31)
CHROMIUM = "/usr/bin/chromium"


class _Page(HTMLParser):
    """Start tags with their attributes, headings, and inline script sizes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.headings: list[str] = []
        self.scripts: list[int] = []
        self._in: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("h1", "h2", "script"):
            self._in, self._text = tag, ""

    def handle_data(self, data):
        if self._in:
            self._text += data

    def handle_endtag(self, tag):
        if tag == self._in:
            if tag == "script":
                self.scripts.append(len(self._text))
            else:
                self.headings.append(self._text)
            self._in = None


@pytest.fixture(scope="module")
def report():
    frames = sample_frames()
    frames["study"] = study([*frames["study"][["month", "district", "unit", "members", "learners"]]
                             .itertuples(index=False, name=None),
                             ("2026-03", "西城区", "<script>alert('x')</script>", 100, 50)])
    return build_report(frames, year=2026, months=(1, 3), as_of=AS_OF)


@pytest.fixture(scope="module")
def page(report) -> str:
    return report_html(report)


def _parsed(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def test_html_loads_nothing_from_the_network(page):
    parsed = _parsed(page)
    external = [(tag, attrs) for tag, attrs in parsed.tags
                for key in ("src", "href") if attrs.get(key)
                and (attrs[key].startswith(("http:", "https:", "//")) or "cdn" in attrs[key])]
    assert external == []
    assert not [t for t, _ in parsed.tags if t in ("link", "iframe", "img")]
    assert all("src" not in attrs for tag, attrs in parsed.tags if tag == "script")


def test_plotly_js_is_inlined_once_and_the_file_stays_small(page):
    parsed = _parsed(page)
    big = [n for n in parsed.scripts if n > 1_000_000]
    assert len(big) == 1                                    # plotly.js itself, inline
    assert page.count("plotly.js (basic - minified) v") == 1
    assert len(page.encode("utf-8")) < 2_000_000
    # 7 comparison + study-rate trend + 2 cumulative-vs-target + 完成率 vs 序时进度 (the area,
    # and the districts' one indicator with district targets, each at its own 序时进度)
    # + category + stars + 5 同比 changes: the charts a leader reads, no radar or gauge
    assert len(re.findall(r'Plotly\.newPlot\(\s*"', page)) == 19
    from analytics.present import charts
    from analytics.present.export_html import _FigureWriter
    with pytest.raises(ValueError, match="full plotly.js"):   # the basic bundle cannot draw it
        _FigureWriter().grid([charts.kpi_bullet("activity_sessions", 5, target=10)])


def test_html_has_chinese_headings_tables_and_the_paragraph(page, report):
    parsed = _parsed(page)
    assert parsed.headings[0] == "团务数据报告 — 2026年1—3月（全部区县）"
    assert parsed.headings[1:] == ["工作总结数据段落（草稿）", "区县对比", "月度合计", "目标完成",
                                   "同比", "三力一度得分", "活动类别", "星级志愿者",
                                   "参学率最低的单位"]
    for paragraph in draft_summary(report).split("\n\n"):   # one <p> per section
        assert f'<p class="summary">{paragraph}</p>' in page
    assert "<th>参学率排名</th>" in page
    assert "<td>第1名</td>" in page
    assert '<html lang="zh-CN">' in page and '<meta charset="utf-8">' in page


def test_html_escapes_text_from_uploads(page):
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;alert(" in page


def test_empty_report_html_and_markdown():
    report = build_report({}, year=2026, as_of=date(2026, 6, 30))
    page = report_html(report)
    assert "所选范围内暂无数据" in page and "暂无年度目标数据" in page
    assert len([n for n in _parsed(page).scripts if n > 1_000_000]) == 1
    text = report_markdown(report)
    assert "2026年，所选范围内暂无数据。" in text


def test_markdown_has_the_paragraph_and_pipe_tables(report):
    text = report_markdown(report)
    lines = text.splitlines()
    assert lines[0] == "# 团务数据报告 — 2026年1—3月（全部区县）"
    assert all(p in lines for p in draft_summary(report).split("\n\n"))
    assert "## 区县对比" in lines
    assert ("| 东城区 | 95.00% | 第1名 | 1,900人次 | 第1名 | 2,000人 | 第1名 | 23场 | 第1名 "
            "| 345人次 | 第2名 | 2人 | 第1名 | 100.5小时 | 第1名 |") in lines
    assert "| 合计 | 参与人次 | 1,027人次 | 4,000人次 | 25.67% | 24.66% | 2026-03-31 | 正常 |" in lines


def test_markdown_escapes_pipes():
    frames = sample_frames()
    frames["study"] = study([("2026-02", "西城区", "一|二团委", 100, 50)])
    text = report_markdown(build_report(frames, year=2026, months=(1, 3), as_of=AS_OF))
    assert "| 西城区 | 一\\|二团委 | 50 | 100 | 50.00% | 预警 |" in text


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="需要 Debian 的 /usr/bin/chromium")
def test_html_renders_offline_in_chromium(page, tmp_path):
    from playwright.sync_api import sync_playwright

    path = tmp_path / "报告.html"
    path.write_text(page, encoding="utf-8")
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run"])
        try:
            view = browser.new_page(viewport={"width": 1400, "height": 2000})
            view.on("request", lambda r: requests.append(r.url))
            view.route("http*://**", lambda route: route.abort())
            view.goto(path.as_uri(), wait_until="load")
            view.wait_for_function("document.querySelectorAll('.main-svg').length >= 19",
                                   timeout=30_000)
            plots = view.locator(".js-plotly-plot").count()
            text = view.inner_text("body")
            Path("/tmp/shots").mkdir(exist_ok=True)
            view.screenshot(path="/tmp/shots/report.png")
        finally:
            browser.close()
    assert plots == 19
    assert "工作总结数据段落（草稿）" in text and "各区参学率对比" in text
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []
