"""LEAGUE_PUBLIC_VIEW=1: anonymous visitors see aggregates only — no volunteer's name or id
in any table, text, chart or download. AppTest reads every table (what the table toolbar
downloads), a real browser clicks every download button."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import access
from tests import dashboard_helpers as dh
from tests import store_helpers as sh
from tests.test_browser import CHROMIUM, PAGES, _serve, _settle, browser, context, page  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
PEOPLE_IDS = ["V-778899", "V-665544"]
PERSONAL = ("V-778899", "V-665544", "志愿者0", "志愿者1")


def _database(path: Path):
    engine = dh.new_database(path)
    dh.store_frames(engine, "people.xlsx",
                    ("volunteer", sh.volunteer("临江区", f"{dh.YEAR}-03", [5.0, 7.5], ids=PEOPLE_IDS)))
    return engine


def _everything_shown(at: AppTest) -> str:
    parts = [e.value if isinstance(e.value, str) else "" for kind in
             ("markdown", "caption", "text", "title", "subheader", "info", "warning", "code")
             for e in getattr(at, kind)]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [str(e.proto) for e in at.get("plotly_chart")]
    return "\n".join(parts)


def test_only_logged_in_users_see_people():
    assert not access.sees_people(access.PUBLIC)
    assert access.sees_people(access.User("li", "viewer"))


@pytest.mark.slow
@pytest.mark.parametrize("url_path", sorted(PAGES.values()))
def test_public_pages_show_no_person(tmp_path, monkeypatch, url_path):
    st.cache_data.clear()
    st.cache_resource.clear()
    _database(tmp_path / "app.db").dispose()
    monkeypatch.setenv("LEAGUE_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("LEAGUE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LEAGUE_PUBLIC_VIEW", "1")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page(f"pages/{url_path}.py").run()
    assert not at.exception
    shown = _everything_shown(at)
    assert [p for p in PERSONAL if p in shown] == []
    if url_path == "volunteer":
        assert "公开视图只显示汇总数据；志愿者名单请登录后查看。" in shown
        assert [t.key for t in at.text_input] == []           # no search over people either
        assert "12.5" in shown or "12.50" in shown            # the hours still add up
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="需要 Debian 的 /usr/bin/chromium")
def test_public_view_in_the_browser_every_download(tmp_path, page):  # noqa: F811
    _database(tmp_path / "app.db").dispose()
    downloads = []
    with _serve(tmp_path, LEAGUE_PUBLIC_VIEW="1") as base:
        page.goto(base)
        for title, name in PAGES.items():
            page.locator("[data-testid=stSidebar]").get_by_role("link", name=title).click()
            page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
            _settle(page)
            if name in ("overview", "compare"):          # the pages with the export panel
                page.locator("[data-testid=stDownloadButton]").first.wait_for(timeout=30_000)
            body = page.locator("body").inner_text()
            assert [p for p in PERSONAL if p in body] == [], name
            assert page.get_by_label("密码").count() == 0
            buttons = page.locator("[data-testid=stDownloadButton] button")
            for i in range(buttons.count()):
                with page.expect_download(timeout=60_000) as got:
                    buttons.nth(i).click()
                downloads.append((name, got.value.suggested_filename,
                                  Path(got.value.path()).read_bytes()))
                _settle(page)
    assert {n for n, _, _ in downloads} >= {"overview", "compare"}
    for name, file_name, content in downloads:
        text = _readable_text(file_name, content)
        assert "临江区" in text, file_name                    # the file holds the data…
        assert [p for p in PERSONAL if p in text] == [], (name, file_name)   # …but no person


def _readable_text(file_name: str, content: bytes) -> str:
    if file_name.endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return "\n".join(book.read(n).decode("utf-8", "replace") for n in book.namelist()
                             if n.endswith(".xml"))
    return content.decode("utf-8", "replace")
