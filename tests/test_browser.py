"""End to end in a real browser: Playwright drives Debian's /usr/bin/chromium
against `streamlit run app.py` (the dashboard with its login-cookie endpoint)
on a temporary SQLite database.

Logs in through the form, opens every page from the sidebar, waits for the
plotly charts and checks no exception box is shown; uploads a workbook on
数据上传 and sees 总览 change; checks the login gate holds for a page URL
opened directly; that a login survives reloads and new tabs and ends on
logout and on a password change elsewhere; that no page shows English;
that tables fit at 1440 and 1920 px and 总览 at 390 px. Screenshots of every
page go to `screenshots/` (README: 界面截图), kept by CI as artefacts.
"""
from __future__ import annotations

import os
import re
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
SHOTS = ROOT / "screenshots"
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
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
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
def server_folder(tmp_path_factory) -> Path:
    """The shared server's folder: its database `app.db` and data folder."""
    folder = tmp_path_factory.mktemp("browser")
    dh.new_database(folder / "app.db").dispose()
    return folder


@pytest.fixture(scope="module")
def server(server_folder):
    """A running dashboard on the small test data, shared by the module's tests."""
    with _serve(server_folder) as base:
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
def context(browser):
    """A fresh browser profile (no cookies) at 1440 px."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


def _settle(pg, timeout: float = 30_000) -> None:
    """Wait until the script run is over (the status widget says nothing)."""
    pg.wait_for_timeout(300)
    pg.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.trim()",
        timeout=timeout)
    pg.wait_for_timeout(300)


def _login(pg, base: str, path: str = "", *, user: str = dh.ADMIN, password: str = dh.PASSWORD,
           heading: str = "总览") -> None:
    pg.goto(f"{base}/{path}")
    _fill_login(pg, user, password)
    pg.get_by_role("heading", name=heading).first.wait_for(timeout=30_000)
    _settle(pg)


def _fill_login(pg, user: str, password: str) -> None:
    pg.get_by_label("用户名").fill(user)
    pg.get_by_label("密码").fill(password)
    pg.get_by_role("button", name="登录").click()


def _wait_for_cookie(context, timeout: float = 15.0) -> dict:
    """The login cookie, once the page's script has exchanged its ticket for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for cookie in context.cookies():
            if cookie["name"] == "league_session":
                return cookie
        time.sleep(0.2)
    pytest.fail("登录后浏览器没有收到登录 Cookie")


def _open(pg, title: str) -> None:
    pg.locator("[data-testid=stSidebar]").get_by_role("link", name=title).click()
    pg.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
    _settle(pg)


def _no_exception(pg) -> None:
    assert pg.locator("[data-testid=stException]").count() == 0
    assert pg.get_by_text("Traceback").count() == 0


def _card(pg, label: str) -> str:
    card = pg.locator("[data-testid=stMetric]").filter(has_text=label).first
    return card.locator("[data-testid=stMetricValue]").inner_text()


def test_every_page_renders_its_charts(server, page):
    _login(page, server)
    for title, name in PAGES.items():
        _open(page, title)
        if name != "overview":
            page.locator("[data-testid=stPlotlyChart] .js-plotly-plot").first.wait_for(timeout=30_000)
        _no_exception(page)
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
    # 青山区 reported further than the others: the whole area keeps the common cut-off
    # (its May does not move everyone's figures), and the page says so in plain words
    caption = page.locator("[data-testid=stCaptionContainer]").filter(has_text="数据截至").first
    assert "青山区已报至5月，其余区县至" in caption.inner_text()
    assert _card(page, "活动场次") == "5场"


