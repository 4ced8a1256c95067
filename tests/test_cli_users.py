"""`python -m analytics users ...` (analytics.cli_users)."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analytics import access
from analytics.store import accounts
from analytics.cli import main
from analytics.store.audit import read_audit
from analytics.store.engine import get_engine
from analytics.errors import AccountLocked, LoginFailed

REPO = Path(__file__).resolve().parents[1]
USERS_COMMANDS = ("add", "list", "disable", "enable", "reset-password", "set-role", "unlock")


@pytest.fixture(autouse=True)
def cheap_bcrypt(monkeypatch):
    monkeypatch.setattr(accounts, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path}/league.db"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main.main(list(argv))
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
    user = accounts.login(engine, "zhang", password)
    assert user == access.User("zhang", "filler", frozenset({"青山区", "临江区"}),
                             must_change_password=True)
    audit = read_audit(engine)
    assert audit[["username", "action"]].values.tolist()[-1] == ["system", "create_user"]
    assert not audit["detail"].str.contains(password, regex=False).any()


def test_add_with_password_from_stdin(capsys, monkeypatch, url):
    monkeypatch.setattr(sys, "stdin", io.StringIO("团委初始密码123\n"))
    code, out, _ = run(capsys, "users", "add", "wang", "--role", "admin", "--password-stdin",
                       "--db", url)
    assert (code, out) == (0, "已创建账号 wang（管理员，区县：全部）\n")
    assert accounts.login(get_engine(url), "wang", "团委初始密码123").role == "admin"


@pytest.mark.parametrize(("argv", "stdin", "message"), [
    (["users", "add", "li", "--role", "viewer", "--password-stdin"], "short\n",
     "错误：密码至少需要 8 个字符\n"),
    (["users", "add", "li", "--role", "viewer", "--password-stdin"], "",
     "错误：标准输入中没有读到密码\n"),
    (["users", "add", "zhang", "--role", "viewer"], "", "错误：用户名 zhang 已存在\n"),
    (["users", "disable", "nobody"], "", "错误：用户 nobody 不存在\n"),
    (["users", "reset-password", "nobody"], "", "错误：用户 nobody 不存在\n"),
    (["users", "set-role", "zhang"], "", "错误：请至少给出 --role、--districts 或 --units\n"),
])
def test_refusals_exit_1_with_a_chinese_message(capsys, monkeypatch, url, argv, stdin, message):
    run(capsys, "users", "add", "zhang", "--role", "filler", "--db", url)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code, out, err = run(capsys, *argv, "--db", url)
    assert (code, out, err) == (1, "", message)


def test_bad_role_is_a_usage_error(capsys, url):
    with pytest.raises(SystemExit) as exc:
        main.main(["users", "add", "li", "--role", "boss", "--db", url])
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
    assert accounts.list_users(engine)["active"].tolist() == [False]
    assert run(capsys, "users", "enable", "zhang", "--db", url) == (0, "已启用账号 zhang\n", "")
    assert accounts.list_users(engine)["active"].tolist() == [True]


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
            accounts.login(engine, "zhang", "wrong-password")
    with pytest.raises(AccountLocked):
        accounts.login(engine, "zhang", first)
    assert run(capsys, "users", "unlock", "zhang", "--db", url) == (
        0, "已解除账号 zhang 的锁定\n", "")
    assert accounts.login(engine, "zhang", first).username == "zhang"

    code, out, _ = run(capsys, "users", "reset-password", "zhang", "--db", url)
    second = added_password(out)
    assert code == 0 and second != first
    assert out.startswith("已重置账号 zhang 的密码，新密码：")
    with pytest.raises(LoginFailed):
        accounts.login(engine, "zhang", first)
    assert accounts.login(engine, "zhang", second).must_change_password is True
    actions = read_audit(engine).query("username == 'system'")["action"].tolist()[::-1]
    assert actions == ["create_user", "unlock_user", "reset_password"]


def test_set_role(capsys, url):
    run(capsys, "users", "add", "zhang", "--role", "viewer", "--db", url)
    assert run(capsys, "users", "set-role", "zhang", "--role", "filler",
               "--districts", "青山区,临江区", "--db", url) == (
        0, "账号 zhang 现为 填报员，区县：临江区、青山区\n", "")
    assert run(capsys, "users", "set-role", "zhang", "--districts", "", "--db", url) == (
        0, "账号 zhang 现为 填报员，区县：未分配区县\n", "")
    assert accounts.get_user(get_engine(url), "zhang").districts == frozenset()


@pytest.mark.parametrize("command", USERS_COMMANDS)
def test_every_users_command_has_help_with_an_example(capsys, command):
    with pytest.raises(SystemExit) as exc:
        main.main(["users", command, "-h"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    assert f"示例：\n  python -m analytics users {command}" in out


def test_users_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main.main(["users", "--help"])
    out = capsys.readouterr().out
    for command in USERS_COMMANDS:
        assert command in out


@pytest.mark.subprocess
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


# --- --user: who a command acts as -------------------------------------------------------------

def test_users_commands_follow_the_acting_account(capsys, url):
    """`users ... --user NAME` acts as that account: only an admin may manage accounts."""
    run(capsys, "users", "add", "wang", "--role", "admin", "--db", url)
    run(capsys, "users", "add", "zhang", "--role", "filler", "--districts", "青山区", "--db", url)
    run(capsys, "users", "add", "li", "--role", "viewer", "--db", url)
    for who, label in (("zhang", "填报员 zhang"), ("li", "查看者 li")):
        for argv in (["add", "evil", "--role", "admin"], ["list"], ["disable", "wang"],
                     ["reset-password", "wang"], ["set-role", who, "--role", "admin"],
                     ["unlock", "wang"]):
            code, out, err = run(capsys, "users", *argv, "--user", who, "--db", url)
            assert (code, out, err) == (1, "", f"错误：您（{label}）无权管理账号，请联系管理员\n"), argv
    assert accounts.list_users(get_engine(url))["username"].tolist() == ["li", "wang", "zhang"]
    code, out, _ = run(capsys, "users", "add", "zhao", "--role", "viewer", "--user", "wang",
                       "--db", url)
    assert code == 0 and out.startswith("已创建账号 zhao")
    assert read_audit(get_engine(url))[["username", "action"]].values.tolist()[0] == [
        "wang", "create_user"]


@pytest.mark.parametrize(("argv", "message"), [
    (["users", "list", "--user", ""],
     "错误：--user 不能为空：请给出账号的用户名，或不加 --user 以本机管理员身份操作\n"),
    (["users", "list", "--user", "nobody"], "错误：用户 nobody 不存在\n"),
    (["batches", "rollback", "1", "--user", ""],
     "错误：--user 不能为空：请给出账号的用户名，或不加 --user 以本机管理员身份操作\n"),
    (["batches", "list", "--user", "  "],
     "错误：--user 不能为空：请给出账号的用户名，或不加 --user 以本机管理员身份操作\n"),
])
def test_a_blank_or_unknown_user_is_refused_not_taken_as_system(capsys, url, argv, message):
    run(capsys, "users", "add", "wang", "--role", "admin", "--db", url)
    assert run(capsys, *argv, "--db", url) == (1, "", message)


ACT_HEADER = ["日期", "区", "单位", "活动名称", "活动类别", "场次", "参与人次"]


def activities_book(path: Path, *districts: str) -> Path:
    """A title row, the header on row 2, then two activities per district from row 3."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "活动"
    sheet.append(["2026年1月活动台账"])
    sheet.append(ACT_HEADER)
    day = 1
    for district in districts:
        for _ in range(2):
            sheet.append([f"2026-01-{day:02d}", district, f"{district}一中团委", f"活动{day}",
                          "思想引领", 1, 10 + day])
            day += 1
    book.save(path)
    return path


