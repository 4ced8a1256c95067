"""Accounts in the database: creating, changing, logging in, locking out.

Passwords are bcrypt hashes; a clear password is never logged or stored. Five
wrong passwords in a row lock an account for 15 minutes. Times are naive
local `datetime`s, like the rest of the database; every function that
depends on the clock takes `now=` so tests can be explicit about time. What
a role may do is `access`.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections import OrderedDict
import logging
import os
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import bcrypt
import pandas as pd
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import IntegrityError

from analytics.access import ROLES, SYSTEM, User, authorize, parse_unit, unit_text
from analytics.schema import NO_DISTRICTS, UNITS_ONLY, WHOLE_AREA, join_names, split_names
from analytics.store import login_sessions
from analytics.store.audit import append_audit
from analytics.store.engine import storage_errors
from analytics.errors import (
    AccountLocked, InvalidAccount, LoginFailed, NotFound, PermissionDenied, StorageUnavailable,
    WeakPassword,
)
from analytics.store.tables import users

log = logging.getLogger(__name__)



MAX_FAILED_LOGINS = 5
LOCK_TIME = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_BYTES = 72          # bcrypt only reads the first 72 bytes
BCRYPT_ROUNDS = 12               # ~0.25 s per hash on a small server
INITIAL_PASSWORD_FILE = "initial_admin_password"
UNKNOWN_USER = "未知用户"        # how the audit log names a login attempt for no account
RESERVED_NAMES = frozenset({"system", "public", "示例数据", UNKNOWN_USER})


# --- passwords -------------------------------------------------------------------

def check_password_policy(password: str, username: str | None = None) -> None:
    """Raise `WeakPassword` (Chinese, says what to change) unless `password` is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise WeakPassword(f"密码过长：最多 {MAX_PASSWORD_BYTES} 个字节（约 24 个汉字）")
    if password.strip() != password:
        raise WeakPassword("密码首尾不能有空格")
    if username and password.casefold() == username.casefold():
        raise WeakPassword("密码不能与用户名相同")


def hash_password(password: str) -> str:
    """A salted bcrypt hash of `password`."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    data = password.encode("utf-8")
    if len(data) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bcrypt.checkpw(data, password_hash.encode("ascii"))
    except ValueError:           # a malformed hash never matches
        return False


def generate_password() -> str:
    """A random password for a new or reset account (to be changed at first login)."""
    return secrets.token_urlsafe(12)


_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    """Checked against when the user is unknown, so timing does not tell names apart."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(generate_password())
    return _DUMMY_HASH


# --- accounts in the database ------------------------------------------------------

@contextmanager
def _transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that takes the write lock up front (SQLite) so read-then-write is safe."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


def _districts_text(districts: Iterable[str]) -> str:
    return join_names(_clean_districts(districts))


def _clean_districts(districts: Iterable[str]) -> set[str]:
    names = {d.strip() for d in districts if d and d.strip()}
    bad = sorted(d for d in names if "|" in d or len(d) > 64)
    if bad:
        raise InvalidAccount(f"区县名称不合法：{'、'.join(bad)}（不能含“|”，最长 64 字）")
    return names


def _units_json(units: Iterable[tuple[str, str] | str]) -> str:
    return json.dumps(sorted(_clean_units(units)), ensure_ascii=False)


def _clean_units(units: Iterable[tuple[str, str] | str]) -> set[tuple[str, str]]:
    """(district, unit) pairs; "青山区/东关街道" text is accepted too."""
    pairs = set()
    for item in units:
        if isinstance(item, str):
            if not item.strip():
                continue
            try:
                item = parse_unit(item)
            except ValueError as exc:
                raise InvalidAccount(str(exc)) from None
        district, unit = (part.strip() for part in item)
        _clean_districts([district])
        if not unit or len(unit) > 200:
            raise InvalidAccount(f"单位名称不合法：{unit or '（空）'}（1–200 字）")
        pairs.add((district, unit))
    return pairs


def _units_of(text: str | None) -> frozenset[tuple[str, str]]:
    return frozenset((d, u) for d, u in json.loads(text or "[]"))


def _user_from_row(row) -> User:
    districts = frozenset(split_names(row.districts))
    return User(row.username, row.role, districts, bool(row.must_change_password),
                _units_of(row.units))


def _row(conn: Connection, username: str, *, for_update: bool = False):
    query = select(users).where(users.c.username == username)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"用户 {username} 不存在")
    return row


