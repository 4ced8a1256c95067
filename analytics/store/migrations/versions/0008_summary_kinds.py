"""The 工作总结 figures: 评优表彰, 组织建设 and 新媒体 tables; 专项 and 受助人数 on activities.

Revision ID: 0008_summary_kinds
Revises: 0007_import_key_and_database_id
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_summary_kinds"
down_revision = "0007_import_key_and_database_id"
branch_labels = None
depends_on = None


def _row_state():
    return [
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("replaced_by", sa.Integer(), nullable=True),
    ]


def _row_indexes(table: str, scope: tuple[str, ...]) -> None:
    op.create_index(f"ix_{table}_batch_id", table, ["batch_id"])
    op.create_index(f"ix_{table}_replaced_by", table, ["replaced_by"])
    op.create_index(f"ix_{table}_scope", table, list(scope))


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("project", sa.Text(), nullable=True))
        batch.add_column(sa.Column("beneficiaries", sa.BigInteger(), nullable=True))
    op.create_table(
        "honours", *_row_state(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("honour", sa.Text(), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("recipient_type", sa.String(8), nullable=False),
        sa.Column("recipient", sa.Text()),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("grantor", sa.Text()),
        sa.Column("source_row", sa.Integer()),
    )
    _row_indexes("honours", ("active", "district", "year"))
    op.create_table(
        "organisation", *_row_state(),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("unit", sa.Text()),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("count", sa.Float(), nullable=False),
        sa.Column("measure", sa.String(8)),
        sa.Column("source_row", sa.Integer()),
    )
    _row_indexes("organisation", ("active", "month", "district"))
    op.create_table(
        "media", *_row_state(),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("column", sa.Text()),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("reads", sa.BigInteger()),
        sa.Column("shares", sa.BigInteger()),
        sa.Column("participants", sa.BigInteger()),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("source_row", sa.Integer()),
    )
    _row_indexes("media", ("active", "month", "district"))


def downgrade() -> None:
    for table in ("media", "organisation", "honours"):
        op.drop_table(table)
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("beneficiaries")
        batch.drop_column("project")
