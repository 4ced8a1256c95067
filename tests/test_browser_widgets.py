"""Streamlit's own widget texts and downloads, in a real browser (see test_browser.py).

- Tables: the data grid's toolbar offers no "Download as CSV" of its own (English, and
  its cells would run as formulas in Excel); the table's 下载 CSV quote-prefixes
  cells that start with = + - @.
- The date range picker's calendar (操作日志) shows no English, month names included.
- The file uploader refuses a .txt file and an over-limit file in Chinese.
- 区县对比's tables show every header in full at 1440 and 1920 px (read off the
  screenshot: the grid draws its headers on a canvas).
- The data grid's own controls speak Chinese: the toolbar buttons' tooltips, the
  column menu (⋮ on a header), the show/hide-columns list and the search box.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests import dashboard_helpers as dh
from tests import store_helpers as sh
from tests.test_browser import (CHROMIUM, SHOTS, _english, _login, _open, _serve, _settle,
                                browser)  # noqa: F401 - `browser` is a fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="需要 Debian 的 /usr/bin/chromium"),
]

UPLOAD_LIMIT_MB = 1
HOSTILE_NAMES = ['=HYPERLINK("http://evil.example","点我")', "@SUM(A1:A9)", "+1+2", "-3+4"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The small test data plus volunteers whose names and unit look like formulas;
    uploads limited to 1 MB, so an over-limit file is small."""
    folder = tmp_path_factory.mktemp("widgets")
    engine = dh.new_database(folder / "app.db")
    volunteers = sh.volunteer("青山区", f"{dh.YEAR}-03", [1.0, 2.0, 3.0, 4.0],
                              ids=["=1+1", "@A1", "+86-1", "V9"])
    volunteers["name"] = HOSTILE_NAMES
    volunteers["unit"] = "=单位1"
    volunteers["person_key"] = "id:" + volunteers["volunteer_id"]
    dh.store_frames(engine, "hostile.xlsx", ("volunteer", volunteers))
    engine.dispose()
    with _serve(folder, STREAMLIT_SERVER_MAX_UPLOAD_SIZE=str(UPLOAD_LIMIT_MB)) as base:
        yield base


@pytest.fixture
def page(browser):  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN",
                              accept_downloads=True)
    yield ctx.new_page()
    ctx.close()


def test_tables_download_our_sanitised_csv_not_the_grids_own(server, page):
    _login(page, server)
    _open(page, "志愿服务")
    grid = page.locator("[data-testid=stDataFrame]").last       # 志愿者名单
    grid.hover()
    toolbar = page.locator("[data-testid=stElementToolbarButton] button")
    toolbar.first.wait_for(timeout=10_000)
    labels = toolbar.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    assert labels and not [label for label in labels if "download" in (label or "").lower()]
    with page.expect_download() as caught:
        page.get_by_role("button", name="下载 CSV").click()
    download = caught.value
    assert download.suggested_filename == f"志愿者名单_{dh.YEAR}年.csv"
    raw = Path(download.path()).read_bytes()
    assert raw.startswith("\ufeff".encode())                  # Excel reads the Chinese right
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "志愿者编号,姓名,区县,单位,累计服务时长（小时）,星级"
    rows = {line.split(",")[0]: line for line in lines[1:]}
    assert rows["'=1+1"] == "'=1+1,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"点我\"\")\",青山区,'=单位1,1.0,未达星级"
    assert rows["'@A1"].startswith("'@A1,'@SUM(A1:A9),青山区,'=单位1,")
    assert rows["'+86-1"].startswith("'+86-1,'+1+2,")
    assert rows["V9"].startswith("V9,'-3+4,")
    assert rows["V000"] == "V000,志愿者0,青山区,单位0,2.0,未达星级"


def test_the_date_range_calendar_speaks_chinese(server, page):
    _login(page, server)
    _open(page, "操作日志")
    page.locator("[data-testid=stDateInputCalendarButton]").click()
    calendar = page.locator("[data-testid=stDateInputCalendar]")
    calendar.wait_for(timeout=10_000)
    page.wait_for_timeout(300)
    assert _english(page, {dh.ADMIN}) == []         # no "Date range", "Select...", "Past Week"
    header = calendar.locator("header").inner_text()
    assert "月" in header and "年" in header
    assert calendar.locator("thead").inner_text().split() == ["一", "二", "三", "四", "五", "六", "日"]


