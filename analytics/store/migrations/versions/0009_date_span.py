"""起止时间 on activities: a date written as a span (2026.7.5-7.7) keeps the span as written.

Revision ID: 0009_date_span
Revises: 0008_summary_kinds
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_date_span"
down_revision = "0008_summary_kinds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("date_span", sa.String(60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("date_span")
