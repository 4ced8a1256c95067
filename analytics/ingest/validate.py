"""Validation: raw data columns -> accepted canonical rows plus a failures table.

Rules come from the field declarations in `schema` (type, required,
default, min/max) and from the few cross-field rules declared below as
data (`ROW_RULES`). Like pandera, every failure of every row is collected:
a rejected row lists all its problems at once. Columns are parsed whole
(see `values.parse_column`), not cell by cell through a chain of ifs.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics import schema
from analytics.schema import Field, FieldType
from analytics.ingest.results import RowIssue
from analytics.ingest.table import Column
from analytics.ingest.values import (
    PARSERS, UNIT_PARSERS, cell_text, match_category, normalize_header, parse_column,
)

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class RowRule:
    """A rule across fields of one row. `broken(frame)` is True where the row fails it."""

    column: str                                        # field whose column the issue names
    level: str                                         # ERROR rejects the row, WARNING only reports
    broken: Callable[[pd.DataFrame], pd.Series]
    message: Callable[[pd.Series], str]                # Chinese text for one failing row


RATE_TOLERANCE = 0.005     # 0.5 percentage point: a gap of exactly this is still fine


def _rate_gap(f: pd.DataFrame) -> pd.Series:
    computed = f["learners"] / f["members"]
    # compared in whole basis points, so float noise (0.975 - 0.97 = 0.0050000000000000044) can't tip it
    return ((f["rate"] - computed).abs() * 10_000).round(6) > RATE_TOLERANCE * 10_000


ROW_RULES: dict[str, tuple[RowRule, ...]] = {
    "volunteer": (
        RowRule("name", ERROR,
                lambda f: f["volunteer_id"].isna() & f["name"].isna(),
                lambda r: "无志愿者编号时须填写姓名，请补填姓名或志愿者编号"),
    ),
    "study_records": (
        RowRule("name", ERROR,
                lambda f: f["member_id"].isna() & f["name"].isna(),
                lambda r: "无学号/编号时须填写姓名，请补填姓名或学号/编号"),
        RowRule("studied_at", ERROR,
                lambda f: f["month"].isna(),
                lambda r: "学习时间为空，无法确定月份；请填写学习时间，或在上传时指定月份"),
    ),
    "roster": (
        RowRule("name", ERROR,
                lambda f: f["member_id"].isna() & f["name"].isna(),
                lambda r: "无学号/编号时须填写姓名，请补填姓名或学号/编号"),
    ),
    "study": (
        RowRule("learners", WARNING,
                lambda f: f["learners"] > f["members"],
                lambda r: f"参学人数（{r['learners']}）多于团员数（{r['members']}），"
                          "请核对；非团员青年参学时可保留"),
        RowRule("rate", WARNING, _rate_gap,
                lambda r: f"参学率 {r['rate']:.2%} 与 参学人数÷团员数 = "
                          f"{r['learners'] / r['members']:.2%} 不一致（相差超过 0.5 个百分点），请核对"),
    ),
}


@dataclass
class Validation:
    """The outcome for one table."""

    frame: pd.DataFrame                       # accepted rows, canonical columns
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)


def end_of_month(day: dt.date) -> dt.date:
    first_next = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first_next - dt.timedelta(days=1)


def _with_hint(message: str, f: Field) -> str:
    return f"{message}（{f.hint}）" if f.hint else message


def _required_message(f: Field, upload: bool) -> str:
    how = f"请填写{f.label}"
    if f.hint:
        how += f"（{f.hint}）"
    if upload:
        how += "，或在上传时指定"
    return f"不能为空，{how}"


def _present(array: np.ndarray) -> np.ndarray:
    return ~pd.isna(array)


def _typed(array: np.ndarray, f: Field) -> pd.Series:
    """One accepted column in its canonical dtype (`Field.dtype`)."""
    if f.dtype == "int64":       # rejected rows may hold NaN: they are dropped
        return pd.Series(array, dtype="float64").fillna(0).astype("int64")
    if f.dtype in ("Int64", "float64"):
        return pd.Series(array, dtype="float64").astype(f.dtype)
    if f.dtype == "datetime64[ns]":
        return pd.Series(array.astype(f.dtype))
    return pd.Series(array, dtype=object).where(_present(array), None)


def validate_columns(kind_name: str, columns: dict[str, Column], data: list[np.ndarray],
                     rows: np.ndarray, headers: tuple[str, ...], *,
                     upload: dict[str, object] | None = None,
                     today: dt.date | None = None,
                     issues: list[tuple[int, str, str, str]] | None = None,
                     shown: dict[str, np.ndarray] | None = None) -> Validation:
    """Validate the data rows of one table.

    `data` holds the sheet's columns below the header (one object array
    per column, blank/合计/注 rows already dropped), `rows` their Excel row
    numbers, `columns` which column holds which field, `upload` the values
    chosen at upload for the kind's upload fields (district, month),
    `issues` warnings found before and `shown` the cells as written where
    a column was rewritten (`assemble`).
    """
    kind = schema.KINDS[kind_name]
    today = today or dt.date.today()
    upload = {k: v for k, v in (upload or {}).items() if v not in (None, "")}
    n = len(rows)
    issues = list(issues or [])    # (position, field, level, message)
    arrays: dict[str, np.ndarray] = {}
    raw_cells: dict[str, np.ndarray] = {}

    for f in kind.fields:
        col = columns.get(f.name)
        cells = data[col.index] if col is not None else np.full(n, None, dtype=object)
        raw_cells[f.name] = (shown or {}).get(f.name, cells)
        array, messages = _parse_field(cells, f, col)
        bad = pd.notna(messages)
        issues.extend((int(i), f.name, ERROR, messages[i]) for i in np.flatnonzero(bad))
        if f.type is FieldType.CATEGORY:
            issues.extend(_unknown_category_warnings(cells, array))
        missing = pd.isna(array) & ~bad
        if f.name in kind.upload_fields and f.name in upload and missing.any():
            array[missing] = PARSERS[f.type](upload[f.name])
            missing[:] = False
        if f.default is not None:
            array[missing] = f.default
            missing[:] = False
        if f.required:
            text = _required_message(f, f.name in kind.upload_fields)
            if col is None and f.name not in upload:
                text = (f"表中没有“{f.label}”列，请添加该列"
                        + ("或在上传时指定" if f.name in kind.upload_fields else ""))
            issues.extend((int(i), f.name, ERROR, text) for i in np.flatnonzero(missing))
        issues.extend(_bound_issues(f, array))
        issues.extend(_length_issues(f, array))
        issues.extend(_future_issues(f, array, today))
        if f.choices:
            issues.extend(_choice_issues(f, array))
        arrays[f.name] = array

    frame = pd.DataFrame({f.name: _typed(arrays[f.name], f) for f in kind.fields})
    _normalise(kind_name, frame)
    error_rows = {i for i, _f, level, _m in issues if level == ERROR}
    ok = np.ones(n, dtype=bool)
    ok[list(error_rows)] = False
    for rule in ROW_RULES.get(kind_name, ()):
        broken = rule.broken(frame).fillna(False).to_numpy(dtype=bool) & ok
        for i in np.flatnonzero(broken):
            issues.append((int(i), rule.column, rule.level, rule.message(frame.iloc[i])))
            if rule.level == ERROR:
                error_rows.add(int(i))
    ok[list(error_rows)] = False

    return _collect(kind, frame, ok, issues, columns, data, rows, headers, raw_cells)


def _parse_field(cells: np.ndarray, f: Field, col: Column | None) -> tuple[np.ndarray, np.ndarray]:
    """`parse_column`, with a header's 万 applied before an integer field is checked for fractions."""
    scale = col.scale if col is not None else 1
    if scale == 1 or f.type not in (FieldType.INT, FieldType.NUMBER):
        return parse_column(cells, f.type, UNIT_PARSERS.get(f.unit))
    array, messages = parse_column(cells, FieldType.NUMBER)
    array = array * scale
    if f.type is FieldType.INT:
        with np.errstate(invalid="ignore"):
            fraction = np.abs(array - np.round(array)) > 1e-6
        messages[fraction] = f"按表头单位换算后不是整数（表头“{col.header}”以万为单位），请核对"
        array[fraction] = np.nan
        array = np.round(array)
    return array, messages