def targets_book(path: Path, district: str) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "目标"
    book.active.append(["年度", "区", "指标", "目标值"])
    book.active.append([2026, district, "参学率", 0.9])
    book.save(path)
    return path


@pytest.fixture
def districts_db(capsys, url, tmp_path):
    """zhang fills in 青山区; 临江区 has one batch (#1), stored by the operator."""
    for argv in (["zhang", "--role", "filler", "--districts", "青山区"], ["li", "--role", "viewer"],
                 ["zhou", "--role", "filler", "--districts", "青山区"]):
        run(capsys, "users", "add", *argv, "--db", url)
    run(capsys, "users", "disable", "zhou", "--db", url)
    lj = activities_book(tmp_path / "lj.xlsx", "临江区")
    assert run(capsys, "import", str(lj), "--db", url)[0] == 0
    return url


def stored_rows(url: str) -> list[tuple[str, int]]:
    from analytics.store.frames import load_frames

    frame = load_frames(get_engine(url))["activities"]
    return sorted(zip(frame["district"], frame["participants"]))


def test_filler_of_one_district_cannot_touch_another_by_any_cli_path(capsys, districts_db,
                                                                     tmp_path):
    url = districts_db
    before = stored_rows(url)
    other = activities_book(tmp_path / "lj2.xlsx", "临江区")
    for extra in ([], ["--replace"], ["--skip-bad-rows"], ["--replace", "--district", "青山区"]):
        code, out, err = run(capsys, "import", str(other), "--user", "zhang", *extra, "--db", url)
        assert (code, out, err) == (1, "", "lj2.xlsx：您（填报员 zhang）无权导入 临江区 的数据\n"), extra
    # the file the operator stored: refused too, not "already stored"
    code, out, err = run(capsys, "import", str(tmp_path / "lj.xlsx"), "--user", "zhang",
                         "--db", url)
    assert (code, out) == (1, "") and "无权导入 临江区" in err
    code, out, err = run(capsys, "batches", "rollback", "1", "--user", "zhang", "--db", url)
    assert (code, out, err) == (1, "", "错误：您（填报员 zhang）无权撤销 临江区 的数据\n")
    for district, shown in (("临江区", "临江区"), ("全部", "全区（全部）")):
        book = targets_book(tmp_path / f"tg_{district}.xlsx", district)
        code, out, err = run(capsys, "import", str(book), "--user", "zhang", "--db", url)
        assert (code, out, err) == (
            1, "", f"{book.name}：您（填报员 zhang）无权修改 {shown} 的目标\n")
    assert stored_rows(url) == before
    own = targets_book(tmp_path / "tg_own.xlsx", "青山区")
    assert run(capsys, "import", str(own), "--user", "zhang", "--db", url)[0] == 0


