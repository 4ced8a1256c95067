"""`reporting` sub-command: 报送情况 at the command line (which units have reported a month)."""
from __future__ import annotations

import argparse
import json

from analytics.cli.options import db_option, open_engine
from analytics.errors import BadOption


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reporting", help="报送情况：某月各基层团组织报送了哪些报表、哪些未报",
        description="按区县列出某月各单位的报送情况（批次、导入人、时间）。应报单位为以往月份报送过的单位，"
                    "加上 analytics/data/units.csv 所列单位。",
        epilog="示例：\n  python -m analytics reporting --district 青山区 --month 2026-03\n"
               "  python -m analytics reporting --month 2026-03 --json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--district", action="append", metavar="区县", help="只看这个区县（可重复）")
    parser.add_argument("--month", metavar="YYYY-MM", help="月份，默认为最近有单位报送的月份")
    parser.add_argument("--json", action="store_true", help="输出 JSON（每个单位每类报表一行）")
    db_option(parser)
    parser.set_defaults(func=run_reporting)


def run_reporting(args: argparse.Namespace) -> int:
    from analytics.ingest.values import BadValue, parse_month
    from analytics.metrics import reporting
    from analytics.present.reporting_tables import progress_table, reporting_table
    from analytics.store.batches import reporting_scopes

    scopes = reporting_scopes(open_engine(args), districts=args.district)
    try:
        month = parse_month(args.month) if args.month else reporting.latest_month(scopes)
    except BadValue as exc:
        raise BadOption(f"--month “{args.month}” 不正确：{exc}") from None
    if month is None:
        print("还没有各基层团组织的报送记录。")
        return 0
    status = reporting.reporting_status(scopes, reporting.unit_list(), month=month,
                                        districts=args.district)
    if args.json:
        import pandas as pd

        records = [{**r, "reported": bool(r["reported"]), "listed": bool(r["listed"]),
                    "batch_id": None if pd.isna(r["batch_id"]) else int(r["batch_id"]),
                    "username": None if pd.isna(r["username"]) else r["username"],
                    "created_at": None if pd.isna(r["created_at"])
                    else f"{r['created_at']:%Y-%m-%d %H:%M:%S}"}
                   for r in status.to_dict("records")]
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    print(f"{month} 报送进度")
    print(progress_table(reporting.reporting_progress(status)).to_string(index=False))
    print()
    print(reporting_table(status).to_string(index=False))
    return 0
