"""`batches.import_key` (file hash plus the values given at upload) and a database id.

`import_key` is what the duplicate check compares: the same file imported
with another 区/月份 given at upload is a different import. Batches stored
before this revision have none and are matched by their file hash alone.

The `database_id` counter is a random number written once: the data folder
remembers it, so a database that was deleted or replaced is noticed
(`analytics.store.identity`).

Revision ID: 0007_import_key_and_database_id
Revises: 0006_login_sessions
Create Date: 2026-12-02
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007_import_key_and_database_id"
down_revision = "0006_login_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("import_key", sa.String(64), nullable=True))
        batch.create_index("ix_batches_import_key", ["import_key"])
    counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.BigInteger))
    op.bulk_insert(counters, [{"name": "database_id", "value": secrets.randbits(62) + 1}])


def downgrade() -> None:
    op.execute("DELETE FROM counters WHERE name = 'database_id'")
    # a plain DROP COLUMN (SQLite 3.35+): rebuilding `batches` would break the tables
    # that reference it
    op.drop_index("ix_batches_import_key", table_name="batches")
    op.drop_column("batches", "import_key")
