"""`import`, `indicators`, `sample` and `batches` sub-commands: storage at the command line."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy import Engine

from analytics import schema
from analytics.cli.options import db_option, open_engine, user_option
from analytics.errors import AnalyticsError, RowsRejected

_FORMAT = argparse.RawDescriptionHelpFormatter


def register(subparsers: argparse._SubParsersAction) -> None:
    _register_import(subparsers)
    _register_indicators(subparsers)
    _register_sample(subparsers)
    _register_batches(subparsers)


def _engine(args: argparse.Namespace) -> Engine:
    return open_engine(args)


def _actor(engine: Engine, args: argparse.Namespace):
    from analytics.store.accounts import operator

    return operator(engine, getattr(args, "user", None))   # --user "" is refused, not system


# --- import ---------------------------------------------------------------------

def _register_import(subparsers) -> None:
    parser = subparsers.add_parser(
        "import", help="导入报表到数据库（可一次导入多个文件）",
        description="检查并导入报表。同一文件重复导入不会重复计数；文件中的单位若该月已导入，需加 --replace 才会替换（只替换这些单位，其他单位不受影响）；"
                    "有错误行的文件默认不导入，加 --skip-bad-rows 仅导入有效行。\n"
                    "退出码：0 全部导入或已导入过；1 有文件被拒绝或有行被跳过；2 有文件无法读取。",
        epilog="示例：\n  python -m analytics import 青山区_2026-03.xlsx\n"
               "  python -m analytics import 3月/*.xlsx --district 青山区 --replace --user zhang",
        formatter_class=_FORMAT)
    parser.add_argument("files", nargs="+", metavar="文件", help=".xlsx / .xls / .csv 文件")
    parser.add_argument("--district", metavar="区县", help="表中没有“区”列时使用的区县")
    parser.add_argument("--month", metavar="YYYY-MM", help="表中没有“月份”列时使用的月份")
    parser.add_argument("--replace", action="store_true", help="替换已导入的同一区县、同一单位、同一月份数据（只替换文件中的单位）")
    parser.add_argument("--skip-bad-rows", action="store_true", help="跳过错误行，仅导入有效行")
    db_option(parser)
    user_option(parser)
    parser.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    from analytics.store.batches import store_file

    engine = _engine(args)
    actor = _actor(engine, args)
    code = 0
    for name in args.files:
        path = Path(name)
        try:
            results = store_file(engine, path, filename=path.name, actor=actor,
                                 district=args.district, month=args.month,
                                 replace=args.replace, skip_bad_rows=args.skip_bad_rows)
        except AnalyticsError as exc:
            print(f"{path.name}：{exc}", file=sys.stderr)
            if isinstance(exc, RowsRejected):
                for line in rejected_lines(exc.rejected):
                    print(line, file=sys.stderr)
            code = max(code, exc.exit_code)
            continue
        except OSError as exc:
            print(f"{path.name}：无法读取文件（{exc.strerror}）", file=sys.stderr)
            code = 2
            continue
        for result in results:
            print(f"{path.name} [{result.sheet}]：{result.message}")
            if result.rows_rejected:
                print(f"  跳过错误行 {result.rows_rejected} 行（保存在批次记录中）")
                for line in rejected_lines([(result.sheet, r) for r in result.rejected]):
                    print(line)
                code = max(code, 1)
    return code


SHOWN_REJECTED = 20


def rejected_lines(rejected: list[tuple[str, dict]], limit: int = SHOWN_REJECTED) -> list[str]:
    """"  [工作表] 第 N 行：列：说明" for the first `limit` rejected rows, then a count of the rest."""
    lines = [f"  [{sheet}] 第 {row['row']} 行：{'；'.join(map(str, row['errors']))}"
             for sheet, row in rejected[:limit]]
    if len(rejected) > limit:
        lines.append(f"  …… 另有 {len(rejected) - limit} 行（可用 check 命令查看全部）")
    return lines


# --- indicators -------------------------------------------------------------------

def _register_indicators(subparsers) -> None:
    parser = subparsers.add_parser(
        "indicators", help="计算年度指标（参学率、活动、志愿服务）及目标完成情况",
        description="按区县计算某年度截至某日的指标，并与年度目标、序时进度比较。",
        epilog="示例：\n  python -m analytics indicators --year 2026 --json\n"
               "  python -m analytics indicators --year 2026 --district 青山区 --as-of 2026-06-30",
        formatter_class=_FORMAT)
    parser.add_argument("--year", type=int, required=True, metavar="年度")
    parser.add_argument("--district", action="append", metavar="区县",
                        help="只看这个区县（可重复）；默认全部区县")
    parser.add_argument("--as-of", metavar="YYYY-MM-DD",
                        help="统计截止日，默认为已上报数据的最后一个月月底（不晚于今天；往年为年末）")
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    db_option(parser)
    parser.set_defaults(func=run_indicators)


def run_indicators(args: argparse.Namespace) -> int:
    from analytics.metrics.indicators import indicator_report
    from analytics.store.frames import load_frames

    from analytics import periods

    as_of = periods.parse_day(args.as_of)
    engine = _engine(args)
    districts = args.district
    frames = load_frames(engine, years=[args.year],
                         districts=[*districts, schema.ALL_DISTRICTS] if districts else None)
    report = indicator_report(frames, year=args.year, as_of=as_of, districts=districts)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(report_table(report))
    return 0


def _format(name: str, value) -> str:
    from analytics.present import fmt

    indicator = schema.INDICATOR_BY_NAME.get(name)
    if indicator is not None and indicator.is_rate:
        return fmt.fmt_rate(value)
    return fmt.fmt_number(value)


def report_table(report: dict) -> str:
    """The indicators report as a plain Chinese text table."""
    import pandas as pd

    rows = [*report["districts"], {**report["total"], "district": "合计"}]
    names = [i.name for i in schema.INDICATORS]
    table = pd.DataFrame([[r["district"], *(_format(n, r.get(n)) for n in names)] for r in rows],
                         columns=["区县", *(f"{i.label}" for i in schema.INDICATORS)])
    lines = [f"{report['year']} 年指标（{report['as_of_text']}）", table.to_string(index=False)]
    goals = [[r["district"], schema.INDICATOR_BY_NAME[n].label, _format(n, t.get("target")),
              _pct(t.get("completion")), _pct(t.get("expected")), t.get("status") or "—"]
             for r in rows for n, t in r.get("targets", {}).items()]
    if goals:
        lines += ["", "目标完成情况",
                  pd.DataFrame(goals, columns=["区县", "指标", "目标", "完成率", "序时进度", "状态"])
                  .to_string(index=False)]
    return "\n".join(lines)


def _pct(value) -> str:
    from analytics.present import fmt

    return fmt.fmt_rate(value, digits=1)


# --- sample -----------------------------------------------------------------------

def _register_sample(subparsers) -> None:
    parser = subparsers.add_parser(
        "sample", help="导入自带的示例数据（sample_data/）",
        description="把 sample_data/ 下的示例报表全部导入数据库（标记为示例数据，可在看板中一键清除）。",
        epilog="示例：\n  python -m analytics sample\n  python -m analytics sample --db sqlite:///demo.db",
        formatter_class=_FORMAT)
    db_option(parser)
    parser.set_defaults(func=run_sample)


def run_sample(args: argparse.Namespace) -> int:
    from analytics.store.sample import load_sample

    results = load_sample(_engine(args))
    stored = [r for r in results if r.batch_id and r.status != "duplicate"]
    rows = sum(r.rows_stored for r in stored)
    print(f"示例数据：新导入 {len(stored)} 个批次，共 {rows:,} 行；"
          f"{sum(r.status == 'duplicate' for r in results)} 个工作表已导入过。")
    return 0


# --- batches ----------------------------------------------------------------------

def _register_batches(subparsers) -> None:
    parser = subparsers.add_parser(
        "batches", help="查看导入批次，或撤销某个批次",
        description="每个导入的工作表是一个批次。撤销批次会恢复它所替换的数据。",
        epilog="示例：\n  python -m analytics batches list\n  python -m analytics batches rollback 12",
        formatter_class=_FORMAT)
    sub = parser.add_subparsers(dest="batches_command", metavar="操作")
    sub.required = True
    listing = sub.add_parser("list", help="列出最近的批次",
                             description="列出最近导入的批次（最新在前）。",
                             epilog="示例：\n  python -m analytics batches list --district 青山区",
                             formatter_class=_FORMAT)
    listing.add_argument("--district", action="append", metavar="区县", help="只看涉及该区县的批次")
    listing.add_argument("--limit", type=int, default=50, metavar="N", help="最多列出 N 个（默认 50）")
    listing.add_argument("--json", action="store_true", help="输出 JSON")
    db_option(listing)
    user_option(listing)
    listing.set_defaults(func=run_batches_list)
    rollback = sub.add_parser("rollback", help="撤销一个批次（恢复它替换的数据）",
                              description="撤销一个批次：它导入的数据不再计入，被它替换的数据恢复。",
                              epilog="示例：\n  python -m analytics batches rollback 12 --user zhang",
                              formatter_class=_FORMAT)
    rollback.add_argument("batch_id", type=int, metavar="批次号")
    db_option(rollback)
    user_option(rollback)
    rollback.set_defaults(func=run_batches_rollback)


def run_batches_list(args: argparse.Namespace) -> int:
    from analytics.access import history_scope
    from analytics.present.admin_tables import batches_table
    from analytics.store.batches import list_batches

    engine = _engine(args)
    actor = _actor(engine, args)
    # fillers see the batches of the districts (or units) they fill in; viewers what they may view
    allowed, units = history_scope(actor)
    districts = args.district
    if allowed is not None:
        wanted = set(districts or ())
        units = {(d, u) for d, u in units if not districts or d in wanted}
        districts = sorted(allowed & wanted) if districts else sorted(allowed)
    frame = list_batches(engine, districts=districts, units=units, limit=args.limit)
    if args.json:
        frame["created_at"] = frame["created_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
        print(json.dumps(frame.to_dict("records"), ensure_ascii=False, indent=2))
        return 0
    if frame.empty:
        print("还没有导入任何批次。")
        return 0
    frame["sha256"] = frame["sha256"].str[:12]
    frame["created_at"] = frame["created_at"].dt.strftime("%Y-%m-%d %H:%M")
    print(batches_table(frame).to_string(index=False))
    return 0


def run_batches_rollback(args: argparse.Namespace) -> int:
    from analytics.store.batches import rollback_batch

    engine = _engine(args)
    restored = rollback_batch(engine, args.batch_id, actor=_actor(engine, args))
    text = f"已撤销批次 #{args.batch_id}"
    if restored:
        text += "，已恢复被它替换的批次 " + "、".join(f"#{b}" for b in restored)
    print(text)
    return 0
