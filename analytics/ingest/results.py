"""What checking a file finds: the sheets, their accepted rows, errors and warnings.

`RowIssue` is one failure as a tidy row (Excel row, the user's column,
value, Chinese message): what the upload page and the CLI show as is.
`to_json` gives the `check --json` contract of DESIGN.md.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING


if TYPE_CHECKING:
    import pandas as pd



@dataclass
class RowIssue:
    """One failure or warning, as a tidy row: what the upload page and the CLI show."""

    row: int          # Excel row number the user sees (1-based)
    column: str       # the user's own header text ("" if the whole row)
    value: str        # the offending cell as text ("" if none)
    message: str      # Chinese, says how to fix

    def to_json(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}



@dataclass
class SheetCheck:
    """What one sheet holds and what is wrong with it."""

    sheet: str
    kind: str | None                     # None: no table in this sheet (e.g. 填表说明)
    header_row: int | None               # Excel row of the last header row
    frame: pd.DataFrame                  # accepted rows, canonical columns
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    scopes: list[tuple[str, str]] = field(default_factory=list)
    total_rows: list[int] = field(default_factory=list)     # Excel rows of 合计/小计 lines, skipped
    sheet_totals: dict = field(default_factory=dict)        # the sheet's own 合计 line, by field
    # 合计/小计 rows left out of the table, as (row, label) issues: never dropped silently
    skipped: list[RowIssue] = field(default_factory=list)

    @property
    def rows_accepted(self) -> int:
        return len(self.frame)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    def to_json(self) -> dict:
        """The sheet object of the `check --json` contract."""
        return {
            "sheet": self.sheet,
            "kind": self.kind,
            "header_row": self.header_row,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "errors": [issue.to_json() for issue in self.errors],
            "warnings": [issue.to_json() for issue in self.warnings],
            "totals": self.totals,
            "skipped": [issue.to_json() for issue in self.skipped],
        }


@dataclass
class FileCheck:
    """Every sheet of one file, checked (`upload`: the 区/月份 given with it)."""

    file: str
    sha256: str
    sheets: list[SheetCheck]
    upload: dict = field(default_factory=dict)

    @property
    def import_key(self) -> str:
        """The file hash plus the values given at upload: what makes two imports the same.

        The same CSV imported for 青山区 and then for 临江区 is two imports.
        """
        given = json.dumps({k: str(v) for k, v in sorted(self.upload.items())},
                           ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(f"{self.sha256}\n{given}".encode()).hexdigest()

    def to_json(self) -> dict:
        return {"file": self.file, "sheets": [s.to_json() for s in self.sheets]}

    @property
    def exit_code(self) -> int:
        """0 when every row of every table was accepted, 1 when any row was rejected."""
        return 1 if any(s.rows_rejected for s in self.sheets) else 0

    @property
    def tables(self) -> list[SheetCheck]:
        """The sheets that hold a table."""
        return [s for s in self.sheets if s.kind is not None]
