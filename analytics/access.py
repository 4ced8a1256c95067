"""Roles and district scoping, as pure functions over a `User`.

Three roles: 管理员 `admin` (everything, accounts), 填报员 `filler` (stores,
replaces and rolls back data of their own districts, or only of their own
units of a district — 基层团组织 staff; sees every dashboard)
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
    "manage_users": "管理账号", "view": "查看", "view_names": "查看",
}
DATA_ACTIONS = frozenset({"store", "replace", "rollback", "edit_targets"})
# personal names (未学名单): a 填报员 of the district or an admin; leaders and the public see counts
NAME_ACTIONS = frozenset({"view_names"})
SESSION_TTL = timedelta(hours=8)


@dataclass(frozen=True)
class User:
    """Who is acting. `districts` empty means every district (a filler: none).

    `units` are (district, unit) pairs a filler may fill in beside whole
    `districts`: the account of one 街道团工委 or 学校团委.
    """

    username: str
    role: str
    districts: frozenset[str] = frozenset()
    must_change_password: bool = False
    units: frozenset[tuple[str, str]] = frozenset()

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

def is_allowed(actor: User | None, action: str, district: str | None = None,
               unit: str | None = None) -> bool:
    """Whether `actor` may do `action`, on `district` (all of it) or on one `unit` of it.

    A unit account may act on its units only: never on a whole district
    (targets, a district-level batch), never on another unit.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if actor is None or actor.must_change_password:
        return False
    if actor.role == "admin":
        return True
    if action == "view":
        return district is None or actor.can_see(district)
    if action in DATA_ACTIONS | NAME_ACTIONS and actor.role == "filler" and (
            actor.districts or actor.units):
        if district is None or district in actor.districts:
            return True
        return unit is not None and (district, unit) in actor.units
    return False


UNIT_SEPARATOR = "/"      # "青山区/东关街道": how a unit of a district is typed and shown


def unit_text(district: str, unit: str) -> str:
    return f"{district}{UNIT_SEPARATOR}{unit}"


def parse_unit(text: str) -> tuple[str, str]:
    """"青山区/东关街道" (or ／) -> ("青山区", "东关街道"); `ValueError` (Chinese) when malformed."""
    district, sep, unit = text.replace("／", UNIT_SEPARATOR).partition(UNIT_SEPARATOR)
    if not sep or not district.strip() or not unit.strip():
        raise ValueError(f"单位“{text}”应写成 区县{UNIT_SEPARATOR}单位，如 青山区{UNIT_SEPARATOR}东关街道团工委")
    return district.strip(), unit.strip()


def reachable_districts(actor: User | None) -> frozenset[str]:
    """Districts a filler holds whole or by some of their units (for naming a refusal)."""
    if actor is None:
        return frozenset()
    return actor.districts | {d for d, _ in actor.units}


def authorize(actor: User | None, action: str, districts: Iterable[str] = (), *,
              units: Iterable[tuple[str, str]] = ()) -> None:
    """Raise `PermissionDenied` unless `actor` may do `action` on every one of `districts`
    (whole) and of `units` ((district, unit) pairs).

    >>> authorize(User("zhang", "filler", frozenset({"青山区"})), "store", ["临江区"])
    Traceback (most recent call last):
    analytics.errors.PermissionDenied: 您（填报员 zhang）无权导入 临江区 的数据
    >>> authorize(User("dg", "filler", units=frozenset({("青山区", "东关街道")})), "store",
    ...           units=[("青山区", "西关街道")])
    Traceback (most recent call last):
    analytics.errors.PermissionDenied: 您（填报员 dg）无权导入 青山区 西关街道 的数据
    """
    if actor is None:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        raise PermissionDenied("请先登录")
    if not is_allowed(actor, action):
        raise PermissionDenied(_refusal(actor, action))
    denied = sorted({d for d in districts if not is_allowed(actor, action, d)})
    reach = reachable_districts(actor)
    for d, u in sorted(set(units)):
        if not is_allowed(actor, action, d, u or None):
            # a district the actor holds no unit of is named whole, else the unit refused
            name = f"{d} {u}" if u and d in reach else d
            if name not in denied:
                denied.append(name)
    if denied:
        raise PermissionDenied(_refusal(actor, action, denied))


def _refusal(actor: User, action: str, districts: list[str] | None = None) -> str:
    who = f"您（{actor.label}）"
    if actor.must_change_password and is_allowed(replace(actor, must_change_password=False),
                                                 action, *(districts or [])[:1]):
        return f"{who}须先在“我的账号”页修改初始密码，在此之前不能进行其他操作"
    if action == "manage_users":
        return f"{who}无权管理账号，请联系管理员"
    if actor.role == "filler" and not actor.districts and not actor.units \
            and action in DATA_ACTIONS:
        return f"{who}尚未分配区县，无权{ACTIONS[action]}数据，请联系管理员"
    what = {"edit_targets": "目标", "view_names": "名单"}.get(action, "数据")
    if not districts:
        return f"{who}无权{ACTIONS[action]}{what}"
    names = "、".join("全区（全部）" if d == ALL_DISTRICTS else d for d in districts)
    return f"{who}无权{ACTIONS[action]} {names} 的{what}"


def name_districts(actor: User | None, districts: Iterable[str] | None = None) -> list[str] | None:
    """The districts whose personal names (未学名单) `actor` may see: the ones asked for
    (refused with `PermissionDenied` unless all are allowed), else a 填报员's own; None = all."""
    wanted = sorted(set(districts or ()))
    authorize(actor, "view_names", wanted)
    if wanted:
        return wanted
    return None if actor.role == "admin" else sorted(actor.districts)


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


def editable_districts(actor: User | None, *, whole: bool = False) -> frozenset[str] | None:
    """Districts whose data `actor` may store/replace/roll back; None means all.

    A unit account's districts are included (some units of them); with
    `whole` only districts held whole (what targets need).
    """
    if actor is None or actor.role == "viewer":
        return frozenset()
    if actor.role == "admin":
        return None
    return actor.districts if whole else reachable_districts(actor)


def history_scope(actor: User | None) -> tuple[frozenset[str] | None, frozenset[tuple[str, str]]]:
    """(whole districts, (district, unit) pairs) whose batches `actor` sees in the import
    history; (None, ∅) means every batch. Fillers see what they may fill in, viewers what
    they may view."""
    if actor is not None and actor.role == "filler":
        return actor.districts, actor.units
    return allowed_districts(actor), frozenset()


def may_read_names(actor: User | None, district: str, unit: str) -> bool:
    """Whether `actor` may read (and download) the names of a unit's people (志愿者名单):
    a unit account (基层团组织 staff) only its own units' and whole districts' people;
    every other account the people of the districts it may view."""
    if actor is None:
        return False
    if actor.role == "filler" and actor.units:
        return district in actor.districts or (district, unit) in actor.units
    return is_allowed(actor, "view", district)


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
