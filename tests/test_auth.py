"""Accounts, roles and district scoping (analytics.auth).

The permission matrix is pure; everything that touches accounts runs on a
real database through the shared `engine` fixture (SQLite and PostgreSQL).
"""
from __future__ import annotations

from dataclasses import replace

import stat
import uuid
from datetime import datetime, timedelta

import bcrypt
import pandas as pd
import pytest
from sqlalchemy import select

from analytics import access
from analytics.store import accounts
from analytics.store.audit import read_audit
from analytics.access import PUBLIC, SYSTEM, User
from analytics.errors import (
    AccountLocked, InvalidAccount, LoginFailed, NotFound, PermissionDenied, WeakPassword,
)
from analytics.store.tables import audit_log, users

DEFAULT_ROUNDS = accounts.BCRYPT_ROUNDS

ADMIN = User("wang", "admin")
FILLER = User("zhang", "filler", frozenset({"青山区"}))
FILLER_TWO = User("zhao", "filler", frozenset({"青山区", "临江区"}))
FILLER_NONE = User("qian", "filler")
VIEWER = User("li", "viewer")
VIEWER_QS = User("sun", "viewer", frozenset({"青山区"}))

T0 = datetime(2026, 3, 5, 9, 0)


@pytest.fixture(autouse=True)
def cheap_bcrypt(monkeypatch):
    """Cost 4 instead of 12 keeps the suite fast; the hashing itself is the real bcrypt."""
    monkeypatch.setattr(accounts, "BCRYPT_ROUNDS", 4)


def audit_rows(engine) -> list[tuple[str, str, str]]:
    """(username, action, detail), oldest first."""
    frame = read_audit(engine).iloc[::-1]
    return list(zip(frame["username"], frame["action"], frame["detail"]))


# --- the permission matrix ----------------------------------------------------------

@pytest.mark.parametrize(("actor", "action", "districts", "refusal"), [
    # admin: everything
    (ADMIN, "store", ["青山区", "临江区"], None),
    (ADMIN, "replace", ["临江区"], None),
    (ADMIN, "rollback", ["临江区"], None),
    (ADMIN, "edit_targets", ["全部"], None),
    (ADMIN, "manage_users", [], None),
    (ADMIN, "view", ["临江区"], None),
    (SYSTEM, "store", ["临江区"], None),
    # filler: data of their own districts only; sees every district
    (FILLER, "store", ["青山区"], None),
    (FILLER, "replace", ["青山区"], None),
    (FILLER, "rollback", ["青山区"], None),
    (FILLER, "edit_targets", ["青山区"], None),
    (FILLER, "view", ["临江区"], None),
    (FILLER, "store", ["临江区"], "您（填报员 zhang）无权导入 临江区 的数据"),
    (FILLER, "replace", ["青山区", "临江区"], "您（填报员 zhang）无权替换 临江区 的数据"),
    (FILLER, "rollback", ["临江区"], "您（填报员 zhang）无权撤销 临江区 的数据"),
    (FILLER, "edit_targets", ["全部"], "您（填报员 zhang）无权修改 全区（全部） 的目标"),
    (FILLER, "manage_users", [], "您（填报员 zhang）无权管理账号，请联系管理员"),
    (FILLER_TWO, "store", ["青山区", "临江区"], None),
    (FILLER_TWO, "store", ["东湖区", "青山区", "白沙区"],
     "您（填报员 zhao）无权导入 东湖区、白沙区 的数据"),
    # a filler without districts may change nothing
    (FILLER_NONE, "store", ["青山区"], "您（填报员 qian）尚未分配区县，无权导入数据，请联系管理员"),
    (FILLER_NONE, "rollback", [], "您（填报员 qian）尚未分配区县，无权撤销数据，请联系管理员"),
    (FILLER_NONE, "view", ["青山区"], None),
    # viewer: only view; limited to their districts when set
    (VIEWER, "view", ["青山区", "临江区"], None),
    (VIEWER, "store", ["青山区"], "您（查看者 li）无权导入数据"),
    (VIEWER, "replace", ["青山区"], "您（查看者 li）无权替换数据"),
    (VIEWER, "rollback", [], "您（查看者 li）无权撤销数据"),
    (VIEWER, "edit_targets", ["青山区"], "您（查看者 li）无权修改目标"),
    (VIEWER, "manage_users", [], "您（查看者 li）无权管理账号，请联系管理员"),
    (VIEWER_QS, "view", ["青山区"], None),
    (VIEWER_QS, "view", ["青山区", "临江区"], "您（查看者 sun）无权查看 临江区 的数据"),
    (PUBLIC, "view", ["临江区"], None),
    (PUBLIC, "store", ["临江区"], "您（查看者 public）无权导入数据"),
    # nobody logged in
    (None, "view", [], "请先登录"),
    (None, "store", ["青山区"], "请先登录"),
    (None, "manage_users", [], "请先登录"),
])
def test_authorize(actor, action, districts, refusal):
    if refusal is None:
        assert access.authorize(actor, action, districts) is None
    else:
        with pytest.raises(PermissionDenied) as exc:
            access.authorize(actor, action, districts)
        assert str(exc.value) == refusal


