"""Server-side login sessions (`login_sessions`): a login survives reloads and can be revoked.

Revision ID: 0006_login_sessions
Revises: 0005_study_records_roster
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_login_sessions"
down_revision = "0005_study_records_roster"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(32), nullable=True),
    )
    op.create_index("ix_login_sessions_username", "login_sessions", ["username"])


def downgrade() -> None:
    op.drop_table("login_sessions")
