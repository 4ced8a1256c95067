"""`template` sub-command: write the blank Excel template of a sheet kind."""
from __future__ import annotations

import argparse
from pathlib import Path

from xlsxwriter.exceptions import FileCreateError

from analytics import schema
from analytics.errors import AnalyticsError
from analytics.present.templates import resolve_kind, template_filename, write_template

ALL = "all"

_EPILOG = """示例：
  python -m analytics template activities -o 活动台账模板.xlsx
  python -m analytics template 青年大学习
  python -m analytics template all -o 模板/      # 四类模板写入一个文件夹
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    kinds = "、".join(f"{k.name}（{k.label}）" for k in schema.KINDS.values())
    parser = subparsers.add_parser(
        "template",
        help="生成空白填报模板（.xlsx）",
        description=f"生成空白填报模板：表头、填表说明、下拉列表和格式均按报表规则生成。类型：{kinds}，或 all。",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("kind", metavar="类型",
                        help="activities | study | volunteer | targets（或中文名称），all 表示全部")
    parser.add_argument("-o", "--output", metavar="路径",
                        help="输出文件；类型为 all 时为文件夹。默认写到当前目录，文件名如 活动台账模板.xlsx")
    parser.set_defaults(func=run_template)


def run_template(args: argparse.Namespace) -> int:
    if args.kind.strip().lower() == ALL:
        folder = Path(args.output or ".")
        _make_dir(folder)
        for kind in schema.KINDS.values():
            _write(kind.name, folder / template_filename(kind))
        return 0
    kind = resolve_kind(args.kind)
    path = Path(args.output) if args.output else Path(template_filename(kind))
    if path.is_dir():
        path = path / template_filename(kind)
    _make_dir(path.parent)
    _write(kind.name, path)
    return 0


def _make_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AnalyticsError(f"无法创建文件夹 {folder}：{exc.strerror}") from exc


def _write(kind: str, path: Path) -> None:
    try:
        write_template(kind, path)
    except (OSError, FileCreateError) as exc:
        raise AnalyticsError(f"无法写入 {path}，请检查路径和写入权限。") from exc
    print(f"已生成 {resolve_kind(kind).label}模板：{path}")
