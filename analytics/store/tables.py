"""Every database table, declared once in one SQLAlchemy `metadata`.

Data tables carry the canonical columns of their sheet kind plus
`batch_id`, `active` and `replaced_by`: replacing or rolling back a batch is
an UPDATE of those flags, so history is never lost and a rollback can restore
what a batch replaced. `batch_scopes` holds one row per (kind, district,
period) a batch covers; a partial unique index over the active ones is what
makes two imports of the same scope unable to both win.

Data tables are indexed on (active, month, district): month before district
because the dashboards read whole years of every district.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger, Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer,
    MetaData, String, Table, Text, text,
)

metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", DateTime, nullable=False),
)

# named counters; "data_version" bumps on every store/replace/rollback
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
    Column("period", String(16), nullable=False),     # "YYYY-MM", or "YYYY" for targets
    Column("active", Boolean, nullable=False),
    Column("replaced_by", Integer, nullable=True),
    Index("ux_active_scope", "kind", "district", "period", unique=True,
          sqlite_where=text("active"), postgresql_where=text("active")),
)


def _row_state() -> list[Column]:
    return [
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False, index=True),
        Column("active", Boolean, nullable=False),
        Column("replaced_by", Integer, nullable=True, index=True),
    ]


activities = Table(
    "activities", metadata,
    *_row_state(),
    Column("date", Date, nullable=False),
    Column("month", String(7), nullable=False),
    Column("district", String(64), nullable=False),
    Column("unit", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("category", String(32), nullable=False),
    Column("dimension", String(16)),
    Column("sessions", BigInteger, nullable=False),
    Column("participants", BigInteger, nullable=False),
    Column("volunteers", BigInteger),
    Column("service_hours", Float),
    Column("reached", BigInteger),
    Column("funds", Float),
    Column("source_row", Integer),
    Index("ix_activities_scope", "active", "month", "district"),
)

study = Table(
    "study", metadata,
    *_row_state(),
    Column("period", Text),
    Column("month", String(7), nullable=False),
    Column("district", String(64), nullable=False),
    Column("unit", Text, nullable=False),
    Column("members", BigInteger, nullable=False),
    Column("learners", BigInteger, nullable=False),
    Column("rate", Float),
    Column("source_row", Integer),
    Index("ix_study_scope", "active", "month", "district"),
)

volunteer = Table(
    "volunteer", metadata,
    *_row_state(),
    Column("volunteer_id", String(64)),
    Column("name", String(64)),
    Column("district", String(64), nullable=False),
    Column("unit", Text, nullable=False),
    Column("project", Text),
    Column("date", Date, nullable=False),
    Column("hours", Float, nullable=False),
    Column("month", String(7), nullable=False),
    Column("person_key", Text, nullable=False),
    Column("source_row", Integer),
    Index("ix_volunteer_scope", "active", "month", "district"),
)

targets = Table(
    "targets", metadata,
    *_row_state(),
    Column("year", Integer, nullable=False),
    Column("district", String(64), nullable=False),
    Column("indicator", String(32), nullable=False),
    Column("value", Float, nullable=False),
    Column("source_row", Integer),
    Index("ix_targets_scope", "active", "district", "year"),
)

DATA_TABLES: dict[str, Table] = {
    "activities": activities, "study": study, "volunteer": volunteer, "targets": targets,
}

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("districts", Text, nullable=False, default=""),   # "|"-joined; empty = all
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
