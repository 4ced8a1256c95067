"""评优表彰, 组织建设 (and their targets) on 总览 and 区县对比 in a real browser at 1440 px:
the sections are there, their tables fit, no English and no error; screenshots go to
`screenshots/`. On 总览 the user keeps only the 评优表彰 section of the 工作总结 and the
HTML report downloaded from the page carries that section only."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests import dashboard_helpers as dh
from tests import summary_kinds_helpers as skh
from tests.test_browser import (CHROMIUM, SHOTS, _english, _login, _no_exception, _open,  # noqa: F401
                                _serve, _settle, _tables_wider_than_their_container, browser,
                                context, page)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="需要 Debian 的 /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser_summary")
    engine = dh.new_database(folder / "app.db")
    skh.store_summary_kinds(engine, folder)
    engine.dispose()
    with _serve(folder) as base:
        yield base


def _section(pg, heading: str):
    found = pg.get_by_role("heading", name=heading, exact=True).first
    found.scroll_into_view_if_needed()
    return found


@pytest.mark.parametrize("title, name, headings", [
    ("总览", "overview", ["评优表彰", "组织建设", "评优表彰、组织建设目标进度"]),
    ("区县对比", "compare", ["评优表彰", "组织建设"]),
])
def test_sections_fit_and_read_in_chinese_at_1440(server, page, title, name, headings):
    SHOTS.mkdir(exist_ok=True)
    _login(page, server)
    page.set_viewport_size({"width": 1440, "height": 1000})
    if title != "总览":
        _open(page, title)
    _settle(page)
    for heading in headings:
        assert _section(page, heading).is_visible(), heading
    page.wait_for_timeout(800)
    _no_exception(page)
    assert _english(page, {dh.ADMIN}) == []
    assert _tables_wider_than_their_container(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    if name == "overview":          # a card (table cells are drawn on a canvas)
        assert page.locator("[data-testid=stMetric]").filter(has_text="荣誉合计").count() == 1
    else:
        assert page.locator(".js-plotly-plot").filter(has_text="各区县获评荣誉").count() == 1
    # the whole page in one picture: the main block scrolls, so the window is made as tall
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1440, "height": min(int(height) + 50, 12_000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / f"1440_{name}_summary_kinds.png"), full_page=True)


def test_the_html_report_carries_the_sections_the_user_picked(server, page):
    _login(page, server)
    picker = page.get_by_test_id("stMultiSelect").filter(has_text="工作总结包含的部分").first
    picker.scroll_into_view_if_needed()
    for name in ("三力一度", "组织建设", "新媒体", "专项"):
        picker.locator(f'button[aria-label="Remove {name}"]').click()
        _settle(page)
    assert "评优表彰" in picker.inner_text() and "组织建设" not in picker.inner_text()
    with page.expect_download() as download:
        page.get_by_role("button", name="下载离线 HTML 报告").click()
    html = Path(download.value.path()).read_text(encoding="utf-8")
    assert "工作总结·评优表彰（草稿）" in html and "“优秀共青团员”12名" in html
    assert "工作总结数据段落（草稿）" not in html and "工作总结·组织建设" not in html
