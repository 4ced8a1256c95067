"""Roles and district scoping, as pure functions over a `User`.

Three roles: 管理员 `admin` (everything, accounts), 填报员 `filler` (stores,
replaces and rolls back data of their own districts; sees every dashboard)
and 查看者 `viewer` (sees the dashboards, limited to `districts` when set).
The storage code, the command line and the pages call `authorize` before
acting, so the rules hold whichever door a request comes in by; which page
a role may open is `page_allowed`.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta


from analytics.errors import (
    PermissionDenied,
)
from analytics.schema import ALL_DISTRICTS

log = logging.getLogger(__name__)


ROLES: dict[str, str] = {"admin": "管理员", "filler": "填报员", "viewer": "查看者"}
# actions `authorize` knows, with the verb its refusal uses
ACTIONS: dict[str, str] = {
    "store": "导入", "replace": "替换", "rollback": "撤销", "edit_targets": "修改",
    "manage_users": "管理账号", "view": "查看",
}
DATA_ACTIONS = frozenset({"store", "replace", "rollback", "edit_targets"})
SESSION_TTL = timedelta(hours=8)


@dataclass(frozen=True)
class User:
    """Who is acting. `districts` empty means every district."""

    username: str
    role: str
    districts: frozenset[str] = frozenset()
    must_change_password: bool = False

    @property
    def label(self) -> str:
        """"填报员 zhang": how messages name the user."""
        return f"{ROLES.get(self.role, self.role)} {self.username}"

    def can_see(self, district: str) -> bool:
        """Admins and fillers see every district; a viewer only theirs, when set."""
        return self.role != "viewer" or not self.districts or district in self.districts


SYSTEM = User("system", "admin", frozenset())
PUBLIC = User("public", "viewer", frozenset())


# --- permissions (pure) --------------------------------------------------------

def is_allowed(actor: User | None, action: str, district: str | None = None) -> bool:
    """Whether `actor` may do `action`, on `district` when given."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if actor is None or actor.must_change_password:
        return False
    if actor.role == "admin":
        return True
    if action == "view":
        return district is None or actor.can_see(district)
    if action in DATA_ACTIONS and actor.role == "filler" and actor.districts:
        return district is None or district in actor.districts
    return False


def authorize(actor: User | None, action: str, districts: Iterable[str] = ()) -> None:
    """Raise `PermissionDenied` unless `actor` may do `action` on every one of `districts`.

    >>> authorize(User("zhang", "filler", frozenset({"青山区"})), "store", ["临江区"])
    Traceback (most recent call last):
    analytics.errors.PermissionDenied: 您（填报员 zhang）无权导入 临江区 的数据
    """
    if actor is None:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        raise PermissionDenied("请先登录")
    if not is_allowed(actor, action):
        raise PermissionDenied(_refusal(actor, action))
    denied = sorted({d for d in districts if not is_allowed(actor, action, d)})
    if denied:
        raise PermissionDenied(_refusal(actor, action, denied))


def _refusal(actor: User, action: str, districts: list[str] | None = None) -> str:
    who = f"您（{actor.label}）"
    if actor.must_change_password and is_allowed(replace(actor, must_change_password=False),
                                                 action, *(districts or [])[:1]):
        return f"{who}须先在“我的账号”页修改初始密码，在此之前不能进行其他操作"
    if action == "manage_users":
        return f"{who}无权管理账号，请联系管理员"
    if actor.role == "filler" and not actor.districts and action in DATA_ACTIONS:
        return f"{who}尚未分配区县，无权{ACTIONS[action]}数据，请联系管理员"
    what = "目标" if action == "edit_targets" else "数据"
    if not districts:
        return f"{who}无权{ACTIONS[action]}{what}"
    names = "、".join("全区（全部）" if d == ALL_DISTRICTS else d for d in districts)
    return f"{who}无权{ACTIONS[action]} {names} 的{what}"


def require_role(actor: User | None, *roles: str) -> User:
    """Raise `PermissionDenied` unless `actor` has one of `roles`; returns the actor."""
    if actor is None:
        raise PermissionDenied("请先登录")
    if actor.role not in roles:
        allowed = "、".join(ROLES.get(r, r) for r in roles)
        raise PermissionDenied(f"您（{actor.label}）无权使用此功能（仅限{allowed}）")
    if actor.must_change_password:
        raise PermissionDenied(f"您（{actor.label}）须先在“我的账号”页修改初始密码，在此之前不能进行其他操作")
    return actor


def allowed_districts(actor: User | None) -> frozenset[str] | None:
    """Districts whose dashboards `actor` may see; None means all."""
    if actor is None:
        return frozenset()
    if actor.role == "viewer" and actor.districts:
        return actor.districts
    return None


def editable_districts(actor: User | None) -> frozenset[str] | None:
    """Districts whose data `actor` may store/replace/roll back; None means all."""
    if actor is None or actor.role == "viewer":
        return frozenset()
    if actor.role == "admin":
        return None
    return actor.districts


def sees_people(user: User | None) -> bool:
    """Whether `user` may see single persons (volunteer names, ids, phones): any logged-in
    account. The anonymous public view (`PUBLIC`) shows aggregates only."""
    return user is not None and user.username != PUBLIC_USERNAME


def public_view_enabled() -> bool:
    """Whether anonymous visitors see the dashboards (as `PUBLIC`): LEAGUE_PUBLIC_VIEW=1."""
    return os.environ.get("LEAGUE_PUBLIC_VIEW", "").strip() == "1"


def session_expired(logged_in_at: datetime, now: datetime | None = None,
                    ttl: timedelta = SESSION_TTL) -> bool:
    """Whether a session that started at `logged_in_at` is over."""
    now = now or datetime.now()
    return not (logged_in_at <= now < logged_in_at + ttl)


# --- who sees which page -----------------------------------------------------

# url paths of pages that not every role may open; any other page is a
# dashboard page that every user (incl. the anonymous public viewer) sees
RESTRICTED_PAGES: dict[str, frozenset[str]] = {
    "upload": frozenset({"admin", "filler"}),
    "targets": frozenset({"admin", "filler"}),
    "audit": frozenset({"admin", "filler"}),
    "accounts": frozenset({"admin"}),
    "me": frozenset({"admin", "filler", "viewer"}),
}
ACCOUNT_PAGE = "me"
PUBLIC_USERNAME = "public"


def page_allowed(user, url_path: str) -> bool:
    """Whether `user` may open the page at `url_path`.

    A user who must change their password sees only 我的账号 until they do;
    the anonymous public viewer sees only the dashboards.
    """
    if getattr(user, "must_change_password", False):
        return url_path == ACCOUNT_PAGE
    if url_path not in RESTRICTED_PAGES:
        return True
    if user.username == PUBLIC_USERNAME:
        return False
    return user.role in RESTRICTED_PAGES[url_path]