def get_user(engine: Engine, username: str) -> User:
    """The active account `username`; `NotFound` if missing, `PermissionDenied` if disabled."""
    username = normal_username(username)
    with engine.connect() as conn:
        row = _row(conn, username)
    if not row.active:
        raise PermissionDenied(f"账号 {username} 已停用，请联系管理员")
    return _user_from_row(row)


def operator(engine: Engine, username: str | None) -> User:
    """Who a command-line call acts as: `--user NAME` (that account's rights), else `SYSTEM`.

    The command line runs on the server, by someone who can already reach the
    database, so it does not ask for a password: `--user` makes a call follow
    an account's rules (a district's staff scripting their monthly import),
    it does not authenticate. A blank name is refused rather than taken as
    "no --user" (an unset `$OPERATOR` must not become the administrator).
    For the same reason a pending password change does not block it (that is
    for web sessions: `access.authorize`), so a locked-out `admin` can always
    be unlocked here.
    """
    if username is None:
        return SYSTEM
    if not normal_username(username):
        raise InvalidAccount("--user 不能为空：请给出账号的用户名，或不加 --user 以本机管理员身份操作")
    return dataclasses.replace(get_user(engine, username), must_change_password=False)


def login(engine: Engine, username: str, password: str, *, now: datetime | None = None) -> User:
    """Check a password; count failures, lock after `MAX_FAILED_LOGINS`, audit every attempt.

    Raises `LoginFailed` (never says whether the name or the password was
    wrong), `AccountLocked`, or `PermissionDenied` for a disabled account.
    The failure is counted and audited before the error is raised. The slow
    bcrypt check runs outside the write transaction, so logins never hold
    the database's write lock for long.
    """
    now = now or datetime.now()
    username = normal_username(username)
    with engine.connect() as conn:
        seen = conn.execute(select(users.c.password_hash)
                            .where(users.c.username == username)).scalar()
    matches = verify_password(password, seen or _dummy_hash()) and seen is not None
    try:
        with storage_errors("登录记录"), _transaction(engine) as conn:
            outcome = _settle_login(conn, username, seen if matches else None, now)
    except StorageUnavailable:
        outcome = _login_unrecorded(engine, username, seen if matches else None, now)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _login_unrecorded(engine: Engine, username: str, matched_hash: str | None,
                      now: datetime) -> User | Exception:
    """The disk is full or read-only: decide the attempt without counting or auditing it,
    so people can still read the dashboards (nothing can be saved anyway)."""
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
    log.warning("磁盘已满或只读：%s 的登录尝试未能记录", username if row is not None else UNKNOWN_USER)
    if row is not None and row.locked_until is not None and now < row.locked_until:
        return AccountLocked(_locked_message(row.locked_until))
    if row is None or matched_hash is None or matched_hash != row.password_hash:
        return LoginFailed("用户名或密码错误")
    if not row.active:
        return PermissionDenied(f"账号 {username} 已停用，请联系管理员")
    return _user_from_row(row)


def _settle_login(conn: Connection, username: str, matched_hash: str | None,
                  now: datetime) -> User | Exception:
    """Record one attempt; `matched_hash` is the hash the password matched, if it did."""
    row = conn.execute(select(users).where(users.c.username == username)
                       .with_for_update()).first()
    if row is None:
        # the typed name is not kept: people type passwords into the name field
        append_audit(conn, user=UNKNOWN_USER, action="login_failed", detail="用户名不存在")
        return _UNKNOWN_NAMES.failure(username, now)
    if row.locked_until is not None and now < row.locked_until:
        append_audit(conn, user=username, action="login_failed",
                     detail=f"账号锁定中（至 {row.locked_until:%Y-%m-%d %H:%M}）")
        return AccountLocked(_locked_message(row.locked_until))
    if matched_hash is None or matched_hash != row.password_hash:
        return _record_failure(conn, row, now)
    if not row.active:
        append_audit(conn, user=username, action="login_failed", detail="账号已停用")
        return PermissionDenied(f"账号 {username} 已停用，请联系管理员")
    conn.execute(users.update().where(users.c.id == row.id)
                 .values(failed_logins=0, locked_until=None))
    append_audit(conn, user=username, action="login")
    return _user_from_row(row)


