"""`python -m analytics absent --month YYYY-MM` — 未学名单: members who have not studied."""
from __future__ import annotations

import argparse
import json

from analytics.cli.options import db_option, user_option
from analytics.cli.storage import _actor, _engine

EPILOG = """示例：
  python -m analytics absent --month 2026-03 --district 东城区 --json
  python -m analytics absent --month 2026-03 --period 2026年第5期 --unit 一中 --user zhang

名单按导入的学习记录和当月有效的团员名单核对；填报员只能查看本人负责区县的名单。"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "absent", help="未学名单：团员名单中当月未参学的团员",
        description="按学习记录核对团员名单，列出未参学的团员；不在名单中的参学人员另列。",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="月份")
    parser.add_argument("--period", metavar="期次", help="只看这一期（默认当月各期）")
    parser.add_argument("--district", action="append", metavar="区县", help="只看这个区县（可重复）")
    parser.add_argument("--unit", action="append", metavar="单位", help="只看这个单位（可重复）")
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    db_option(parser)
    user_option(parser)
    parser.set_defaults(func=run_absent)


def run_absent(args: argparse.Namespace) -> int:
    from analytics import access
    from analytics.errors import BadOption
    from analytics.ingest.values import BadValue, parse_month
    from analytics.metrics.records import absent_report
    from analytics.store.frames import load_frames

    try:
        month = parse_month(args.month)
    except BadValue:
        raise BadOption(f"月份“{args.month}”无法识别，请写成 2026-03 的格式") from None
    engine = _engine(args)
    districts = access.name_districts(_actor(engine, args), args.district)
    frames = load_frames(engine, years=[int(month[:4])], districts=districts)
    report = absent_report(frames, month=month, period=args.period, districts=districts,
                           units=args.unit)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(absent_text(report))
    return 0


def absent_text(report: dict) -> str:
    """The report as plain Chinese lines, one per person."""
    lines = [f"{report['month']} 未学名单：{len(report['absent'])} 人"]
    lines += [f"  {p['district']} {p['unit']} {p['branch']} {p['period']} {p['name'] or ''} "
              f"{p['member_id'] or ''}".rstrip() for p in report["absent"]]
    others = report.get("not_on_roster", [])
    if others:
        lines += ["", f"参学但不在团员名单中（非团员青年或姓名填写不一致）：{len(others)} 人"]
        lines += [f"  {p['district']} {p['unit']} {p['branch']} {p['period']} {p['name'] or ''} "
                  f"{p['member_id'] or ''}".rstrip() for p in others]
    return "\n".join(lines)