def test_mixed_workbook_other_districts_rows_are_rejected_rows(capsys, districts_db, tmp_path):
    url = districts_db
    mixed = activities_book(tmp_path / "mixed.xlsx", "青山区", "临江区")
    code, out, err = run(capsys, "import", str(mixed), "--user", "zhang", "--db", url)
    assert (code, out) == (1, "")
    assert "临江区" in err and "未导入任何数据" in err
    assert stored_rows(url) == [("临江区", 11), ("临江区", 12)]
    code, out, _ = run(capsys, "import", str(mixed), "--user", "zhang", "--skip-bad-rows",
                       "--db", url)
    assert code == 1 and "已导入活动台账 2 行" in out
    assert stored_rows(url) == [("临江区", 11), ("临江区", 12), ("青山区", 11), ("青山区", 12)]
    from analytics.store.batches import list_batches
    batch = list_batches(get_engine(url)).iloc[0]
    assert (batch["username"], batch["districts"], batch["rows_rejected"]) == ("zhang", "青山区", 2)
    with get_engine(url).connect() as conn:
        from sqlalchemy import select
        from analytics.store.tables import batches
        rejected = json.loads(conn.execute(select(batches.c.rejected_json)
                                           .where(batches.c.id == int(batch["id"]))).scalar())
    # Excel rows 5 and 6 (title row 1, header row 2, 青山区 on rows 3–4)
    assert [r["row"] for r in rejected] == [5, 6]
    assert all("临江区" in str(r["errors"]) for r in rejected)


@pytest.mark.parametrize(("who", "message"), [
    ("li", "qs.xlsx：您（查看者 li）无权导入数据\n"),
    ("zhou", "错误：账号 zhou 已停用，请联系管理员\n"),
    ("nobody", "错误：用户 nobody 不存在\n"),
])
def test_viewer_disabled_or_unknown_user_cannot_import(capsys, districts_db, tmp_path, who,
                                                        message):
    own = activities_book(tmp_path / "qs.xlsx", "青山区")
    assert run(capsys, "import", str(own), "--user", who, "--db", districts_db) == (1, "", message)
    assert run(capsys, "import", str(tmp_path / "lj.xlsx"), "--user", who,
               "--db", districts_db)[0] == 1
    assert len(stored_rows(districts_db)) == 2


def test_without_user_the_cli_is_the_local_operator(capsys, districts_db, tmp_path):
    """No --user: the server's operator (`system`, an administrator), as README says."""
    own = activities_book(tmp_path / "qs.xlsx", "青山区")
    code, out, _ = run(capsys, "import", str(own), "--db", districts_db)
    assert code == 0
    assert read_audit(get_engine(districts_db))["username"].iloc[0] == "system"