def _record_failure(conn: Connection, row, now: datetime) -> Exception:
    """Count a wrong password (the count restarts after a lock ran out); lock at the limit."""
    failures = 1 if row.locked_until is not None else row.failed_logins + 1
    if failures >= MAX_FAILED_LOGINS:
        until = now + LOCK_TIME
        conn.execute(users.update().where(users.c.id == row.id)
                     .values(failed_logins=failures, locked_until=until))
        append_audit(conn, user=row.username, action="account_locked",
                     detail=f"连续 {failures} 次密码错误，锁定至 {until:%Y-%m-%d %H:%M}")
        # the server log too, for whoever watches it: the name and the count, never a password
        log.warning("账号 %s 连续 %d 次密码错误，已锁定至 %s", row.username, failures,
                    f"{until:%Y-%m-%d %H:%M}")
        return AccountLocked(f"密码连续错误 {failures} 次，{_locked_message(until)}")
    conn.execute(users.update().where(users.c.id == row.id)
                 .values(failed_logins=failures, locked_until=None))
    append_audit(conn, user=row.username, action="login_failed",
                 detail=f"密码错误（第 {failures} 次）")
    return LoginFailed("用户名或密码错误")


def _locked_message(until: datetime) -> str:
    minutes = int(LOCK_TIME.total_seconds() // 60)
    return (f"账号已锁定，请于 {until:%H:%M} 后再试（锁定 {minutes} 分钟），或联系管理员解锁"
            f"（{UNLOCK_HINT}）")


UNLOCK_HINT = "管理员账号被锁定时，可在服务器上运行 python -m analytics users unlock 用户名"


class _UnknownNameLockout:
    """Failed logins for names that have no account, counted like an account's.

    Without it, five wrong passwords lock a real account but never a made-up
    name, and the different answer tells a guesser which names exist. Only a
    hash of the typed name is kept (people type passwords into the name
    field), in memory, for at most `MAX_NAMES` names.
    """

    MAX_NAMES = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._names: OrderedDict[str, tuple[int, datetime | None]] = OrderedDict()

    def failure(self, username: str, now: datetime) -> Exception:
        key = hashlib.sha256(username.encode("utf-8")).hexdigest()
        with self._lock:
            failed, until = self._names.pop(key, (0, None))
            if until is not None and now < until:
                self._names[key] = (failed, until)
                return AccountLocked(_locked_message(until))
            failed = 1 if until is not None else failed + 1
            until = now + LOCK_TIME if failed >= MAX_FAILED_LOGINS else None
            self._names[key] = (failed, until)
            while len(self._names) > self.MAX_NAMES:
                self._names.popitem(last=False)
        if until is not None:
            return AccountLocked(f"密码连续错误 {failed} 次，{_locked_message(until)}")
        return LoginFailed("用户名或密码错误")


_UNKNOWN_NAMES = _UnknownNameLockout()


def ensure_admin(engine: Engine, data_dir: str | Path) -> str | None:
    """On first start (no accounts at all) create `admin` with a random password.

    The password is logged once (stderr) and written to
    `data_dir/initial_admin_password`, readable by its owner only; the
    account must change it at first login. Returns the password when the
    account was created, None when accounts already exist.
    """
    if _count_users(engine):
        return None
    password = generate_password()
    password_hash = hash_password(password)
    try:
        with storage_errors("管理员账号"), _transaction(engine) as conn:
            if conn.execute(select(func.count()).select_from(users)).scalar():
                return None
            _insert_user(conn, "admin", password_hash, "admin", "", must_change_password=True)
            append_audit(conn, user=SYSTEM.username, action="create_user",
                         detail="首次启动：创建管理员 admin（初始密码须在首次登录后修改）")
    except IntegrityError:       # another process created it first
        return None
    path = Path(data_dir) / INITIAL_PASSWORD_FILE
    try:
        _write_private(path, password + "\n")
        where = f"，并已写入 {path}（仅所有者可读）"
    except OSError as exc:
        where = f"（写入 {path} 失败：{exc.strerror}）"
    log.warning("首次启动：已创建管理员账号 admin，初始密码：%s%s。首次登录后必须修改密码。",
                password, where)
    return password


def _count_users(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(users)).scalar() or 0)


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)     # also when the file already existed with wider rights
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


def _insert_user(conn: Connection, username: str, password_hash: str, role: str,
                 districts: str, *, must_change_password: bool, units: str = "[]") -> None:
    now = datetime.now()
    conn.execute(users.insert().values(
        username=username, password_hash=password_hash, role=role, districts=districts, units=units,
        active=True, must_change_password=must_change_password, failed_logins=0,
        locked_until=None, created_at=now, updated_at=now))


USERNAME_PUNCTUATION = frozenset("._-@")


def normal_username(username: str | None) -> str:
    """A typed user name as stored: NFKC (full-width ｚｈａｎｇ is zhang), no outer spaces."""
    return unicodedata.normalize("NFKC", username or "").strip()