@pytest.mark.parametrize("actor", [ADMIN, FILLER, VIEWER, None])
def test_authorize_unknown_action_is_a_programming_error(actor):
    with pytest.raises(ValueError):
        access.authorize(actor, "delete_everything", [])


@pytest.mark.parametrize(("actor", "roles", "refusal"), [
    (ADMIN, ("admin",), None),
    (FILLER, ("admin", "filler"), None),
    (FILLER, ("admin",), "您（填报员 zhang）无权使用此功能（仅限管理员）"),
    (VIEWER, ("admin", "filler"), "您（查看者 li）无权使用此功能（仅限管理员、填报员）"),
    (None, ("viewer",), "请先登录"),
])
def test_require_role(actor, roles, refusal):
    if refusal is None:
        assert access.require_role(actor, *roles) is actor
    else:
        with pytest.raises(PermissionDenied) as exc:
            access.require_role(actor, *roles)
        assert str(exc.value) == refusal


@pytest.mark.parametrize(("actor", "seen", "editable"), [
    (ADMIN, None, None),
    (FILLER, None, frozenset({"青山区"})),
    (FILLER_NONE, None, frozenset()),
    (VIEWER, None, frozenset()),
    (VIEWER_QS, frozenset({"青山区"}), frozenset()),
    (None, frozenset(), frozenset()),
])
def test_allowed_and_editable_districts(actor, seen, editable):
    assert access.allowed_districts(actor) == seen
    assert access.editable_districts(actor) == editable


def test_can_see():
    assert VIEWER_QS.can_see("青山区") is True
    assert VIEWER_QS.can_see("临江区") is False
    assert FILLER.can_see("临江区") is True
    assert VIEWER.can_see("临江区") is True


@pytest.mark.parametrize(("actor", "allowed_rows", "denied_rows"), [
    (ADMIN, [2, 3, 4, 5], []),
    (FILLER, [2, 4], [3, 5]),
    (FILLER_TWO, [2, 3, 4], [5]),
    (FILLER_NONE, [], [2, 3, 4, 5]),
    (VIEWER, [], [2, 3, 4, 5]),
    (None, [], [2, 3, 4, 5]),
])
def test_rows_each_actor_may_store(actor, allowed_rows, denied_rows):
    rows = {2: "青山区", 3: "临江区", 4: "青山区", 5: "东湖区"}
    allowed = [r for r, d in rows.items() if access.is_allowed(actor, "store", d)]
    assert allowed == allowed_rows
    assert [r for r in rows if r not in allowed] == denied_rows


def test_rows_a_district_viewer_may_view():
    rows = {2: "青山区", 3: "临江区"}
    assert [r for r, d in rows.items() if access.is_allowed(VIEWER_QS, "view", d)] == [2]


@pytest.mark.parametrize(("logged_in_at", "now", "expired"), [
    (T0, T0, False),
    (T0, T0 + timedelta(hours=7, minutes=59), False),
    (T0, T0 + timedelta(hours=8), True),
    (T0, T0 + timedelta(days=2), True),
    (T0, T0 - timedelta(minutes=1), True),      # a start in the future is not trusted
])
def test_session_expired(logged_in_at, now, expired):
    assert access.session_expired(logged_in_at, now=now) is expired


def test_session_expired_custom_ttl():
    assert access.session_expired(T0, T0 + timedelta(minutes=31), ttl=timedelta(minutes=30)) is True
    assert access.session_expired(T0, T0 + timedelta(minutes=29), ttl=timedelta(minutes=30)) is False