def _refusal(page, index: int) -> str:
    """What the uploader says about its `index`-th refused file: next to it and on hover."""
    chip = page.locator("[data-testid=stFileChip]").nth(index)
    beside = chip.locator("[data-testid=stFileChipName] + *").evaluate(
        "e => getComputedStyle(e, '::after').content")
    chip.hover()
    tip = page.locator("[data-testid=stTooltipErrorContent]")
    tip.wait_for(timeout=10_000)
    page.wait_for_timeout(200)
    # not "text/plain files are not allowed." ("txt": the name of the file chosen)
    assert _english(page, {dh.ADMIN, "txt"}) == []
    said = tip.evaluate("e => getComputedStyle(e, '::after').content")
    page.mouse.move(0, 0)
    tip.wait_for(state="detached", timeout=10_000)
    return f"{beside.strip(chr(34))}|{said.strip(chr(34))}"


def test_the_uploader_refuses_in_chinese(server, page, tmp_path):
    notes = tmp_path / "说明.txt"
    notes.write_text("不是报表", encoding="utf-8")
    big = tmp_path / "大文件.xlsx"
    big.write_bytes(b"\0" * (UPLOAD_LIMIT_MB * 1024 * 1024 + 200_000))
    _login(page, server)
    _open(page, "数据上传")
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files([str(notes), str(big)])
    page.locator("[data-testid=stFileChip][aria-invalid=true]").nth(1).wait_for(timeout=10_000)
    _settle(page)
    assert _refusal(page, 0) == " · 类型不支持|文件类型不支持：只能上传 .xlsx、.xls、.csv 文件"
    assert _refusal(page, 1) == (f" · 超过 {UPLOAD_LIMIT_MB} MB|文件超过 {UPLOAD_LIMIT_MB} MB，"
                                 "无法上传；请删去多余的工作表或拆分后再传")


HEADER_PX = 35          # the grid's header row


