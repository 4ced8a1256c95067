"""End to end in a real browser: Playwright drives Debian's /usr/bin/chromium
against `streamlit run dashboard.py` on a temporary SQLite database.

Logs in through the form, opens every dashboard page from the sidebar, waits
for the plotly charts and checks no exception box is shown; uploads a
workbook on 数据上传 and sees 总览 change; checks the login gate holds for a
page URL opened directly. Screenshots go to /tmp/shots/browser_*.png.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests import dashboard_helpers as dh

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path("/tmp/shots")
PAGES = {"总览": "overview", "青年大学习": "study", "活动开展": "activities",
         "志愿服务": "volunteer", "区县对比": "compare"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="需要 Debian 的 /usr/bin/chromium"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _serve(folder: Path, **extra_env: str):
    """`streamlit run dashboard.py` on the test database in `folder`; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "LEAGUE_DB_URL": f"sqlite:///{folder / 'app.db'}",
           "LEAGUE_DATA_DIR": str(folder / "data"), "PYTHONPATH": str(ROOT)}
    env.pop("LEAGUE_PUBLIC_VIEW", None)
    env.update(extra_env)
    log_path = folder / f"server-{port}.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
         "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("看板服务未能启动：\n" + log_path.read_text())
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A running dashboard on the small test data, shared by the module's tests."""
    folder = tmp_path_factory.mktemp("browser")
    dh.new_database(folder / "app.db")
    with _serve(folder) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()


def _settle(pg, timeout: float = 30_000) -> None:
    """Wait until the script run is over (the status widget says nothing)."""
    pg.wait_for_timeout(300)
    pg.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.trim()",
        timeout=timeout)
    pg.wait_for_timeout(300)


def _login(pg, base: str) -> None:
    pg.goto(base)
    pg.get_by_label("用户名").fill(dh.ADMIN)
    pg.get_by_label("密码").fill(dh.PASSWORD)
    pg.get_by_role("button", name="登录").click()
    pg.get_by_role("heading", name="总览").wait_for(timeout=30_000)
    _settle(pg)


def _open(pg, title: str) -> None:
    pg.locator("[data-testid=stSidebarNav]").get_by_role("link", name=title).click()
    pg.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
    _settle(pg)


def _no_exception(pg) -> None:
    assert pg.locator("[data-testid=stException]").count() == 0
    assert pg.get_by_text("Traceback").count() == 0


def _card(pg, label: str) -> str:
    card = pg.locator("[data-testid=stMetric]").filter(has_text=label).first
    return card.locator("[data-testid=stMetricValue]").inner_text()


def test_every_page_renders_its_charts(server, page):
    SHOTS.mkdir(exist_ok=True)
    _login(page, server)
    for title, name in PAGES.items():
        _open(page, title)
        if name != "overview":
            page.locator("[data-testid=stPlotlyChart] .js-plotly-plot").first.wait_for(timeout=30_000)
        _no_exception(page)
        page.screenshot(path=str(SHOTS / f"browser_{name}.png"), full_page=True)
    _open(page, "总览")
    assert _card(page, "参学率") == "82.86%"
    assert page.locator("[data-testid=stPlotlyChart]").count() >= 1


def test_upload_changes_the_overview(server, page, tmp_path):
    _login(page, server)
    assert _card(page, "活动场次") == "5场"
    _open(page, "数据上传")
    book = dh.activities_workbook(tmp_path / "五月活动.xlsx", "青山区", f"{dh.YEAR}-05-06", 10)
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(book))
    submit = page.get_by_role("button", name="确认导入")
    submit.wait_for(timeout=30_000)
    _settle(page)
    submit.click()
    _settle(page)
    _no_exception(page)
    _open(page, "总览")
    assert _card(page, "活动场次") == "15场"


def test_meeting_mode_hides_the_sidebar(server, page):
    _login(page, server)
    _open(page, "区县对比")
    page.get_by_text("会议模式").click()
    _settle(page)
    assert "meeting=1" in page.url
    assert not page.locator("[data-testid=stSidebar]").is_visible()
    page.locator("[data-testid=stPlotlyChart], [data-testid=stTable]").first.wait_for()
    page.screenshot(path=str(SHOTS / "browser_meeting.png"), full_page=False)
    _no_exception(page)


def test_page_urls_need_a_login(tmp_path, page):
    """A page URL opened before anyone has loaded the entry page (the first request
    after a restart, e.g. a bookmark) must still show the login form."""
    dh.new_database(tmp_path / "app.db")
    with _serve(tmp_path) as base:
        for path in ("accounts", "study", "upload"):
            page.goto(f"{base}/{path}")
            page.get_by_role("heading").first.wait_for(timeout=30_000)
            _settle(page)
            assert page.get_by_label("密码").count() == 1, f"/{path} 未登录即可打开"
            assert page.get_by_text("Page not found").count() == 0, f"/{path}: 页面不存在提示"
            assert page.get_by_role("heading", name="账号管理").count() == 0
            assert page.get_by_role("heading", name="青年大学习").count() == 0