def _unknown_category_warnings(cells: np.ndarray, values: np.ndarray) -> list[tuple[int, str, str, str]]:
    out = []
    known: dict[str, bool] = {}
    for i in np.flatnonzero(values == schema.OTHER_CATEGORY):
        label = cell_text(cells[i])
        if label not in known:
            known[label] = normalize_header(label) == normalize_header(schema.OTHER_CATEGORY) \
                or match_category(label) is not None
        if not known[label]:
            out.append((int(i), "category", WARNING,
                        f"活动类别“{label}”不在类别表中，已计入“其他”；如需归入其他类别请改用类别表中的名称"))
    return out


def _choice_issues(f: Field, array: np.ndarray) -> list[tuple[int, str, str, str]]:
    """Map values onto their editable list (`Field.choices`); report unknown ones.

    A strict list rejects an unknown value; otherwise it is kept as written
    with a warning, so a district can add a new 专项 before editing the list.
    """
    out = []
    names = "、".join(c.name for c in schema.choice_list(f.choices))
    for i, value in enumerate(array):
        if not isinstance(value, str):
            continue
        choice = schema.match_choice(f.choices, value)
        if choice is not None:
            array[i] = choice.name
        elif f.strict:
            out.append((i, f.name, ERROR, f"“{value}”不是可选的{f.label}，请填写：{names}"))
        else:
            out.append((i, f.name, WARNING,
                        f"{f.label}“{value}”不在已知列表中，已按原文保存；常用写法：{names}"))
    return out


