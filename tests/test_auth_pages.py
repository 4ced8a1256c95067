"""Login, 我的账号, 账号管理 and 操作日志 pages, and which pages each role sees (AppTest)."""
from __future__ import annotations

import os
import stat
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import access
from analytics.store import accounts
from analytics.store.audit import read_audit
from analytics.errors import AnalyticsError
from tests.admin_pages_helpers import (
    PASSWORD, ROOT, add_user, app, app_env, login_as, page_title, texts,
)

pytestmark = pytest.mark.apptest

PAGES = {"overview": "总览", "upload": "数据上传", "targets": "目标管理", "audit": "操作日志",
         "accounts": "账号管理", "me": "我的账号"}


@pytest.fixture
def engine(monkeypatch, tmp_path):
    return app_env(monkeypatch, tmp_path)


def page(name: str, username: str | None = None) -> AppTest:
    """One page script on its own (without the router's page filter)."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)
    if username:
        login_as(at, username)
    return at


def submit_login(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button(key="login_submit").click().run()


# --- first start and login ---------------------------------------------------------------

def test_first_start_creates_admin_with_private_password_file(engine, tmp_path):
    at = app()
    at.run()
    assert not at.exception
    assert texts(at.subheader) == ["登录"]
    assert "data/initial_admin_password" in at.caption[0].value
    secret = Path(tmp_path / "data" / "initial_admin_password")
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    user = accounts.login(engine, "admin", secret.read_text().strip())
    assert user.must_change_password is True


def test_wrong_password_gives_chinese_error(engine):
    add_user(engine, "zhang", "filler", ["青山区"])
    at = app()
    at.run()
    submit_login(at, "zhang", "wrong-password")
    assert texts(at.error) == ["用户名或密码错误"]
    assert "user" not in at.session_state


def test_login_sets_session_keys(engine):
    add_user(engine, "zhang", "filler", ["青山区"])
    at = page("login")
    at.run()
    submit_login(at, "zhang", PASSWORD)
    assert at.session_state["user"] == "zhang"
    assert datetime.now() - at.session_state["logged_in_at"] < timedelta(minutes=1)


def test_lockout_after_five_failures_through_the_form(engine):
    add_user(engine, "zhang", "filler", ["青山区"])
    at = app()
    at.run()
    for _ in range(4):
        submit_login(at, "zhang", "wrong-password")
        assert texts(at.error) == ["用户名或密码错误"]
    submit_login(at, "zhang", "wrong-password")
    assert "账号已锁定" in at.error[0].value
    submit_login(at, "zhang", PASSWORD)              # right password, still locked
    assert "账号已锁定" in at.error[0].value
    assert "user" not in at.session_state
    actions = read_audit(engine)["action"].tolist()
    assert actions.count("account_locked") == 1


def test_expired_session_goes_back_to_login(engine):
    add_user(engine, "zhang", "filler", ["青山区"])
    at = app()
    at.session_state["user"] = "zhang"
    at.session_state["logged_in_at"] = datetime.now() - timedelta(hours=9)
    at.run()
    assert texts(at.subheader) == ["登录"]
    assert texts(at.warning) == ["登录已过期，请重新登录。"]


def test_disabled_account_loses_access_at_once(engine):
    add_user(engine, "zhang", "filler", ["青山区"])
    accounts.set_active(engine, access.SYSTEM, "zhang", False)
    at = app("zhang")
    at.run()
    assert texts(at.subheader) == ["登录"]
    assert texts(at.warning) == ["账号已停用或不存在，请联系管理员。"]


# --- which pages each role sees -----------------------------------------------------------

class FakePage:
    def __init__(self, url_path):
        self.url_path = url_path


SECTIONS = {"看板": [FakePage("overview"), FakePage("compare")],
            "数据": [FakePage("targets"), FakePage("upload")],
            "管理": [FakePage("accounts"), FakePage("audit"), FakePage("me")]}


def visible(user) -> dict[str, list[str]]:
    from ui.session import visible_sections
    return {k: [p.url_path for p in v] for k, v in visible_sections(SECTIONS, user).items()}


@pytest.mark.parametrize("user, expected", [
    (access.User("a", "admin"), {"看板": ["overview", "compare"], "数据": ["targets", "upload"],
                                "管理": ["accounts", "audit", "me"]}),
    (access.User("f", "filler", frozenset({"青山区"})),
     {"看板": ["overview", "compare"], "数据": ["targets", "upload"], "管理": ["audit", "me"]}),
    (access.User("v", "viewer"), {"看板": ["overview", "compare"], "管理": ["me"]}),
    (access.User("n", "filler", frozenset({"青山区"}), must_change_password=True), {"管理": ["me"]}),
])
def test_visible_sections_by_role(user, expected):
    assert visible(user) == expected


def _nav_ready() -> bool:
    return all((ROOT / "pages" / f"{p}.py").exists()
               for p in ("overview", "study", "activities", "volunteer", "compare"))


needs_dashboards = pytest.mark.skipif(not _nav_ready(), reason="看板页面（page-helper 1）尚未就绪")


def open_page(at: AppTest, path: str) -> str | None:
    """The title of page `path` opened through the router, or None when the user
    can't use it: not in their menu, or the page itself refuses them."""
    script = f"pages/{'account' if path == 'me' else path}.py"
    try:
        at.switch_page(script)
    except ValueError:          # AppTest: not a registered page of this user's navigation
        return None
    at.run()
    assert not at.exception
    if at.error and not page_title(at):
        return None             # AppTest reached it anyway: the page refuses by itself
    return page_title(at)