def test_meeting_mode_hides_the_sidebar(server, page):
    _login(page, server)
    _open(page, "区县对比")
    page.get_by_text("会议模式").click()
    _settle(page)
    assert "meeting=1" in page.url
    assert not page.locator("[data-testid=stSidebar]").is_visible()
    page.locator("[data-testid=stPlotlyChart], [data-testid=stTable]").first.wait_for()
    _no_exception(page)
    # a presentation: the keys and a clicker's PageUp/PageDown turn the slides, Esc leaves
    heading = page.locator("h1").first
    page.get_by_role("heading", name="各区县主要指标对比").wait_for(timeout=30_000)
    seen = []
    for key in ("PageDown", "PageDown", "ArrowRight", "PageUp", "ArrowLeft"):
        _settle(page)         # a key pressed while a run is still drawing the slide is dropped
        page.locator(".st-key-meeting_page_down button").wait_for(state="attached")
        before = heading.inner_text()
        page.keyboard.press(key)
        page.wait_for_function("t => document.querySelector('h1').innerText !== t", arg=before,
                               timeout=30_000)
        _settle(page)
        seen.append(heading.inner_text())
    assert seen[0] == "参学率对比" and seen[1].startswith("参学人次")
    assert seen[2].startswith("活动场次") and seen[3] == seen[1] and seen[4] == "参学率对比"
    assert page.locator(".st-key-meeting_controls").evaluate(
        "e => getComputedStyle(e).opacity") == "0"          # the controls stay out of sight
    page.keyboard.press("Escape")
    page.get_by_role("heading", name="区县对比").wait_for(timeout=30_000)


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



# --- logins that last --------------------------------------------------------------------

def test_a_login_survives_reloads_and_new_tabs_until_logout(server, context, page):
    _login(page, server)
    cookie = _wait_for_cookie(context)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert 7.9 * 3600 < cookie["expires"] - time.time() <= 8 * 3600
    assert page.evaluate("document.cookie").find("league_session") == -1   # not readable by scripts
    page.reload()
    page.get_by_role("heading", name="总览").wait_for(timeout=30_000)
    assert page.get_by_label("密码").count() == 0
    other = context.new_page()
    other.goto(f"{server}/study")
    other.get_by_role("heading", name="青年大学习").first.wait_for(timeout=30_000)
    # logout ends the session on the server and deletes the cookie
    page.get_by_role("button", name="退出登录").click()
    page.get_by_label("密码").wait_for(timeout=30_000)
    deadline = time.monotonic() + 10
    while any(c["name"] == "league_session" for c in context.cookies()):
        assert time.monotonic() < deadline, "退出登录后登录 Cookie 仍在"
        time.sleep(0.2)
    other.reload()
    other.get_by_label("密码").wait_for(timeout=30_000)
    _settle(other)
    assert other.get_by_role("heading", name="青年大学习").count() == 0


def test_a_forged_or_replayed_cookie_logs_nobody_in(server, browser, context, page):
    _login(page, server)
    stolen = _wait_for_cookie(context)
    page.get_by_role("button", name="退出登录").click()
    page.get_by_label("密码").wait_for(timeout=30_000)
    for value in (stolen["value"], stolen["value"][:-2] + "xx", "abc.def"):
        thief = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        thief.add_cookies([{**stolen, "value": value}])
        pg = thief.new_page()
        pg.goto(f"{server}/study")
        pg.get_by_label("密码").wait_for(timeout=30_000)
        _settle(pg)
        assert pg.get_by_role("heading", name="青年大学习").count() == 0
        thief.close()


def test_a_password_change_ends_the_other_logins(server, server_folder, browser, page, context):
    """zhang logs in on two browsers and changes the password on one; the other is logged out."""
    from analytics import access
    from analytics.store import accounts
    from analytics.store.engine import get_engine

    engine = get_engine(f"sqlite:///{server_folder / 'app.db'}")
    accounts.create_user(engine, access.SYSTEM, "zhang", "zhang-pass-1", "viewer",
                         must_change_password=False)
    engine.dispose()
    _login(page, server, user="zhang", password="zhang-pass-1")
    _wait_for_cookie(context)
    laptop = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    other = laptop.new_page()
    _login(other, server, user="zhang", password="zhang-pass-1")
    _open(other, "我的账号")
    other.get_by_label("当前密码").fill("zhang-pass-1")
    other.get_by_label("新密码（至少 8 位）").fill("zhang-pass-2")
    other.get_by_label("再次输入新密码").fill("zhang-pass-2")
    other.get_by_role("button", name="修改密码").click()
    other.get_by_text("密码已修改").wait_for(timeout=30_000)
    page.reload()
    page.get_by_label("密码").wait_for(timeout=30_000)
    other.reload()
    other.get_by_role("heading", name="我的账号").wait_for(timeout=30_000)   # where it changed stays in
    laptop.close()


