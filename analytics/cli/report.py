"""`report` sub-command: export a selection as Excel (with charts), offline HTML or Markdown."""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from analytics import periods, schema
from analytics.cli.options import db_option, open_engine
from analytics.errors import AnalyticsError

FORMATS = ("xlsx", "html", "md")


class BadReportOption(AnalyticsError):
    """A `report` option the user typed can't be understood."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="导出报告：Excel（含图表）、离线 HTML 或 Markdown，附工作总结数据段落",
        description="按年度、月份范围和区县导出报告：区县对比与排名、月度趋势、目标完成与序时进度、"
                    "同比、三力一度、活动类别、星级志愿者，以及一段可直接粘贴进工作总结的数据文字。",
        epilog="示例：\n"
               "  python -m analytics report --year 2026 --months 1-10 --format xlsx -o 报告.xlsx\n"
               "  python -m analytics report --year 2026 --district 青山区 --format html -o 青山区.html\n"
               "  python -m analytics report --year 2026 --format md          # Markdown 输出到屏幕",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--year", type=int, required=True, metavar="年度")
    parser.add_argument("--district", action="append", metavar="区县",
                        help="只看这个区县（可重复）；默认全部区县")
    parser.add_argument("--months", default="1-12", metavar="起-止",
                        help="月份范围，如 1-10 或 3；默认 1-12")
    parser.add_argument("--format", choices=FORMATS, metavar="格式",
                        help="xlsx、html 或 md；不填时按 -o 文件的扩展名判断")
    parser.add_argument("-o", "--output", metavar="文件",
                        help="输出文件；md 格式不填时输出到屏幕")
    parser.add_argument("--as-of", metavar="YYYY-MM-DD",
                        help="统计截止日，默认为所选月份的最后一天（不晚于今天，也不晚于已上报数据的最后一个月）")
    parser.add_argument("--sections", metavar="部分",
                        help="工作总结包含哪些部分（逗号分隔）：三力一度、评优表彰、组织建设、新媒体、专项；默认全部")
    db_option(parser)
    parser.set_defaults(func=run_report)


def parse_months(text: str) -> tuple[int, int]:
    """"1-10" -> (1, 10); "3" -> (3, 3); also accepts 1—10, 1~10, 1至10, "1-10月"."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*(?:[-—–~～至到]\s*(\d{1,2}))?\s*月?\s*", text or "")
    if not match:
        raise BadReportOption(f"月份范围“{text}”无法识别，应写成 1-10 或 3")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if not 1 <= first <= last <= 12:
        raise BadReportOption(f"月份范围“{text}”无效：月份应在 1 到 12 之间，且起始月不大于结束月")
    return first, last


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    suffix = Path(args.output).suffix.lower().lstrip(".") if args.output else ""
    suffix = {"htm": "html", "markdown": "md"}.get(suffix, suffix)
    if suffix in FORMATS:
        return suffix
    raise BadReportOption("请用 --format 指定 xlsx、html 或 md（或让 -o 文件以 .xlsx/.html/.md 结尾）")


def run_report(args: argparse.Namespace) -> int:
    from analytics.metrics.report import build_report
    from analytics.store.frames import load_frames

    months = parse_months(args.months)
    as_of = periods.parse_day(args.as_of)
    kind = _format(args)
    if kind != "md" and not args.output:
        raise BadReportOption(f"{kind} 格式需要用 -o 指定输出文件，如 -o 报告.{kind}")
    from analytics.present.summary_text import parse_sections
    try:
        sections = parse_sections(args.sections)
    except ValueError as exc:
        raise BadReportOption(str(exc)) from None
    districts = args.district
    engine = open_engine(args)
    # every year: 同比 needs last year, 星级 counts hours of all years
    wanted = [*districts, schema.ALL_DISTRICTS] if districts else None
    frames = load_frames(engine, districts=wanted)
    report = build_report(frames, year=args.year, months=months, districts=districts, as_of=as_of)
    if kind == "xlsx":
        from analytics.present.export_xlsx import report_xlsx
        content: bytes | str = report_xlsx(report, sections)
    elif kind == "html":
        from analytics.present.export_html import report_html
        content = report_html(report, sections)
    else:
        from analytics.present.export_html import report_markdown
        content = report_markdown(report, sections)
    if not args.output:
        sys.stdout.write(str(content))
        return 0
    path = Path(args.output)
    try:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise BadReportOption(f"无法写入文件“{path}”：{exc.strerror or exc}") from None
    sel = report.selection
    print(f"已导出 {sel.period_label}（{sel.area_label}）报告，{sel.as_of_text}：{path}")
    return 0
