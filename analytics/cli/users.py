"""`users` sub-commands: manage accounts from the server's shell.

Whoever runs the command on the server acts as the local operator
(`access.SYSTEM`), or as the account given with `--user`, whose role must then
allow managing accounts (`accounts.operator`); every change is audited. Passwords are never taken as
command-line arguments (they would land in the shell history and `ps`):
new and reset passwords are generated and printed once, or read from stdin.
"""
from __future__ import annotations

import argparse
import json
import re
import sys

from analytics import access
from analytics.cli.options import db_option, open_engine, user_option
from analytics.store import accounts
from analytics.errors import InvalidAccount, WeakPassword

_EPILOG = """示例：
  python -m analytics users add zhang --role filler --districts 青山区
  python -m analytics users add dg --role filler --units 青山区/东关街道团工委   # 基层团组织填报员
  python -m analytics users add li --role viewer --districts 青山区,临江区
  echo '初始密码123' | python -m analytics users add wang --role admin --password-stdin
  python -m analytics users list
  python -m analytics users set-role zhang --role filler --districts 青山区,临江区
  python -m analytics users reset-password zhang     # 打印一次新密码
  python -m analytics users unlock zhang
  python -m analytics users disable zhang
  python -m analytics users list --user wang          # 以管理员 wang 的身份操作（记入日志）

不加 --user 时以本机管理员（system）身份操作：能在服务器上运行本命令的人本来就能访问数据库。
"""
_ROLE_HELP = "角色：admin（管理员）、filler（填报员）、viewer（查看者）"
_DISTRICTS_HELP = ("区县，多个用逗号或顿号分隔；查看者不填表示可看全部区县，"
                   "填报员不填（也不填 --units）则不能导入任何数据")
_UNITS_HELP = ("填报员只负责的基层团组织，写成 区县/单位，多个用逗号分隔，"
               "如 青山区/东关街道团工委,青山区/第一中学团委")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "users", help="账号管理：添加、列出、停用/启用、重置密码、设置角色和区县、解锁",
        description="管理看板账号（管理员、填报员、查看者）。所有操作都记入操作日志。",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="users_command", metavar="操作")
    sub.required = True

    add = _command(sub, "add", "添加账号", "添加账号；默认生成随机初始密码并只显示一次，首次登录后须修改。",
                   "python -m analytics users add zhang --role filler --districts 青山区",
                   run_add)
    add.add_argument("--role", required=True, choices=list(access.ROLES), help=_ROLE_HELP)
    add.add_argument("--districts", default="", metavar="区县", help=_DISTRICTS_HELP)
    add.add_argument("--units", default="", metavar="区县/单位", help=_UNITS_HELP)
    add.add_argument("--password-stdin", action="store_true",
                     help="从标准输入读取初始密码（一行），而不是随机生成")

    listing = _command(sub, "list", "列出账号", "列出所有账号（不含密码）。",
                       "python -m analytics users list --json", run_list)
    listing.add_argument("--json", action="store_true", help="输出 JSON")

    _command(sub, "disable", "停用账号", "停用账号：不能再登录，历史记录保留。",
             "python -m analytics users disable zhang", run_disable)
    _command(sub, "enable", "启用账号", "重新启用已停用的账号。",
             "python -m analytics users enable zhang", run_enable)
    _command(sub, "reset-password", "重置密码",
             "生成新的随机密码并只显示一次；同时解除锁定，首次登录后须修改。",
             "python -m analytics users reset-password zhang", run_reset_password)
    role = _command(sub, "set-role", "设置角色和区县", "修改账号的角色和/或区县；未给出的项保持不变。",
                    "python -m analytics users set-role zhang --role filler --districts 青山区,临江区",
                    run_set_role)
    role.add_argument("--role", choices=list(access.ROLES), help=_ROLE_HELP)
    role.add_argument("--districts", metavar="区县",
                      help=_DISTRICTS_HELP + "；传空字符串 \"\" 表示清空")
    role.add_argument("--units", metavar="区县/单位", help=_UNITS_HELP + "；传空字符串 \"\" 表示清空")
    _command(sub, "unlock", "解除锁定", "解除因连续输错密码造成的账号锁定。",
             "python -m analytics users unlock zhang", run_unlock)


