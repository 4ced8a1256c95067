"""Every database table, declared once in one SQLAlchemy `metadata`.

Data tables carry the canonical columns of their sheet kind plus
`batch_id`, `active` and `replaced_by`: replacing or rolling back a batch is
an UPDATE of those flags, so history is never lost and a rollback can restore
what a batch replaced. `batch_scopes` holds one row per (kind, district,
unit, period) a batch covers (unit is "" for kinds that are not
`unit_scoped`, such as targets); a partial unique index over the active ones
is what makes two imports of the same scope unable to both win.

The data tables are derived from `schema` (one column per stored field, its
type from the field type); they are indexed on (active, month, district):
month before district because the dashboards read whole years of every
district. The tables as they are in a database are the alembic revisions
in `migrations/`; a test checks that the two agree.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger, Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer,
    MetaData, String, Table, Text, text,
)

from analytics import schema
from analytics.schema import FieldType

metadata = MetaData()

# named counters; "data_version" bumps on every store/replace/rollback, "database_id"
# is written once (revision 0003) and never changes: which database this is
counters = Table(
    "counters", metadata,
    Column("name", String(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

batches = Table(
    "batches", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("districts", Text, nullable=False),        # "|"-joined, sorted
    Column("periods", Text, nullable=False),          # "|"-joined months (or years)
    Column("file_name", Text, nullable=False),
    Column("sheet", Text, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    # sha256 of the file hash and the 区/月份 given at upload: the duplicate check's key
    Column("import_key", String(64), nullable=True, index=True),
    Column("username", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("rows_accepted", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
    Column("rejected_json", Text, nullable=False),    # JSON of SheetCheck.rejected
    Column("status", String(16), nullable=False),     # active | replaced | rolled_back
    Column("is_sample", Boolean, nullable=False, default=False),
)

batch_scopes = Table(
    "batch_scopes", metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("district", String(64), nullable=False),
    # the 基层团组织 of a unit-scoped kind; "" when the kind's scope is the whole district
    Column("unit", Text, nullable=False, server_default=""),
    Column("period", String(16), nullable=False),     # "YYYY-MM", or "YYYY" for targets
    Column("active", Boolean, nullable=False),
    Column("replaced_by", Integer, nullable=True),
    Index("ux_active_scope", "kind", "district", "unit", "period", unique=True,
          sqlite_where=text("active"), postgresql_where=text("active")),
)


def _row_state() -> list[Column]:
    return [
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False, index=True),
        Column("active", Boolean, nullable=False),
        Column("replaced_by", Integer, nullable=True, index=True),
    ]


# the database type of each field type; a text field with `max_length` is a VARCHAR of that width
SQL_TYPES = {
    FieldType.TEXT: Text, FieldType.INT: BigInteger, FieldType.NUMBER: Float,
    FieldType.DATE: Date, FieldType.MONTH: lambda: String(7), FieldType.YEAR: Integer,
    FieldType.RATE: Float, FieldType.CATEGORY: lambda: String(32),
    FieldType.INDICATOR: lambda: String(32),
}


def _column(f: schema.Field) -> Column:
    sql_type = String(f.max_length) if f.max_length else SQL_TYPES[f.type]()
    return Column(f.name, sql_type, nullable=f.nullable)


def _data_table(kind: schema.Kind) -> Table:
    """The table of one sheet kind: row state, then every stored field of `schema`."""
    scope = ("active", "month", "district") if kind.scope_field == "month" \
        else ("active", "district", kind.scope_field)
    return Table(
        kind.name, metadata,
        *_row_state(),
        *(_column(f) for f in kind.stored_fields),
        Column(schema.SOURCE_ROW, Integer),
        Index(f"ix_{kind.name}_scope", *scope),
    )


DATA_TABLES: dict[str, Table] = {name: _data_table(kind) for name, kind in schema.KINDS.items()}
activities, study, volunteer, targets = (DATA_TABLES[k] for k in
                                         ("activities", "study", "volunteer", "targets"))

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("districts", Text, nullable=False, default=""),   # "|"-joined; empty = all
    # units a 基层团组织 filler may fill in: JSON [[district, unit], ...]
    Column("units", Text, nullable=False, default="[]", server_default="[]"),
    Column("active", Boolean, nullable=False, default=True),
    Column("must_change_password", Boolean, nullable=False, default=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("username", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Column("batch_id", Integer, nullable=True),
    Column("file_name", Text, nullable=True),
    Column("sha256", String(64), nullable=True),
)

# the 统计截止月 an admin sets for a year: every district and the whole area read at
# the end of that month (`periods.cut_offs`); no row = each district at its own last month
report_cutoffs = Table(
    "report_cutoffs", metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("month", Integer, nullable=False),
    Column("username", String(64), nullable=False),
    Column("set_at", DateTime, nullable=False),
)

# server-side logins (`login_sessions.py`): only a SHA-256 of the token is kept; a session
# ends at `expires_at`, or when `revoked_at` is set (logout, password change, account disabled)
login_sessions = Table(
    "login_sessions", metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("username", String(64), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
    Column("revoked_reason", String(32), nullable=True),
)
