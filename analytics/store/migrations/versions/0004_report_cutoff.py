"""Add `report_cutoffs`: the 统计截止月 an admin sets per year.

Revision ID: 0004_report_cutoff
Revises: 0003_unit_scopes
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_report_cutoff"
down_revision = "0003_unit_scopes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_cutoffs",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_cutoffs")
