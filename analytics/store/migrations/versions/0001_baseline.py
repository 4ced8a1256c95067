"""The schema as it was before alembic (`schema_version` 1), frozen.

A database made before alembic has these tables and is stamped with this
revision at its first start-up; an empty database is created by it. Never
edit it: change the schema with a new revision.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _row_id():
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)


def _row_state():
    return [
        _row_id(),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("replaced_by", sa.Integer(), nullable=True),
    ]


def _row_indexes(table: str, scope: tuple[str, ...]) -> None:
    op.create_index(f"ix_{table}_batch_id", table, ["batch_id"])
    op.create_index(f"ix_{table}_replaced_by", table, ["replaced_by"])
    op.create_index(f"ix_{table}_scope", table, list(scope))


def upgrade() -> None:
    op.create_table(
        "schema_version",
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
    )
    counters = op.create_table(
        "counters",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(counters, [{"name": "data_version", "value": 0}])
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("districts", sa.Text(), nullable=False),
        sa.Column("periods", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sheet", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("rows_accepted", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("rejected_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_batches_sha256", "batches", ["sha256"])
    op.create_table(
        "batch_scopes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("replaced_by", sa.Integer(), nullable=True),
    )
    op.create_index("ix_batch_scopes_batch_id", "batch_scopes", ["batch_id"])
    op.create_index("ux_active_scope", "batch_scopes", ["kind", "district", "period"], unique=True,
                    sqlite_where=sa.text("active"), postgresql_where=sa.text("active"))
    op.create_table(
        "activities", *_row_state(),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("dimension", sa.String(16)),
        sa.Column("sessions", sa.BigInteger(), nullable=False),
        sa.Column("participants", sa.BigInteger(), nullable=False),
        sa.Column("volunteers", sa.BigInteger()),
        sa.Column("service_hours", sa.Float()),
        sa.Column("reached", sa.BigInteger()),
        sa.Column("funds", sa.Float()),
        sa.Column("source_row", sa.Integer()),
    )
    _row_indexes("activities", ("active", "month", "district"))
    op.create_table(
        "study", *_row_state(),
        sa.Column("period", sa.Text()),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("members", sa.BigInteger(), nullable=False),
        sa.Column("learners", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.Float()),
        sa.Column("source_row", sa.Integer()),
    )
    _row_indexes("study", ("active", "month", "district"))
    op.create_table(
        "volunteer", *_row_state(),
        sa.Column("volunteer_id", sa.String(64)),
        sa.Column("name", sa.String(64)),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("project", sa.Text()),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("person_key", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer()),
    )
    _row_indexes("volunteer", ("active", "month", "district"))
    op.create_table(
        "targets", *_row_state(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("indicator", sa.String(32), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source_row", sa.Integer()),
    )
    _row_indexes("targets", ("active", "district", "year"))
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("districts", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    for table in ("audit_log", "users", "targets", "volunteer", "study", "activities",
                  "batch_scopes", "batches", "counters", "schema_version"):
        op.drop_table(table)