@needs_dashboards
@pytest.mark.parametrize("role, districts, shown", [
    ("admin", (), {"upload", "targets", "audit", "accounts", "me"}),
    ("filler", ("青山区",), {"upload", "targets", "audit", "me"}),
    ("viewer", (), {"me"}),
])
def test_role_matrix_through_the_router(engine, role, districts, shown):
    add_user(engine, "u1", role, districts)
    at = app("u1")
    at.run()
    assert not at.exception
    opened = {path: open_page(at, path) for path in PAGES if path != "overview"}
    assert {p for p, title in opened.items() if title is not None} == shown
    assert all(opened[p] == PAGES[p] for p in shown)


@needs_dashboards
def test_forced_password_change_then_full_access(engine):
    add_user(engine, "zhang", "filler", ["青山区"], must_change=True)
    at = app("zhang")
    at.run()
    assert page_title(at) == "我的账号"
    assert "须先修改密码" in at.warning[0].value
    assert open_page(at, "upload") is None
    at.switch_page("pages/account.py").run()
    at.text_input(key="old_password").input(PASSWORD)
    at.text_input(key="new_password").input("new-secret-2")
    at.text_input(key="new_password_again").input("new-secret-2")
    at.button(key="change_password_submit").click().run()
    assert not at.exception
    assert open_page(at, "upload") == "数据上传"


@needs_dashboards
def test_public_view_shows_dashboards_without_login(engine, monkeypatch):
    monkeypatch.setenv("LEAGUE_PUBLIC_VIEW", "1")
    at = app()
    at.run()
    assert not at.exception
    assert texts(at.subheader) != ["登录"]
    assert [open_page(at, p) for p in ("upload", "targets", "audit", "accounts", "me")] == [None] * 5
    # a public screen can still log in, and then sees the pages of the role
    add_user(engine, "zhang", "filler", ["青山区"])
    at.switch_page("pages/login.py").run()
    at.text_input(key="login_username").input("zhang")
    at.text_input(key="login_password").input(PASSWORD)
    at.button(key="login_submit").click().run()
    assert not at.exception
    assert open_page(at, "upload") == "数据上传"


# --- 我的账号 --------------------------------------------------------------------------

