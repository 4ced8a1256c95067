"""`python -m analytics check FILE` — read and validate a file, store nothing."""
from __future__ import annotations

import argparse
import json
import sys

from analytics import schema
from analytics.errors import AnalyticsError
from analytics.ingest.results import FileCheck
from analytics.ingest.check import check_file

EPILOG = """示例：
  python -m analytics check 3月活动台账.xlsx --district 东城区
  python -m analytics check 青年大学习.csv --district 东城区 --month 2026-03 --json

退出码：0 全部行通过；1 有被拒绝的行；2 文件无法读取或没有可识别的表格。"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="检查报表文件（只读，不入库）",
        description="读取并校验一个报表文件（.xlsx/.xls/.csv），逐行列出问题，不写入数据库。",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", metavar="FILE", help="要检查的文件")
    parser.add_argument("--district", help="所属区（表中没有“区”列或单元格为空时使用）")
    parser.add_argument("--month", help="月份 YYYY-MM（表中没有“月份”列或单元格为空时使用）")
    parser.add_argument("--json", action="store_true", help="输出 JSON（供脚本使用）")
    parser.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    try:
        result = check_file(args.file, district=args.district, month=args.month)
    except Exception as exc:
        if args.json:   # one JSON object on stdout in every case; the message stays on stderr (main)
            message = str(exc) if isinstance(exc, AnalyticsError) else \
                f"内部错误：{type(exc).__name__}。请联系管理员。"
            json.dump({"file": args.file, "error": message}, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        raise
    if args.json:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(summary_text(result))
    return result.exit_code


def summary_text(result: FileCheck) -> str:
    """A readable Chinese summary of a check, row errors included."""
    lines = [f"文件：{result.file}"]
    for sheet in result.sheets:
        if sheet.kind is None:
            lines.append(f"\n工作表“{sheet.sheet}”：没有数据表格（已跳过）")
            continue
        label = schema.KINDS[sheet.kind].label
        lines.append(f"\n工作表“{sheet.sheet}”：{label}，表头在第 {sheet.header_row} 行；"
                     f"通过 {sheet.rows_accepted} 行，拒绝 {sheet.rows_rejected} 行")
        if sheet.totals:
            labels = {f.name: f.label for f in schema.KINDS[sheet.kind].fields}
            sums = "，".join(f"{labels[k]} {_fmt(v)}" for k, v in sheet.totals.items())
            lines.append(f"  合计（通过的行）：{sums}")
        if sheet.skipped:
            lines.append("  已跳过的合计行：" + "；".join(f"第 {i.row} 行（{i.value}）" for i in sheet.skipped))
        for title, issues in (("错误", sheet.errors), ("提醒", sheet.warnings)):
            if issues:
                lines.append(f"  {title}：")
                lines.extend(f"    第 {i.row} 行 “{i.column}”"
                             + (f"（{i.value}）" if i.value else "") + f"：{i.message}"
                             for i in issues)
    verdict = "全部通过。" if result.exit_code == 0 else "有被拒绝的行，请按提示修改后重新检查。"
    lines.append(f"\n{verdict}\n")
    return "\n".join(lines)


def _fmt(value: float | int) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
