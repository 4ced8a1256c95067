"""`python -m analytics users ...` (analytics.cli_users)."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analytics import auth, cli
from analytics.audit import read_audit
from analytics.db import get_engine
from analytics.errors import AccountLocked, LoginFailed

REPO = Path(__file__).resolve().parents[1]
USERS_COMMANDS = ("add", "list", "disable", "enable", "reset-password", "set-role", "unlock")


@pytest.fixture(autouse=True)
def cheap_bcrypt(monkeypatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path}/league.db"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def added_password(out: str) -> str:
    return re.search(r"(?:初始密码|新密码)：(\S+)", out).group(1)


def test_add_prints_a_password_once_that_logs_in(capsys, db_url):
    code, out, err = run(capsys, "users", "add", "zhang", "--role", "filler",
                         "--districts", "青山区、临江区", "--db", db_url)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "已创建账号 zhang（填报员，区县：临江区、青山区）"
    assert out.splitlines()[2] == "（密码只显示这一次，请妥善转交；首次登录后须修改）"
    password = added_password(out)
    engine = get_engine(db_url)
    user = auth.login(engine, "zhang", password)
    assert user == auth.User("zhang", "filler", frozenset({"青山区", "临江区"}),
                             must_change_password=True)
    audit = read_audit(engine)
    assert audit[["username", "action"]].values.tolist()[-1] == ["system", "create_user"]
    assert not audit["detail"].str.contains(password, regex=False).any()


def test_add_with_password_from_stdin(capsys, monkeypatch, url):
    monkeypatch.setattr(sys, "stdin", io.StringIO("团委初始密码123\n"))
    code, out, _ = run(capsys, "users", "add", "wang", "--role", "admin", "--password-stdin",
                       "--db", url)
    assert (code, out) == (0, "已创建账号 wang（管理员，区县：全部）\n")
    assert auth.login(get_engine(url), "wang", "团委初始密码123").role == "admin"


@pytest.mark.parametrize(("argv", "stdin", "message"), [
    (["users", "add", "li", "--role", "viewer", "--password-stdin"], "short\n",
     "错误：密码至少需要 8 个字符\n"),
    (["users", "add", "li", "--role", "viewer", "--password-stdin"], "",
     "错误：标准输入中没有读到密码\n"),
    (["users", "add", "zhang", "--role", "viewer"], "", "错误：用户名 zhang 已存在\n"),
    (["users", "disable", "nobody"], "", "错误：用户 nobody 不存在\n"),
    (["users", "reset-password", "nobody"], "", "错误：用户 nobody 不存在\n"),
    (["users", "set-role", "zhang"], "", "错误：请至少给出 --role 或 --districts\n"),
])
def test_refusals_exit_1_with_a_chinese_message(capsys, monkeypatch, url, argv, stdin, message):
    run(capsys, "users", "add", "zhang", "--role", "filler", "--db", url)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code, out, err = run(capsys, *argv, "--db", url)
    assert (code, out, err) == (1, "", message)


def test_bad_role_is_a_usage_error(capsys, url):
    with pytest.raises(SystemExit) as exc:
        cli.main(["users", "add", "li", "--role", "boss", "--db", url])
    assert exc.value.code == 2
    assert "invalid choice: 'boss'" in capsys.readouterr().err


def test_list(capsys, url):
    run(capsys, "users", "add", "zhang", "--role", "filler", "--districts", "青山区", "--db", url)
    run(capsys, "users", "add", "li", "--role", "viewer", "--db", url)
    code, out, _ = run(capsys, "users", "list", "--json", "--db", url)
    records = json.loads(out)
    assert code == 0
    assert [(r["username"], r["role"], r["role_label"], r["districts"], r["active"])
            for r in records] == [("li", "viewer", "查看者", "全部区县", True),
                                  ("zhang", "filler", "填报员", "青山区", True)]
    assert "password_hash" not in records[0]
    assert "$2b$" not in out
    code, out, _ = run(capsys, "users", "list", "--db", url)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert lines[0].split()[:5] == ["用户名", "角色", "区县", "启用", "须改密码"]
    assert lines[1].split()[:5] == ["li", "查看者", "全部区县", "启用", "是"]


def test_list_empty(capsys, url):
    assert run(capsys, "users", "list", "--db", url) == (0, "还没有账号。\n", "")


def test_disable_enable(capsys, url):
    run(capsys, "users", "add", "zhang", "--role", "filler", "--districts", "青山区", "--db", url)
    assert run(capsys, "users", "disable", "zhang", "--db", url) == (0, "已停用账号 zhang\n", "")
    engine = get_engine(url)
    assert auth.list_users(engine)["active"].tolist() == [False]
    assert run(capsys, "users", "enable", "zhang", "--db", url) == (0, "已启用账号 zhang\n", "")
    assert auth.list_users(engine)["active"].tolist() == [True]


def test_cannot_disable_the_last_admin(capsys, url):
    run(capsys, "users", "add", "admin", "--role", "admin", "--db", url)
    code, _, err = run(capsys, "users", "disable", "admin", "--db", url)
    assert (code, err) == (1, "错误：admin 是唯一启用的管理员，不能停用或降级；请先创建另一个管理员\n")


def test_reset_password_and_unlock(capsys, url):
    _, out, _ = run(capsys, "users", "add", "zhang", "--role", "filler", "--db", url)
    first = added_password(out)
    engine = get_engine(url)
    for _ in range(5):
        with pytest.raises((LoginFailed, AccountLocked)):
            auth.login(engine, "zhang", "wrong-password")
    with pytest.raises(AccountLocked):
        auth.login(engine, "zhang", first)
    assert run(capsys, "users", "unlock", "zhang", "--db", url) == (
        0, "已解除账号 zhang 的锁定\n", "")
    assert auth.login(engine, "zhang", first).username == "zhang"

    code, out, _ = run(capsys, "users", "reset-password", "zhang", "--db", url)
    second = added_password(out)
    assert code == 0 and second != first
    assert out.startswith("已重置账号 zhang 的密码，新密码：")
    with pytest.raises(LoginFailed):
        auth.login(engine, "zhang", first)
    assert auth.login(engine, "zhang", second).must_change_password is True
    actions = read_audit(engine).query("username == 'system'")["action"].tolist()[::-1]
    assert actions == ["create_user", "unlock_user", "reset_password"]


def test_set_role(capsys, url):
    run(capsys, "users", "add", "zhang", "--role", "viewer", "--db", url)
    assert run(capsys, "users", "set-role", "zhang", "--role", "filler",
               "--districts", "青山区,临江区", "--db", url) == (
        0, "账号 zhang 现为 填报员，区县：临江区、青山区\n", "")
    assert run(capsys, "users", "set-role", "zhang", "--districts", "", "--db", url) == (
        0, "账号 zhang 现为 填报员，区县：未分配区县\n", "")
    assert auth.get_user(get_engine(url), "zhang").districts == frozenset()


@pytest.mark.parametrize("command", USERS_COMMANDS)
def test_every_users_command_has_help_with_an_example(capsys, command):
    with pytest.raises(SystemExit) as exc:
        cli.main(["users", command, "-h"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    assert f"示例：\n  python -m analytics users {command}" in out


def test_users_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        cli.main(["users", "--help"])
    out = capsys.readouterr().out
    for command in USERS_COMMANDS:
        assert command in out


def test_as_a_real_process(tmp_path):
    """End to end through `python -m analytics`: exit codes, stdout, no traceback."""
    url = f"sqlite:///{tmp_path}/league.db"
    done = subprocess.run([sys.executable, "-m", "analytics", "users", "add", "zhang",
                           "--role", "filler", "--districts", "青山区", "--db", url],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("已创建账号 zhang（填报员，区县：青山区）\n初始密码：")
    done = subprocess.run([sys.executable, "-m", "analytics", "users", "unlock", "nobody",
                           "--db", url], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "错误：用户 nobody 不存在\n")