def _check_username(username: str) -> str:
    """Letters (incl. Chinese), digits and `._-@` only: names are shown in Markdown
    (sidebar, 我的账号) and in the audit log, so no markup, control or invisible characters."""
    name = normal_username(username)
    if (not name or len(name) > 64
            or not all(ch.isalnum() or ch in USERNAME_PUNCTUATION for ch in name)):
        raise InvalidAccount("用户名不合法：1–64 个字符，只能用字母、汉字、数字和 . _ - @，不能含空格")
    if name.casefold() in RESERVED_NAMES:
        raise InvalidAccount(f"用户名 {name} 为系统保留，请换一个")
    return name


def _refuse_lookalike(conn: Connection, username: str) -> None:
    """`Admin` beside `admin`: one name differing only in case would pass for another in the log."""
    taken = conn.execute(select(users.c.username)
                         .where(func.lower(users.c.username) == username.lower())).scalar()
    if taken is not None:
        raise InvalidAccount(f"用户名 {username} 已存在" if taken == username
                             else f"用户名 {username} 与已有账号 {taken} 仅大小写不同，请换一个")


def _check_role(role: str) -> str:
    if role not in ROLES:
        choices = "、".join(f"{k}（{v}）" for k, v in ROLES.items())
        raise InvalidAccount(f"角色不合法：{role}，可选 {choices}")
    return role


def _scope_text(role: str, districts: str, units: str = "[]") -> str:
    """负责区县 of an account as text; a unit account's units follow (青山区/东关街道)."""
    named = split_names(districts) + [unit_text(d, u) for d, u in sorted(_units_of(units))]
    if not named:
        return WHOLE_AREA if role != "filler" else NO_DISTRICTS
    return "、".join(named)


def create_user(engine: Engine, actor: User | None, username: str, password: str, role: str,
                districts: Iterable[str] = (), *, must_change_password: bool = True,
                units: Iterable[tuple[str, str] | str] = ()) -> User:
    """Add an account (admins only). The user changes `password` at first login by default.

    `units` scopes a filler to some 基层团组织 of a district (beside whole `districts`).
    """
    authorize(actor, "manage_users")
    username = _check_username(username)
    role = _check_role(role)
    check_password_policy(password, username)
    scope = _districts_text(districts)
    unit_scope = _units_json(units)
    password_hash = hash_password(password)
    try:
        with _transaction(engine) as conn:
            _refuse_lookalike(conn, username)
            _insert_user(conn, username, password_hash, role, scope,
                         must_change_password=must_change_password, units=unit_scope)
            append_audit(conn, user=actor.username, action="create_user",
                         detail=f"创建账号 {username}（{ROLES[role]}，"
                                f"{_scope_text(role, scope, unit_scope)}）")
    except IntegrityError:
        raise InvalidAccount(f"用户名 {username} 已存在") from None
    return User(username, role, frozenset(split_names(scope)), must_change_password,
                _units_of(unit_scope))


def _update(engine: Engine, actor: User | None, username: str, action: str, detail: str,
            *, end_sessions: str | None = None, **values) -> None:
    """Change one account's columns (admins only) and audit it, in one transaction;
    `end_sessions` (a `login_sessions` reason) also logs the account out everywhere."""
    authorize(actor, "manage_users")
    with _transaction(engine) as conn:
        row = _row(conn, username, for_update=True)
        demoted = ("role" in values and values["role"] != "admin") or values.get("active") is False
        if row.role == "admin" and row.active and demoted:
            _keep_one_admin(conn, username)
        conn.execute(users.update().where(users.c.id == row.id)
                     .values(updated_at=datetime.now(), **values))
        if end_sessions:
            login_sessions.revoke_user(conn, row.username, end_sessions)
        append_audit(conn, user=actor.username, action=action, detail=detail)


def _keep_one_admin(conn: Connection, username: str) -> None:
    others = conn.execute(
        select(func.count()).select_from(users)
        .where(users.c.role == "admin", users.c.active.is_(True), users.c.username != username)
    ).scalar()
    if not others:
        raise InvalidAccount(f"{username} 是唯一启用的管理员，不能停用或降级；请先创建另一个管理员")


def set_active(engine: Engine, actor: User | None, username: str, active: bool) -> None:
    """Disable (keeps the account and its history) or re-enable an account."""
    if active:
        _update(engine, actor, username, "enable_user", f"启用账号 {username}", active=True)
    else:
        _update(engine, actor, username, "disable_user", f"停用账号 {username}", active=False,
                end_sessions=login_sessions.ACCOUNT_DISABLED)