def _length_issues(f: Field, array: np.ndarray) -> list[tuple[int, str, str, str]]:
    if f.max_length is None:
        return []
    lengths = pd.Series(array, dtype=object).str.len()      # NaN where no text
    long = np.flatnonzero((lengths > f.max_length).to_numpy())
    text = f"过长：最多 {f.max_length} 个字，请改用简称"
    return [(int(i), f.name, ERROR, text) for i in long]


def _bound_issues(f: Field, array: np.ndarray) -> list[tuple[int, str, str, str]]:
    if f.type not in (FieldType.INT, FieldType.NUMBER, FieldType.RATE) or (f.min is None and f.max is None):
        return []
    out = []
    with np.errstate(invalid="ignore"):
        if f.min is not None:
            low = (array <= f.min) if f.min_exclusive else (array < f.min)
            text = _with_hint(f"须大于 {f.min:g}" if f.min_exclusive else
                              ("不能为负数" if f.min == 0 else f"不能小于 {f.min:g}"), f)
            out += [(int(i), f.name, ERROR, text) for i in np.flatnonzero(low)]
        if f.max is not None:
            text = _with_hint(f"不能超过 {f.max:g}", f)
            out += [(int(i), f.name, ERROR, text) for i in np.flatnonzero(array > f.max)]
    return out


def _future_issues(f: Field, array: np.ndarray, today: dt.date) -> list[tuple[int, str, str, str]]:
    limit = end_of_month(today)
    if f.type is FieldType.DATE:
        bad = array > np.datetime64(limit, "D")
    elif f.type is FieldType.MONTH:
        current = f"{today.year:04d}-{today.month:02d}"
        present = pd.notna(array)
        bad = np.zeros(len(array), dtype=bool)
        bad[present] = array[present] > current
    else:
        return []
    text = f"晚于本月（{today.year}年{today.month}月），请检查年份和月份是否填错"
    return [(int(i), f.name, ERROR, text) for i in np.flatnonzero(bad)]


def _normalise(kind_name: str, frame: pd.DataFrame) -> None:
    """Kind-specific clean-ups after parsing (declared here, applied to whole columns)."""
    if kind_name == "targets":
        rate_names = {i.name for i in schema.INDICATORS if i.is_rate}
        percent = frame["indicator"].isin(rate_names) & (frame["value"] > 1)
        frame.loc[percent, "value"] = frame.loc[percent, "value"] / 100
    if kind_name == "study_records":       # the month of the 学习时间 unless given
        studied = frame["studied_at"].to_numpy().astype("datetime64[M]").astype(str)
        from_date = pd.Series(studied, dtype=object, index=frame.index).where(
            frame["studied_at"].notna(), None)
        frame["month"] = frame["month"].where(frame["month"].notna(), from_date)


