"""Tables for 青年大学习 learner records (`study_records`) and the member roster (`roster`).

Revision ID: 0005_study_records_roster
Revises: 0004_report_cutoff
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_study_records_roster"
down_revision = "0004_report_cutoff"
branch_labels = None
depends_on = None


def _row_state():
    return [
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("replaced_by", sa.Integer(), nullable=True),
    ]


def _row_indexes(table: str) -> None:
    op.create_index(f"ix_{table}_batch_id", table, ["batch_id"])
    op.create_index(f"ix_{table}_replaced_by", table, ["replaced_by"])
    op.create_index(f"ix_{table}_scope", table, ["active", "month", "district"])


def upgrade() -> None:
    op.create_table(
        "study_records", *_row_state(),
        sa.Column("period", sa.String(64), nullable=False),
        sa.Column("studied_at", sa.Date()),
        sa.Column("month", sa.String(7)),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("branch", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64)),
        sa.Column("member_id", sa.String(64)),
        sa.Column("person_key", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer()),
    )
    _row_indexes("study_records")
    op.create_table(
        "roster", *_row_state(),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("unit", sa.Text()),
        sa.Column("branch", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64)),
        sa.Column("member_id", sa.String(64)),
        sa.Column("joined", sa.String(7)),
        sa.Column("status", sa.String(16)),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("person_key", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer()),
    )
    _row_indexes("roster")


def downgrade() -> None:
    op.drop_table("roster")
    op.drop_table("study_records")