def reset_password(engine: Engine, actor: User | None, username: str) -> str:
    """Give `username` a new random password (returned, to hand over once); also unlocks."""
    password = generate_password()
    _update(engine, actor, username, "reset_password", f"重置账号 {username} 的密码",
            password_hash=hash_password(password), must_change_password=True,
            failed_logins=0, locked_until=None, end_sessions=login_sessions.PASSWORD_RESET)
    return password


def set_role_and_districts(engine: Engine, actor: User | None, username: str,
                           role: str | None = None, districts: Iterable[str] | None = None,
                           units: Iterable[tuple[str, str] | str] | None = None) -> None:
    """Change an account's role, districts and/or units; None keeps the current value.

    Empty districts (and no units): a viewer sees all, a filler may edit none.
    """
    authorize(actor, "manage_users")
    if role is None or districts is None or units is None:
        with engine.connect() as conn:
            row = _row(conn, username)
        role = row.role if role is None else role
        districts = split_names(row.districts) if districts is None else districts
        units = _units_of(row.units) if units is None else units
    role = _check_role(role)
    scope = _districts_text(districts)
    unit_scope = _units_json(units)
    _update(engine, actor, username, "set_role",
            f"账号 {username} 设为 {ROLES[role]}（{_scope_text(role, scope, unit_scope)}）",
            role=role, districts=scope, units=unit_scope)


def unlock(engine: Engine, actor: User | None, username: str) -> None:
    """Lift a lock from failed logins before it runs out."""
    _update(engine, actor, username, "unlock_user", f"解锁账号 {username}",
            failed_logins=0, locked_until=None)


def change_password(engine: Engine, username: str, old: str, new: str, *,
                    keep_session: str | None = None) -> None:
    """A user changes their own password (also the forced change at first login).

    Every other session of the account ends (a stolen login does not outlive
    the new password); `keep_session` is the token hash of the session the
    change was made in, which stays logged in.
    """
    if new == old:
        raise WeakPassword("新密码不能与原密码相同")
    check_password_policy(new, username)
    with engine.connect() as conn:
        seen = _row(conn, username).password_hash
    matches = verify_password(old, seen)
    new_hash = hash_password(new) if matches else None
    with _transaction(engine) as conn:
        row = _row(conn, username, for_update=True)
        if not row.active:
            raise PermissionDenied(f"账号 {username} 已停用，请联系管理员")
        if matches and row.password_hash == seen:
            conn.execute(users.update().where(users.c.id == row.id).values(
                password_hash=new_hash, must_change_password=False, updated_at=datetime.now()))
            login_sessions.revoke_user(conn, username, login_sessions.PASSWORD_CHANGED,
                                       keep=keep_session)
            append_audit(conn, user=username, action="change_password", detail="修改了自己的密码")
            return
        append_audit(conn, user=username, action="login_failed", detail="修改密码时原密码错误")
    raise LoginFailed("原密码不正确")



USER_COLUMNS: dict[str, str] = {
    "username": "用户名", "role": "角色代码", "role_label": "角色", "districts": "区县",
    "active": "启用", "must_change_password": "须改密码", "failed_logins": "连续失败次数",
    "locked_until": "锁定至", "created_at": "创建时间", "updated_at": "更新时间",
    "units": "单位",
}


def list_users(engine: Engine, actor: User | None = SYSTEM) -> pd.DataFrame:
    """Every account, without password hashes; columns `USER_COLUMNS` (Chinese labels)."""
    authorize(actor, "manage_users")
    query = select(users.c.username, users.c.role, users.c.districts, users.c.units,
                   users.c.active, users.c.must_change_password, users.c.failed_logins,
                   users.c.locked_until, users.c.created_at, users.c.updated_at
                   ).order_by(users.c.username)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=["username", "role", "districts", "units", "active",
                                        "must_change_password", "failed_logins",
                                        "locked_until", "created_at", "updated_at"])
    frame["role_label"] = frame["role"].map(ROLES).fillna(frame["role"])
    frame["districts"] = [UNITS_ONLY if not d and _units_of(u) else _scope_text(r, d or "")
                          for r, d, u in zip(frame["role"], frame["districts"], frame["units"])]
    frame["units"] = ["、".join(unit_text(*p) for p in sorted(_units_of(u))) for u in frame["units"]]
    frame["active"] = frame["active"].astype(bool)
    frame["must_change_password"] = frame["must_change_password"].astype(bool)
    for column in ("locked_until", "created_at", "updated_at"):
        frame[column] = pd.to_datetime(frame[column])
    return frame[list(USER_COLUMNS)]