def _derive(kind_name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The derived columns of accepted rows (month, dimension, person_key)."""
    if "month" in {f.name for f in schema.KINDS[kind_name].derived}:
        months = frame["date"].to_numpy().astype("datetime64[M]").astype(str)
        frame["month"] = pd.Series(months, dtype=object, index=frame.index)
    if kind_name == "activities":
        dims = {c.name: c.dimension for c in schema.categories()}
        frame["dimension"] = frame["category"].map(dims).astype(object)
        frame["dimension"] = frame["dimension"].where(frame["dimension"].notna(), None)
    if kind_name == "organisation":
        defaults = {c.name: c.get("measure") or None for c in schema.choice_list("organisation_items")}
        blank = frame["measure"].isna()
        frame.loc[blank, "measure"] = frame.loc[blank, "item"].map(defaults)
        frame["measure"] = frame["measure"].astype(object).where(frame["measure"].notna(), None)
    if kind_name == "volunteer":
        frame["person_key"] = person_keys(frame, "volunteer_id", "unit")
    if kind_name in ("study_records", "roster"):
        frame["person_key"] = person_keys(frame, "member_id", "branch")
    return frame


def person_keys(frame: pd.DataFrame, id_column: str, group_column: str) -> pd.Series:
    """Who a row is: "id:<编号>", else "name:<姓名>|<单位 or 团支部>".

    Each distinct id is written once and shared by its rows (a 100,000-row
    export repeats a few thousand volunteers); names only where an id is missing.
    """
    ids = frame[id_column]
    codes, distinct = pd.factorize(ids)
    keys = np.empty(len(distinct) + 1, dtype=object)
    keys[:-1] = ["id:" + str(v) for v in distinct]
    out = keys[codes]              # code -1 (no id): the last slot, filled below
    missing = codes == -1
    if missing.any():
        by_name = ("name:" + frame["name"][missing].astype(str) + "|"
                   + frame[group_column][missing].astype(str))
        out[missing] = by_name.to_numpy(dtype=object)
    return pd.Series(out, index=frame.index, dtype=object)


def _collect(kind: schema.Kind, frame: pd.DataFrame, ok: np.ndarray,
             issues: list[tuple[int, str, str, str]], columns: dict[str, Column],
             data: list[np.ndarray], rows: np.ndarray, headers: tuple[str, ...],
             raw_cells: dict[str, np.ndarray]) -> Validation:
    order = {f.name: k for k, f in enumerate(kind.fields)}
    issues.sort(key=lambda t: (t[0], order.get(t[1], 99)))
    result = Validation(frame=pd.DataFrame())
    by_row: dict[int, list[str]] = {}
    for i, name, level, message in issues:
        col = columns.get(name)
        issue = RowIssue(int(rows[i]), col.header if col else kind.field(name).label,
                         cell_text(raw_cells[name][i]), message)
        if level == ERROR:
            result.errors.append(issue)
            by_row.setdefault(i, []).append(f"{issue.column}：{message}")
        else:
            result.warnings.append(issue)
    for i, messages in by_row.items():
        values = {header or f"第{k + 1}列": cell_text(data[k][i])
                  for k, header in enumerate(headers) if k < len(data)}
        result.rejected.append({"row": int(rows[i]), "values": values, "errors": messages})
    # every row accepted (the usual case): no copy of the frame
    accepted = frame if ok.all() else frame[ok].reset_index(drop=True)
    accepted = _derive(kind.name, accepted)
    accepted["source_row"] = pd.Series(rows[ok], dtype="int64")
    if list(accepted.columns) != list(kind.columns):
        accepted = accepted[list(kind.columns)]
    result.frame = accepted
    return result


__all__ = ["RowRule", "ROW_RULES", "Validation", "validate_columns"]