def _command(sub: argparse._SubParsersAction, name: str, help_text: str, description: str,
             example: str, func) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text, description=description,
                            epilog=f"示例：\n  {example}",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    if name != "list":
        parser.add_argument("username", metavar="用户名")
    db_option(parser)
    user_option(parser, dest="acting_user", note="（须为管理员）")
    parser.set_defaults(func=func)
    return parser


def split_districts(text: str | None) -> list[str]:
    """"青山区,临江区" / "青山区、临江区" -> ["青山区", "临江区"]."""
    return [d.strip() for d in re.split(r"[,，、|;；]", text or "") if d.strip()]


def split_units(text: str | None) -> list[tuple[str, str]]:
    """"青山区/东关街道,青山区/西关街道" -> [("青山区", "东关街道"), ("青山区", "西关街道")]."""
    try:
        return [access.parse_unit(part) for part in split_districts(text)]
    except ValueError as exc:
        raise InvalidAccount(str(exc)) from None


def _acting(args: argparse.Namespace):
    """(engine, actor) of a call: `--user`'s account, else the local operator."""
    engine = open_engine(args)
    return engine, accounts.operator(engine, args.acting_user)


def run_add(args: argparse.Namespace) -> int:
    engine, actor = _acting(args)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise WeakPassword("标准输入中没有读到密码")
    else:
        password = accounts.generate_password()
    user = accounts.create_user(engine, actor, args.username, password,
                            args.role, split_districts(args.districts),
                            units=split_units(args.units))
    scope = "、".join(sorted(user.districts)) or ("未分配" if user.role == "filler" else "全部")
    if user.units:
        scope = ("" if not user.districts else scope + "；") + "单位：" + "、".join(
            access.unit_text(d, u) for d, u in sorted(user.units))
    print(f"已创建账号 {user.username}（{access.ROLES[user.role]}，区县：{scope}）")
    if not args.password_stdin:
        print(f"初始密码：{password}")
        print("（密码只显示这一次，请妥善转交；首次登录后须修改）")
    return 0


def run_list(args: argparse.Namespace) -> int:
    frame = accounts.list_users(*_acting(args))
    if args.json:
        records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    if frame.empty:
        print("还没有账号。")
        return 0
    shown = frame.drop(columns=["role"]).copy()
    shown["active"] = shown["active"].map({True: "启用", False: "停用"})
    shown["must_change_password"] = shown["must_change_password"].map({True: "是", False: "否"})
    for column in ("locked_until", "created_at", "updated_at"):
        shown[column] = shown[column].dt.strftime("%Y-%m-%d %H:%M").fillna("")
    print(shown.rename(columns=accounts.USER_COLUMNS).to_string(index=False))
    return 0


def run_disable(args: argparse.Namespace) -> int:
    accounts.set_active(*_acting(args), args.username, False)
    print(f"已停用账号 {args.username}")
    return 0


def run_enable(args: argparse.Namespace) -> int:
    accounts.set_active(*_acting(args), args.username, True)
    print(f"已启用账号 {args.username}")
    return 0


def run_reset_password(args: argparse.Namespace) -> int:
    password = accounts.reset_password(*_acting(args), args.username)
    print(f"已重置账号 {args.username} 的密码，新密码：{password}")
    print("（密码只显示这一次，请妥善转交；首次登录后须修改）")
    return 0


def run_set_role(args: argparse.Namespace) -> int:
    districts = None if args.districts is None else split_districts(args.districts)
    units = None if args.units is None else split_units(args.units)
    if args.role is None and districts is None and units is None:
        raise InvalidAccount("请至少给出 --role、--districts 或 --units")
    engine, actor = _acting(args)
    accounts.set_role_and_districts(engine, actor, args.username, args.role, districts, units)
    row = accounts.list_users(engine, actor).set_index("username").loc[args.username]
    unit_part = f"，单位：{row['units']}" if row["units"] else ""
    print(f"账号 {args.username} 现为 {row['role_label']}，区县：{row['districts']}{unit_part}")
    return 0


def run_unlock(args: argparse.Namespace) -> int:
    accounts.unlock(*_acting(args), args.username)
    print(f"已解除账号 {args.username} 的锁定")
    return 0