@pytest.mark.parametrize(("value", "expected"), [
    (None, False), ("", False), ("0", False), ("yes", False), ("1", True),
])
def test_public_view_enabled(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("LEAGUE_PUBLIC_VIEW", raising=False)
    else:
        monkeypatch.setenv("LEAGUE_PUBLIC_VIEW", value)
    assert access.public_view_enabled() is expected


# --- passwords ----------------------------------------------------------------------

@pytest.mark.parametrize(("password", "username", "refusal"), [
    ("abcd1234", "zhang", None),
    ("团委密码安全第一", "zhang", None),                   # 8 Chinese characters
    ("x" * 72, "zhang", None),
    ("abc1234", "zhang", "密码至少需要 8 个字符"),
    ("", "zhang", "密码至少需要 8 个字符"),
    ("x" * 73, "zhang", "密码过长：最多 72 个字节（约 24 个汉字）"),
    ("团" * 25, "zhang", "密码过长：最多 72 个字节（约 24 个汉字）"),
    (" abcd1234", "zhang", "密码首尾不能有空格"),
    ("Zhang123", "zhang123", "密码不能与用户名相同"),
])
def test_password_policy(password, username, refusal):
    if refusal is None:
        assert accounts.check_password_policy(password, username) is None
    else:
        with pytest.raises(WeakPassword) as exc:
            accounts.check_password_policy(password, username)
        assert str(exc.value) == refusal


def test_hash_is_salted_bcrypt_with_cost_12(monkeypatch):
    monkeypatch.setattr(accounts, "BCRYPT_ROUNDS", DEFAULT_ROUNDS)
    first, second = accounts.hash_password("abcd1234"), accounts.hash_password("abcd1234")
    assert first.startswith("$2b$12$")
    assert first != second
    assert accounts.verify_password("abcd1234", first) is True
    assert accounts.verify_password("abcd1235", first) is False
    assert accounts.verify_password("abcd1234", "not a hash") is False


def test_generate_password_meets_policy():
    passwords = {accounts.generate_password() for _ in range(20)}
    assert len(passwords) == 20
    for password in passwords:
        accounts.check_password_policy(password, "admin")


# --- first start ----------------------------------------------------------------------

def test_ensure_admin_creates_admin_once(engine, tmp_path, caplog):
    data_dir = tmp_path / "data"
    with caplog.at_level("WARNING", logger="analytics.store.accounts"):
        password = accounts.ensure_admin(engine, data_dir)
    assert password is not None and len(password) >= 16
    path = data_dir / "initial_admin_password"
    assert path.read_text(encoding="utf-8") == password + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert password in caplog.text            # printed once to the server log
    admin = accounts.login(engine, "admin", password)
    assert admin == User("admin", "admin", frozenset(), must_change_password=True)

    path.write_text("touched\n")
    caplog.clear()
    assert accounts.ensure_admin(engine, data_dir) is None
    assert path.read_text() == "touched\n"
    assert caplog.text == ""
    assert accounts.list_users(engine)["username"].tolist() == ["admin"]


def test_ensure_admin_does_nothing_when_accounts_exist(engine, tmp_path):
    accounts.create_user(engine, SYSTEM, "zhang", "abcd1234", "filler", ["青山区"])
    assert accounts.ensure_admin(engine, tmp_path) is None
    assert not (tmp_path / "initial_admin_password").exists()


def test_ensure_admin_tightens_an_existing_file(engine, tmp_path):
    path = tmp_path / "initial_admin_password"
    path.write_text("old\n")
    path.chmod(0o644)
    password = accounts.ensure_admin(engine, tmp_path)
    assert path.read_text() == password + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- login and lockout --------------------------------------------------------------------

@pytest.fixture
def zhang(engine):
    accounts.create_user(engine, SYSTEM, "zhang", "abcd1234", "filler", ["青山区", "临江区"])
    return engine


def test_login_success(zhang):
    user = accounts.login(zhang, " zhang ", "abcd1234", now=T0)
    assert user == User("zhang", "filler", frozenset({"青山区", "临江区"}),
                        must_change_password=True)
    assert audit_rows(zhang)[-1] == ("zhang", "login", "")


@pytest.mark.parametrize(("username", "password", "logged"), [
    ("zhang", "wrong-password", ("zhang", "login_failed", "密码错误（第 1 次）")),
    ("zhang", "x" * 100, ("zhang", "login_failed", "密码错误（第 1 次）")),
    # a name that is no account is not kept: it may be a password typed in the wrong field
    ("abcd1234", "zhang", ("未知用户", "login_failed", "用户名不存在")),
])
def test_login_failure_does_not_say_which(zhang, username, password, logged):
    with pytest.raises(LoginFailed) as exc:
        accounts.login(zhang, username, password, now=T0)
    assert str(exc.value) == "用户名或密码错误"
    assert audit_rows(zhang)[-1] == logged


def test_lockout_after_five_failures_then_lock_runs_out(zhang):
    for attempt in range(1, 5):
        with pytest.raises(LoginFailed):
            accounts.login(zhang, "zhang", "wrong-password", now=T0 + timedelta(seconds=attempt))
    with pytest.raises(AccountLocked) as exc:
        accounts.login(zhang, "zhang", "wrong-password", now=T0 + timedelta(seconds=5))
    assert str(exc.value) == ("密码连续错误 5 次，账号已锁定，请于 09:15 后再试（锁定 15 分钟），"
                              "或联系管理员解锁"
                              "（管理员账号被锁定时，可在服务器上运行 python -m analytics users unlock 用户名）")
    # locked: even the right password is refused, and the attempt is logged
    with pytest.raises(AccountLocked, match="请于 09:15 后再试"):
        accounts.login(zhang, "zhang", "abcd1234", now=T0 + timedelta(minutes=14))
    assert audit_rows(zhang)[-3:] == [
        ("zhang", "login_failed", "密码错误（第 4 次）"),
        ("zhang", "account_locked", "连续 5 次密码错误，锁定至 2026-03-05 09:15"),
        ("zhang", "login_failed", "账号锁定中（至 2026-03-05 09:15）"),
    ]
    # 15 minutes later the lock has run out
    assert accounts.login(zhang, "zhang", "abcd1234",
                      now=T0 + timedelta(minutes=15, seconds=5)).username == "zhang"
    row = accounts.list_users(zhang).set_index("username").loc["zhang"]
    assert (row["failed_logins"], row["locked_until"] is pd.NaT) == (0, True)


def test_a_lock_goes_to_the_server_log_without_the_password(zhang, caplog):
    caplog.set_level("INFO", logger="analytics.store.accounts")
    for attempt in range(5):
        with pytest.raises((LoginFailed, AccountLocked)):
            accounts.login(zhang, "zhang", f"guess-{attempt}-pw", now=T0)
    assert [r.getMessage() for r in caplog.records] == [
        "账号 zhang 连续 5 次密码错误，已锁定至 2026-03-05 09:15"]
    assert not any("guess-" in r.getMessage() or "abcd1234" in r.getMessage()
                   for r in caplog.records)


def test_failures_after_an_expired_lock_count_from_one(zhang):
    for attempt in range(5):
        with pytest.raises((LoginFailed, AccountLocked)):
            accounts.login(zhang, "zhang", "wrong-password", now=T0)
    with pytest.raises(LoginFailed):
        accounts.login(zhang, "zhang", "wrong-password", now=T0 + timedelta(minutes=20))
    assert audit_rows(zhang)[-1] == ("zhang", "login_failed", "密码错误（第 1 次）")


def test_success_resets_the_failure_count(zhang):
    for _ in range(4):
        with pytest.raises(LoginFailed):
            accounts.login(zhang, "zhang", "wrong-password", now=T0)
    accounts.login(zhang, "zhang", "abcd1234", now=T0)
    for _ in range(4):
        with pytest.raises(LoginFailed):
            accounts.login(zhang, "zhang", "wrong-password", now=T0)
    assert accounts.login(zhang, "zhang", "abcd1234", now=T0).username == "zhang"


def test_admin_unlocks_before_the_lock_runs_out(zhang):
    for _ in range(5):
        with pytest.raises((LoginFailed, AccountLocked)):
            accounts.login(zhang, "zhang", "wrong-password", now=datetime.now())
    with pytest.raises(AccountLocked):
        accounts.login(zhang, "zhang", "abcd1234")
    accounts.unlock(zhang, ADMIN, "zhang")
    assert accounts.login(zhang, "zhang", "abcd1234").username == "zhang"
    assert ("wang", "unlock_user", "解锁账号 zhang") in audit_rows(zhang)


def test_disabled_account_cannot_log_in_or_be_loaded(zhang):
    accounts.set_active(zhang, ADMIN, "zhang", False)
    with pytest.raises(PermissionDenied, match="账号 zhang 已停用"):
        accounts.login(zhang, "zhang", "abcd1234", now=T0)
    with pytest.raises(LoginFailed):          # a wrong password still says nothing more
        accounts.login(zhang, "zhang", "wrong-password", now=T0)
    with pytest.raises(PermissionDenied, match="账号 zhang 已停用"):
        accounts.get_user(zhang, "zhang")
    accounts.set_active(zhang, ADMIN, "zhang", True)
    assert accounts.get_user(zhang, "zhang").role == "filler"


def test_get_user_unknown(engine):
    with pytest.raises(NotFound, match="用户 nobody 不存在"):
        accounts.get_user(engine, "nobody")


def test_passwords_never_stored_or_logged_in_clear(zhang):
    accounts.login(zhang, "zhang", "abcd1234", now=T0)
    with pytest.raises(LoginFailed):
        accounts.login(zhang, "zhang", "typo-abcd1234", now=T0)
    accounts.change_password(zhang, "zhang", "abcd1234", "new-secret-9")
    new = accounts.reset_password(zhang, ADMIN, "zhang")
    with zhang.connect() as conn:
        stored = [str(v) for row in conn.execute(select(users)).all() for v in row]
        stored += [str(v) for row in conn.execute(select(audit_log)).all() for v in row]
    text = "\n".join(stored)
    for password in ("abcd1234", "typo-abcd1234", "new-secret-9", new):
        assert password not in text
    with zhang.connect() as conn:
        password_hash = conn.execute(select(users.c.password_hash)
                                     .where(users.c.username == "zhang")).scalar()
    assert bcrypt.checkpw(new.encode(), password_hash.encode())


# --- account management ---------------------------------------------------------------------

def test_create_user_and_list_users(engine):
    accounts.create_user(engine, ADMIN, "zhang", "abcd1234", "filler", ["青山区", " 临江区 ", ""])
    accounts.create_user(engine, ADMIN, "li", "abcd1234", "viewer", must_change_password=False)
    accounts.create_user(engine, ADMIN, "qian", "abcd1234", "filler")
    frame = accounts.list_users(engine, ADMIN)
    assert list(frame.columns) == list(accounts.USER_COLUMNS)
    assert frame[["username", "role", "role_label", "districts", "active",
                  "must_change_password", "failed_logins"]].values.tolist() == [
        ["li", "viewer", "查看者", "全部区县", True, False, 0],
        ["qian", "filler", "填报员", "未分配区县", True, True, 0],
        ["zhang", "filler", "填报员", "临江区、青山区", True, True, 0],
    ]
    assert "password_hash" not in frame.columns
    assert audit_rows(engine) == [
        ("wang", "create_user", "创建账号 zhang（填报员，临江区、青山区）"),
        ("wang", "create_user", "创建账号 li（查看者，全部区县）"),
        ("wang", "create_user", "创建账号 qian（填报员，未分配区县）"),
    ]


BAD_NAME = "用户名不合法：1–64 个字符，只能用字母、汉字、数字和 . _ - @，不能含空格"


@pytest.mark.parametrize("username", ["zhang", "张三", "li.si", "wang_wu-2", "zhao@qsq", "Li"])
def test_usual_user_names_are_accepted(engine, username):
    accounts.create_user(engine, ADMIN, username, "abcd1234", "viewer")
    assert accounts.list_users(engine)["username"].tolist() == [username]


def test_full_width_name_is_the_same_account_at_login(engine):
    accounts.create_user(engine, ADMIN, "ｚｈａｎｇ", "abcd1234", "viewer")
    assert accounts.list_users(engine)["username"].tolist() == ["zhang"]
    assert accounts.login(engine, "ｚｈａｎｇ", "abcd1234").username == "zhang"
    assert accounts.get_user(engine, "ｚｈａｎｇ").username == "zhang"


@pytest.mark.parametrize(("username", "password", "role", "districts", "error", "message"), [
    ("zhang", "abcd1234", "filler", ["青山区"], InvalidAccount, "用户名 zhang 已存在"),
    ("new user", "abcd1234", "viewer", [], InvalidAccount, BAD_NAME),
    ("", "abcd1234", "viewer", [], InvalidAccount, BAD_NAME),
    # names are shown in Markdown and the audit log: no markup, no invisible characters
    ("[点我](http://x.example)", "abcd1234", "viewer", [], InvalidAccount, BAD_NAME),
    ("**wang**", "abcd1234", "viewer", [], InvalidAccount, BAD_NAME),
    ("li<b>", "abcd1234", "viewer", [], InvalidAccount, BAD_NAME),
    ("zhang\u200b", "abcd1234", "viewer", [], InvalidAccount, BAD_NAME),
    ("li\x00", "abcd1234", "viewer", [], InvalidAccount, BAD_NAME),
    # one name differing from another only in case (or in width) would pass for it
    ("Zhang", "abcd1234", "admin", [], InvalidAccount, "用户名 Zhang 与已有账号 zhang 仅大小写不同，请换一个"),
    ("ｚｈａｎｇ", "abcd1234", "viewer", [], InvalidAccount, "用户名 zhang 已存在"),
    ("System", "abcd1234", "viewer", [], InvalidAccount, "用户名 System 为系统保留，请换一个"),
    ("li", "abcd1234", "boss", [], InvalidAccount,
     "角色不合法：boss，可选 admin（管理员）、filler（填报员）、viewer（查看者）"),
    ("li", "short", "viewer", [], WeakPassword, "密码至少需要 8 个字符"),
    ("li", "abcd1234", "viewer", ["青山|区"], InvalidAccount,
     "区县名称不合法：青山|区（不能含“|”，最长 64 字）"),
])
def test_create_user_refusals(engine, username, password, role, districts, error, message):
    accounts.create_user(engine, ADMIN, "zhang", "abcd1234", "filler", ["青山区"])
    with pytest.raises(error) as exc:
        accounts.create_user(engine, ADMIN, username, password, role, districts)
    assert str(exc.value) == message
    assert accounts.list_users(engine)["username"].tolist() == ["zhang"]


@pytest.mark.parametrize("call", [
    lambda e, a: accounts.create_user(e, a, "li", "abcd1234", "viewer"),
    lambda e, a: accounts.set_active(e, a, "zhang", False),
    lambda e, a: accounts.reset_password(e, a, "zhang"),
    lambda e, a: accounts.set_role_and_districts(e, a, "zhang", "admin", []),
    lambda e, a: accounts.unlock(e, a, "zhang"),
    lambda e, a: accounts.list_users(e, a),
], ids=["create", "disable", "reset", "set_role", "unlock", "list"])
@pytest.mark.parametrize("actor", [FILLER, VIEWER, None], ids=["filler", "viewer", "anonymous"])
def test_account_management_is_for_admins_only(zhang, call, actor):
    before = audit_rows(zhang)
    with pytest.raises(PermissionDenied):
        call(zhang, actor)
    assert audit_rows(zhang) == before
    assert accounts.get_user(zhang, "zhang").role == "filler"


def test_reset_password_forces_a_change_and_unlocks(zhang):
    for _ in range(5):
        with pytest.raises((LoginFailed, AccountLocked)):
            accounts.login(zhang, "zhang", "wrong-password")
    with zhang.begin() as conn:
        conn.execute(users.update().values(must_change_password=False))
    new = accounts.reset_password(zhang, ADMIN, "zhang")
    assert new != "abcd1234"
    with pytest.raises(LoginFailed):
        accounts.login(zhang, "zhang", "abcd1234")
    user = accounts.login(zhang, "zhang", new)
    assert user.must_change_password is True
    assert ("wang", "reset_password", "重置账号 zhang 的密码") in audit_rows(zhang)


def test_unknown_account(engine):
    for call in (lambda: accounts.reset_password(engine, ADMIN, "nobody"),
                 lambda: accounts.unlock(engine, ADMIN, "nobody"),
                 lambda: accounts.set_active(engine, ADMIN, "nobody", False),
                 lambda: accounts.set_role_and_districts(engine, ADMIN, "nobody", "viewer")):
        with pytest.raises(NotFound, match="用户 nobody 不存在"):
            call()


def test_set_role_and_districts(zhang):
    accounts.set_role_and_districts(zhang, ADMIN, "zhang", "viewer", ["青山区"])
    assert accounts.get_user(zhang, "zhang") == User("zhang", "viewer", frozenset({"青山区"}), True)
    accounts.set_role_and_districts(zhang, ADMIN, "zhang", role="filler")        # districts kept
    assert accounts.get_user(zhang, "zhang").districts == frozenset({"青山区"})
    accounts.set_role_and_districts(zhang, ADMIN, "zhang", districts=["临江区", "东湖区"])
    assert accounts.get_user(zhang, "zhang") == User("zhang", "filler",
                                                 frozenset({"临江区", "东湖区"}), True)
    assert audit_rows(zhang)[-3:] == [
        ("wang", "set_role", "账号 zhang 设为 查看者（青山区）"),
        ("wang", "set_role", "账号 zhang 设为 填报员（青山区）"),
        ("wang", "set_role", "账号 zhang 设为 填报员（东湖区、临江区）"),
    ]


def test_the_last_active_admin_stays(engine):
    accounts.create_user(engine, SYSTEM, "admin", "abcd1234", "admin")
    message = "admin 是唯一启用的管理员，不能停用或降级；请先创建另一个管理员"
    with pytest.raises(InvalidAccount, match=message):
        accounts.set_active(engine, SYSTEM, "admin", False)
    with pytest.raises(InvalidAccount, match=message):
        accounts.set_role_and_districts(engine, SYSTEM, "admin", "viewer", [])
    accounts.create_user(engine, SYSTEM, "wang", "abcd1234", "admin")
    accounts.set_active(engine, SYSTEM, "admin", False)
    with pytest.raises(InvalidAccount, match="wang 是唯一启用的管理员"):
        accounts.set_role_and_districts(engine, SYSTEM, "wang", "filler", ["青山区"])


def test_change_password(zhang):
    accounts.change_password(zhang, "zhang", "abcd1234", "new-secret-9")
    user = accounts.login(zhang, "zhang", "new-secret-9")
    assert user.must_change_password is False
    with pytest.raises(LoginFailed):
        accounts.login(zhang, "zhang", "abcd1234")
    assert ("zhang", "change_password", "修改了自己的密码") in audit_rows(zhang)


@pytest.mark.parametrize(("old", "new", "error", "message"), [
    ("wrong-password", "new-secret-9", LoginFailed, "原密码不正确"),
    ("abcd1234", "abcd1234", WeakPassword, "新密码不能与原密码相同"),
    ("abcd1234", "short", WeakPassword, "密码至少需要 8 个字符"),
    ("abcd1234", "new-secret-9 ", WeakPassword, "密码首尾不能有空格"),
])
def test_change_password_refusals(zhang, old, new, error, message):
    with pytest.raises(error) as exc:
        accounts.change_password(zhang, "zhang", old, new)
    assert str(exc.value) == message
    assert accounts.login(zhang, "zhang", "abcd1234").must_change_password is True


def test_concurrent_failures_are_all_counted(zhang):
    """Five wrong passwords at the same moment still lock the account (no lost update)."""
    from concurrent.futures import ThreadPoolExecutor

    def attempt(_):
        try:
            accounts.login(zhang, "zhang", "wrong-password", now=T0)
        except (LoginFailed, AccountLocked) as exc:
            return type(exc).__name__
    with ThreadPoolExecutor(5) as pool:
        outcomes = sorted(pool.map(attempt, range(5)))
    assert outcomes == ["AccountLocked"] + ["LoginFailed"] * 4
    with pytest.raises(AccountLocked):
        accounts.login(zhang, "zhang", "abcd1234", now=T0)


# --- who the command line acts as ------------------------------------------------------------

def test_operator_is_system_without_a_name_and_the_account_with_one(zhang):
    assert accounts.operator(zhang, None) is SYSTEM
    # the command line is not held up by a pending password change (a locked admin is
    # unlocked there); web sessions are (see test_must_change_password)
    assert accounts.operator(zhang, "zhang") == replace(accounts.get_user(zhang, "zhang"),
                                                        must_change_password=False)
    assert accounts.operator(zhang, "zhang").role == "filler"


@pytest.mark.parametrize(("name", "error", "message"), [
    ("", InvalidAccount, "--user 不能为空：请给出账号的用户名，或不加 --user 以本机管理员身份操作"),
    ("  ", InvalidAccount, "--user 不能为空：请给出账号的用户名，或不加 --user 以本机管理员身份操作"),
    ("nobody", NotFound, "用户 nobody 不存在"),
    ("system", NotFound, "用户 system 不存在"),
])
def test_operator_refuses_a_blank_or_unknown_name(zhang, name, error, message):
    """A blank `--user "$OPERATOR"` must not quietly become the administrator."""
    with pytest.raises(error) as exc:
        accounts.operator(zhang, name)
    assert str(exc.value) == message


def test_operator_refuses_a_disabled_account(zhang):
    accounts.set_active(zhang, ADMIN, "zhang", False)
    with pytest.raises(PermissionDenied, match="账号 zhang 已停用"):
        accounts.operator(zhang, "zhang")


# --- storing is refused by role before "already stored" ----------------------------------------

def _stored_file(engine):
    from analytics.store.batches import store_checked
    from tests import store_helpers as sh

    file = sh.checked("lj.xlsx", ("activities", sh.activities("临江区", "2026-01")))
    store_checked(engine, file, actor=SYSTEM)
    return file


@pytest.mark.parametrize(("actor", "message"), [
    (VIEWER, "您（查看者 li）无权导入数据"),
    (VIEWER_QS, "您（查看者 sun）无权导入数据"),
    (FILLER_NONE, "您（填报员 qian）尚未分配区县，无权导入数据，请联系管理员"),
    (FILLER, "您（填报员 zhang）无权导入 临江区 的数据"),
])
def test_resending_a_stored_file_is_refused_to_who_may_not_store_it(engine, actor, message):
    """A viewer (or a filler of another district) is not told "already stored, nothing to do"."""
    from analytics.store.batches import list_batches, store_checked

    file = _stored_file(engine)
    before = audit_rows(engine)
    with pytest.raises(PermissionDenied) as exc:
        store_checked(engine, file, actor=actor)
    assert str(exc.value) == message
    assert audit_rows(engine) == before and len(list_batches(engine)) == 1


def test_resending_a_stored_file_is_still_a_no_op_for_who_may_store_it(engine):
    from analytics.store.batches import store_checked

    file = _stored_file(engine)
    results = store_checked(engine, file, actor=User("zhou", "filler", frozenset({"临江区"})))
    assert [r.status for r in results] == ["duplicate"]


@pytest.mark.parametrize(("actor", "message"), [
    (VIEWER, "您（查看者 li）无权修改目标"),
    (FILLER, "您（填报员 zhang）无权修改 全区（全部） 的目标"),
])
def test_a_refusal_names_the_user_and_what_they_may_not_do(engine, actor, message):
    from analytics.store.batches import store_checked
    from tests import store_helpers as sh

    file = sh.checked("tg.xlsx", ("targets", sh.targets(2026, [("全部", "study_rate", 0.9)])))
    with pytest.raises(PermissionDenied) as exc:
        store_checked(engine, file, actor=actor)
    assert str(exc.value) == message


def test_unknown_names_get_the_same_lockout_answers_as_real_accounts(zhang):
    def answers(name: str) -> list[str]:
        out = []
        for attempt in range(1, 8):
            with pytest.raises((LoginFailed, AccountLocked)) as exc:
                accounts.login(zhang, name, "wrong-password", now=T0 + timedelta(seconds=attempt))
            out.append(f"{type(exc.value).__name__}: {exc.value}")
        return out

    stranger = f"nobody-{uuid.uuid4().hex[:8]}"       # the count is kept per server process
    known, unknown = answers("zhang"), answers(stranger)
    assert unknown == known
    assert known[4] == ("AccountLocked: 密码连续错误 5 次，账号已锁定，请于 09:15 后再试（锁定 15 分钟），"
                        "或联系管理员解锁（管理员账号被锁定时，可在服务器上运行 "
                        "python -m analytics users unlock 用户名）")
    # after the lock runs out an unknown name starts counting again, like an account
    with pytest.raises(LoginFailed):
        accounts.login(zhang, stranger, "x", now=T0 + timedelta(minutes=16))
