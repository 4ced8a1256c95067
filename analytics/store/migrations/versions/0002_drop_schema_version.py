"""Drop `schema_version`: alembic's `alembic_version` records the schema now.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("schema_version")


def downgrade() -> None:
    op.create_table(
        "schema_version",
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
    )