def test_change_password_errors_and_success(engine):
    add_user(engine, "zhang", "filler", ["青山区"], must_change=True)
    at = page("account", "zhang")
    at.run()
    assert "须先修改密码" in at.warning[0].value

    def change(old, new, again):
        at.text_input(key="old_password").input(old)
        at.text_input(key="new_password").input(new)
        at.text_input(key="new_password_again").input(again)
        at.button(key="change_password_submit").click().run()

    change(PASSWORD, "new-secret-2", "other-secret")
    assert texts(at.error) == ["两次输入的新密码不一致。"]
    change("wrong-old-pass", "new-secret-2", "new-secret-2")
    assert texts(at.error) == ["原密码不正确"]
    change(PASSWORD, "short", "short")
    assert texts(at.error) == ["密码至少需要 8 个字符"]
    change(PASSWORD, "new-secret-2", "new-secret-2")
    assert texts(at.success) == ["密码已修改，其他设备和浏览器上的登录已退出。"]
    assert accounts.get_user(engine, "zhang").must_change_password is False
    accounts.login(engine, "zhang", "new-secret-2")


# --- 账号管理 --------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["filler", "viewer"])
def test_accounts_page_refuses_non_admins(engine, role):
    add_user(engine, "u1", role, ["青山区"])
    at = page("accounts", "u1")
    at.run()
    assert not at.exception
    assert at.error[0].value == f"您（{access.ROLES[role]} u1）无权使用此功能（仅限管理员）"
    assert len(at.dataframe) == 0 and len(at.text_input) == 0


def test_accounts_page_create_reset_disable_unlock(engine):
    add_user(engine, "boss", "admin")
    at = page("accounts", "boss")
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns)[:3] == ["用户名", "角色", "负责区县"]
    assert "password_hash" not in table.columns

    at.text_input(key="new_username").input("zhang")
    at.text_input(key="new_user_password").input("init-pass-99")
    at.selectbox(key="new_user_role").set_value("filler")
    at.multiselect(key="new_user_districts").set_value(["青山区"])
    at.button(key="new_user_submit").click().run()
    assert texts(at.success) == ["已创建账号 zhang（首次登录须修改密码）。"]
    assert accounts.get_user(engine, "zhang") == access.User("zhang", "filler", frozenset({"青山区"}), True)
    assert "zhang" in at.dataframe[0].value["用户名"].tolist()

    at.selectbox(key="account_target").set_value("zhang").run()
    at.button(key="reset_password").click().run()
    message = at.success[0].value
    assert message.startswith("已重置 zhang 的密码，新密码：")
    new_password = message.split("新密码：")[1].split("（")[0]
    accounts.login(engine, "zhang", new_password)
    at.run()
    assert not any("新密码" in s.value for s in at.success)     # shown once only

    at.selectbox(key="edit_role").set_value("viewer")
    at.button(key="edit_user_submit").click().run()
    assert accounts.get_user(engine, "zhang").role == "viewer"

    for _ in range(5):
        with pytest.raises(AnalyticsError):
            accounts.login(engine, "zhang", "wrong-password")
    at.button(key="unlock_user").click().run()
    assert texts(at.success) == ["已解锁账号 zhang。"]
    accounts.login(engine, "zhang", new_password)

    at.button(key="disable_user").click().run()
    assert texts(at.success) == ["已停用账号 zhang。"]
    with pytest.raises(access.PermissionDenied):
        accounts.get_user(engine, "zhang")