def column_edges(png: Path) -> list[int]:
    """The x of each column border in a data-grid screenshot: the pixel columns that stay
    one light grey down the table body."""
    img = Image.open(png).convert("L")
    width, height = img.size
    px = img.load()
    body = range(HEADER_PX + 4, height - 2)
    lines = []
    for x in range(width):
        values = sorted(px[x, y] for y in body)
        median = values[len(values) // 2]
        if 150 < median < 245 and sum(abs(v - median) <= 6 for v in values) >= 0.9 * len(values):
            lines.append(x)
    return [x for i, x in enumerate(lines) if i == 0 or x - lines[i - 1] > 1]


def cut_headers(png: Path) -> list[tuple[int, int]]:
    """Header cells of a data-grid screenshot whose text runs into the cell's right edge
    (cut off), as (left, right) pixel columns; a header shown whole ends ≥ 5 px before it.
    """
    edges = column_edges(png)
    px = Image.open(png).convert("L").load()
    cut = []
    for left, right in zip(edges, edges[1:]):
        ink = [x for x in range(left + 2, right - 1) for y in range(10, HEADER_PX - 10)
               if px[x, y] < 140]
        if ink and right - max(ink) < 5:
            cut.append((left, right))
    return cut


@pytest.mark.parametrize("width", [1440, 1920])
def test_compare_headers_are_shown_whole(server, page, tmp_path, width):
    page.set_viewport_size({"width": width, "height": 1000})
    _login(page, server)
    _open(page, "区县对比")
    grids = page.locator("[data-testid=stDataFrame]")
    grids.nth(2).wait_for(timeout=30_000)      # 对比总表, 同比与环比, 三力一度
    _settle(page)
    for i in range(grids.count()):
        grid = grids.nth(i)
        grid.scroll_into_view_if_needed()
        page.mouse.move(0, 0)                 # no hover: the header's menu icon stays hidden
        page.wait_for_timeout(300)
        shot = tmp_path / f"compare_{width}_{i}.png"
        grid.screenshot(path=str(shot))
        headers = grid.locator("[role=columnheader]").all_inner_texts()
        assert cut_headers(shot) == [], f"表{i + 1}（{width}px）：{headers}"


# --- the data grid's own controls ------------------------------------------------------

AFTER_JS = "e => getComputedStyle(e, '::after').content.replace(/^\"|\"$/g, '')"


def _tooltip(page, grid, label: str) -> str:
    """The tooltip over the toolbar button `label` of `grid`, as the user reads it;
    fails on any English on the page while it shows."""
    page.mouse.move(0, 0)
    page.locator("[data-testid=stTooltipContent]").wait_for(state="detached", timeout=10_000)
    grid.scroll_into_view_if_needed()
    grid.hover()
    grid.locator(f"[data-testid=stElementToolbarButton] button[aria-label='{label}']").hover()
    tip = page.locator("[data-testid=stTooltipContent] p")
    tip.wait_for(timeout=10_000)              # shown a second after the pointer comes
    page.wait_for_timeout(200)
    assert _english(page, {dh.ADMIN}) == [], label
    return tip.evaluate(AFTER_JS)


def _open_column_menu(page, grid, tmp_path, column: int):
    """Click the ⋮ the grid draws (on its canvas) at the right of header `column`
    (0 = the row-picking boxes)."""
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    shot = tmp_path / "grid.png"
    grid.screenshot(path=str(shot))
    box = grid.bounding_box()
    right = box["x"] + column_edges(shot)[column + 1]
    page.mouse.move(right - 40, box["y"] + HEADER_PX / 2)
    page.wait_for_timeout(200)
    page.mouse.click(right - 12, box["y"] + HEADER_PX / 2)
    menu = page.locator("[data-testid=stDataFrameColumnMenu]")
    menu.wait_for(timeout=10_000)
    page.wait_for_timeout(200)
    return menu


def _press(page, grid, label: str, opens):
    """Click toolbar button `label` of `grid`; returns what it `opens`, once shown
    without English on the page."""
    grid.hover()
    grid.locator(f"button[aria-label='{label}']").click()
    opens.wait_for(timeout=10_000)
    page.wait_for_timeout(200)
    assert _english(page, {dh.ADMIN}) == [], label
    return opens


def test_the_data_grids_own_controls_speak_chinese(server, page, tmp_path):
    SHOTS.mkdir(exist_ok=True)
    _login(page, server)
    _open(page, "数据上传")
    history = page.locator("[data-testid=stDataFrame]").last           # 导入记录
    history.scroll_into_view_if_needed()
    assert _tooltip(page, history, "Show/hide columns") == "显示/隐藏列"
    assert _tooltip(page, history, "Search") == "在表中查找"
    assert _tooltip(page, history, "Fullscreen") == "全屏"
    page.screenshot(path=str(SHOTS / "1440_grid_tooltip.png"))

    # the column menu of 批次号: sort, autosize, hide; nothing English, no extras
    menu = _open_column_menu(page, history, tmp_path, 1)
    assert _english(page, {dh.ADMIN}) == []
    items = menu.locator("[role=menuitem]").filter(visible=True)
    shown = [items.nth(i).evaluate(AFTER_JS) for i in range(items.count())]
    assert shown == ["升序排列", "降序排列", "自动调整列宽", "隐藏此列"]
    assert menu.locator("button").filter(visible=True).count() == 0   # no "Copy column name"
    page.screenshot(path=str(SHOTS / "1440_grid_column_menu.png"))
    items.last.click()                           # 隐藏此列 hides 批次号
    menu.wait_for(state="detached", timeout=10_000)

    # the show/hide-columns list: 全选, then the columns (批次号 now unticked)
    columns = _press(page, history, "Show/hide columns",
                     page.locator("[data-testid=stDataFrameColumnVisibilityMenu]"))
    labels = columns.locator("label").filter(visible=True)
    assert labels.first.locator("span").last.evaluate(AFTER_JS) == "全选"
    assert labels.nth(1).inner_text() == "批次号"
    assert not labels.nth(1).locator("input").is_checked()
    page.screenshot(path=str(SHOTS / "1440_grid_columns.png"))
    labels.nth(1).click()                                             # 批次号 back
    page.keyboard.press("Escape")
    columns.wait_for(state="detached", timeout=10_000)

    # the search box: before typing, with matches, without
    status = _press(page, history, "Search", history.locator(".gdg-search-status"))
    assert status.locator("label").evaluate(AFTER_JS) == "输入要查找的文字"
    page.keyboard.type("青山区")
    found = status.locator("[data-testid=search-result-area]")
    found.wait_for(timeout=10_000)
    page.wait_for_timeout(300)
    assert _english(page, {dh.ADMIN}) == []
    assert found.evaluate(AFTER_JS) == "找到的单元格已标出，按回车跳到下一处"
    page.screenshot(path=str(SHOTS / "1440_grid_search.png"))
    page.keyboard.type("没有这个")
    page.wait_for_timeout(500)
    assert found.evaluate(AFTER_JS) == "没有找到"
    page.keyboard.press("Escape")

    # a picked row (清除选择), and full screen
    page.mouse.move(0, 0)
    box = history.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + HEADER_PX * 1.5)          # the first row's box
    _settle(page)
    picked = page.locator("[data-testid=stDataFrame]").filter(
        has=page.locator("button[aria-label='Clear selection']"))
    assert _tooltip(page, picked, "Clear selection") == "清除选择"
    picked.locator("button[aria-label='Fullscreen']").click()
    assert _tooltip(page, picked, "Close fullscreen") == "退出全屏"
    page.screenshot(path=str(SHOTS / "1440_grid_fullscreen.png"))
    picked.locator("button[aria-label='Close fullscreen']").click()