def test_a_shared_link_opens_the_same_view_after_login(server, page):
    page.goto(f"{server}/compare?d=临江区")
    _fill_login(page, dh.ADMIN, dh.PASSWORD)
    page.get_by_role("heading", name="区县对比").first.wait_for(timeout=30_000)
    _settle(page)
    assert "d=%E4%B8%B4%E6%B1%9F%E5%8C%BA" in page.url
    assert "临江区" in page.locator("[data-testid=stMain] [data-testid=stCaptionContainer]").first.inner_text()


def test_unknown_and_default_page_urls_go_home_without_an_english_dialog(server, page):
    _login(page, server)
    for path in ("overview?year=2025", "login", "no-such-page"):
        page.goto(f"{server}/{path}")
        page.get_by_role("heading", name="总览").wait_for(timeout=30_000)
        _settle(page)
        assert page.get_by_text("Page not found").count() == 0, path
    assert page.url.endswith("/?year=2025") or "year=2025" not in page.url


# --- no English, and everything fits -------------------------------------------------------

# the text a user can see: text nodes that are rendered (not hidden, not icon ligatures),
# and the CSS `content` of ::before / ::after (tooltips, the uploader's Chinese)
VISIBLE_TEXT_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.nodeValue.trim();
    const el = node.parentElement;
    if (!text || !el) continue;
    if (el.closest('script,style,noscript,[data-testid=stIconMaterial],[translate=no]')) continue;
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    if (parseFloat(getComputedStyle(el).fontSize) < 2) continue;
    const box = el.getBoundingClientRect();            // screen-reader-only labels are 1 px
    if (box.width <= 1 || box.height <= 1) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    if (![...range.getClientRects()].some(r => r.width > 1 && r.height > 1)) continue;
    out.push(text);
  }
  for (const el of document.querySelectorAll('*')) {
    for (const pseudo of ['::before', '::after']) {
      const content = getComputedStyle(el, pseudo).content;
      if (content && content.startsWith('"') && content.length > 2) out.push(content.slice(1, -1));
    }
  }
  for (const el of document.querySelectorAll('[title], [placeholder], [aria-label]')) {
    if (!el.checkVisibility()) continue;
    if (el.getAttribute('title')) out.push(el.getAttribute('title'));
    if (el.getAttribute('placeholder') && !el.value) out.push(el.getAttribute('placeholder'));
  }
  return out;
}"""
KNOWN_TERMS = {"Excel", "HTML", "PNG", "CSV", "MB", "KB", "SHA", "Plotly", "js", "ID"}
FILE_NAME = re.compile(r"[\w.\-/]*\.(?:xlsx|xls|csv|html|png|js)\b|[\w.\-]*/[\w.\-/]+")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _english(pg, allowed: set[str] = frozenset()) -> list[str]:
    """Latin words a user sees, other than file names, user names and `KNOWN_TERMS`."""
    words = set()
    for text in pg.evaluate(VISIBLE_TEXT_JS):
        for word in LATIN_WORD.findall(FILE_NAME.sub(" ", text)):
            if word not in KNOWN_TERMS and word not in allowed:
                words.add(f"{word}（{text[:40]}）")
    return sorted(words)


def _tables_wider_than_their_container(pg) -> list[str]:
    return pg.evaluate("""() => [...document.querySelectorAll('[data-testid=stDataFrame]')]
      .filter(e => e.getBoundingClientRect().width > 0)
      .map(e => [e, e.querySelector('.dvn-scroller') || e])
      .filter(([e, s]) => s.scrollWidth > s.clientWidth + 2
                          || e.getBoundingClientRect().right > e.parentElement.getBoundingClientRect().right + 1)
      .map(([e, s]) => `${s.scrollWidth} > ${s.clientWidth}`)""")


ALL_PAGES = {**PAGES, "目标管理": "targets", "数据上传": "upload", "账号管理": "accounts",
             "操作日志": "audit", "我的账号": "me"}


def test_no_english_and_tables_fit_on_every_page(server, page):
    SHOTS.mkdir(exist_ok=True)
    page.goto(server)
    page.get_by_label("密码").wait_for(timeout=30_000)
    _settle(page)
    assert _english(page) == []
    page.screenshot(path=str(SHOTS / "1440_login.png"), full_page=True)
    page.goto(f"{server}/no-such-page")
    page.get_by_label("密码").wait_for(timeout=30_000)
    _settle(page)
    assert _english(page) == []
    _login(page, server)
    for width in (1440, 1920):
        page.set_viewport_size({"width": width, "height": 1000})
        for title, name in ALL_PAGES.items():
            _open(page, title)
            _settle(page)
            page.wait_for_timeout(500)
            _no_exception(page)
            assert _english(page, {dh.ADMIN}) == [], f"{title}（{width}px）"
            assert _tables_wider_than_their_container(page) == [], f"{title}（{width}px）"
            assert page.evaluate("document.documentElement.scrollWidth") <= width, title
            if width == 1440:
                page.screenshot(path=str(SHOTS / f"1440_{name}.png"), full_page=True)


def test_the_uploader_speaks_chinese_before_and_after_a_file(server, page, tmp_path):
    _login(page, server)
    _open(page, "数据上传")
    button_text = page.locator("[data-testid=stFileUploaderDropzone] button p").evaluate(
        "p => getComputedStyle(p, '::after').content")
    assert button_text == '"选择文件"'
    assert "20 MB" in page.locator("[data-testid=stFileUploaderDropzoneInstructions]").evaluate(
        "e => getComputedStyle(e, '::after').content")
    assert _english(page, {dh.ADMIN}) == []
    book = dh.activities_workbook(tmp_path / "六月活动.xlsx", "青山区", f"{dh.YEAR}-06-06", 2)
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(book))
    page.get_by_role("button", name="确认导入").wait_for(timeout=30_000)
    _settle(page)
    assert _english(page, {dh.ADMIN}) == []
    page.screenshot(path=str(SHOTS / "1440_upload_checked.png"), full_page=True)


def test_meeting_view_at_1920_speaks_chinese(server, page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    _login(page, server)
    page.goto(f"{server}/compare?meeting=1")
    page.locator("[data-testid=stPlotlyChart], [data-testid=stTable]").first.wait_for(timeout=30_000)
    _settle(page)
    _no_exception(page)
    assert _english(page, {dh.ADMIN}) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "1920_meeting.png"), full_page=False)


def test_overview_on_a_phone(server, browser):
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                is_mobile=True, has_touch=True, device_scale_factor=2)
    pg = phone.new_page()
    _login(pg, server)
    pg.locator("[data-testid=stMetric]").first.wait_for(timeout=30_000)
    _settle(pg)
    pg.wait_for_timeout(1000)       # the cards' layout settles after the run
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    boxes = [pg.locator("[data-testid=stMetric]").nth(i).bounding_box() for i in range(3)]
    assert len({round(b["x"]) for b in boxes}) == 1, "指标卡片应上下排列"
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    assert all(b["x"] >= 0 and b["x"] + b["width"] <= 390 for b in boxes)
    assert _english(pg, {dh.ADMIN}) == []
    SHOTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(SHOTS / "390_overview.png"), full_page=True)
    phone.close()