def test_accounts_page_creates_and_edits_a_unit_account(engine):
    add_user(engine, "boss", "admin")
    at = page("accounts", "boss")
    at.run()
    at.text_input(key="new_username").input("dg")
    at.text_input(key="new_user_password").input("init-pass-99")
    at.selectbox(key="new_user_role").set_value("filler")
    at.multiselect(key="new_user_units").set_value(["青山区/东关街道团工委"])
    at.button(key="new_user_submit").click().run()
    assert not at.exception
    assert accounts.get_user(engine, "dg").units == frozenset({("青山区", "东关街道团工委")})
    row = at.dataframe[0].value.set_index("用户名").loc["dg"]
    assert (row["负责区县"], row["负责单位"]) == ("仅限所列单位", "青山区/东关街道团工委")

    at.selectbox(key="account_target").set_value("dg").run()
    assert at.multiselect(key="edit_units").value == ["青山区/东关街道团工委"]
    at.multiselect(key="edit_units").set_value(["青山区/东关街道团工委", "青山区/西关街道团工委"])
    at.button(key="edit_user_submit").click().run()
    assert texts(at.success) == ["已更新 dg 的角色、区县和单位。"]
    assert accounts.get_user(engine, "dg").units == frozenset(
        {("青山区", "东关街道团工委"), ("青山区", "西关街道团工委")})
    at.multiselect(key="edit_units").set_value(["东关街道团工委"])
    at.button(key="edit_user_submit").click().run()
    assert texts(at.error) == ["单位“东关街道团工委”应写成 区县/单位，如 青山区/东关街道团工委"]


def test_accounts_page_shows_chinese_error_for_bad_input(engine):
    add_user(engine, "boss", "admin")
    at = page("accounts", "boss")
    at.run()
    at.text_input(key="new_username").input("zhang")
    at.text_input(key="new_user_password").input("short")
    at.button(key="new_user_submit").click().run()
    assert texts(at.error) == ["密码至少需要 8 个字符"]


# --- 操作日志 ------------------------------------------------------------------------------

def test_audit_page_admin_sees_all_filler_sees_own_districts(engine):
    from analytics.store.batches import store_checked
    from tests import store_helpers as sh

    add_user(engine, "boss", "admin")
    add_user(engine, "zhang", "filler", ["青山区"])
    add_user(engine, "li", "filler", ["临江区"])
    store_checked(engine, sh.checked("qs.xlsx", ("activities", sh.activities("青山区", "2026-03"))),
                  actor=accounts.get_user(engine, "zhang"))
    store_checked(engine, sh.checked("lj.xlsx", ("activities", sh.activities("临江区", "2026-03"))),
                  actor=accounts.get_user(engine, "li"))

    at = page("audit", "boss")
    at.run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert list(shown.columns) == ["时间", "用户", "操作", "详情", "批次号", "文件名", "SHA-256"]
    assert {"qs.xlsx", "lj.xlsx"} <= set(shown["文件名"].dropna())

    at = page("audit", "zhang")
    at.run()
    shown = at.dataframe[0].value
    assert set(shown["文件名"].dropna()) == {"qs.xlsx"}
    assert set(shown["用户"]) == {"zhang"}

    at.date_input(key="audit_dates").set_value((date(2020, 1, 1), date(2020, 1, 2))).run()
    assert texts(at.info) == ["没有符合筛选条件的记录。"]

    at = page("audit", "boss")
    at.run()
    at.multiselect(key="audit_users").set_value(["li"])
    at.multiselect(key="audit_actions").set_value(["store"]).run()
    assert at.dataframe[0].value["文件名"].tolist() == ["lj.xlsx"]
    assert at.dataframe[0].value["操作"].tolist() == ["导入"]


# --- a page script run straight from its URL guards itself ------------------------------

@pytest.mark.parametrize("script", ["upload", "targets", "accounts", "audit", "account"])
def test_page_scripts_refuse_without_login(engine, script):
    """Streamlit can run a pages/ script from its URL before dashboard.py's gate
    (its pre-st.navigation multipage mode): each page checks the login itself."""
    at = page(script)
    at.run()
    assert not at.exception
    assert texts(at.warning) == ["请先登录。"]
    assert len(at.dataframe) == 0 and len(at.file_uploader) == 0


@pytest.mark.parametrize("script", ["upload", "targets", "accounts", "audit"])
def test_page_scripts_refuse_before_forced_password_change(engine, script):
    add_user(engine, "zhang", "admin", must_change=True)
    at = page(script, "zhang")
    at.run()
    assert texts(at.error) == ["请先在“我的账号”页修改密码。"]
