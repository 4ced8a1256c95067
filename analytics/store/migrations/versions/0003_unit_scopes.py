"""Unit-level replace scopes and unit accounts.

`batch_scopes` gains `unit`: activities, study and volunteer batches are
scoped by (kind, district, unit, period), so each 基层团组织 reports its own
rows. Every existing district-level scope of those kinds becomes one scope
per unit its batch holds rows of in that district and month, with the same
`active` / `replaced_by`, so old batches are still replaced and rolled back
exactly. `users` gains `units`, the units a filler may fill in.

Revision ID: 0003_unit_scopes
Revises: 0002
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_unit_scopes"
down_revision = "0002"
branch_labels = None
depends_on = None

# the kinds that were unit-scoped when this revision was written (frozen here, not read from schema)
UNIT_SCOPED = ("activities", "study", "volunteer")


def upgrade() -> None:
    op.drop_index("ux_active_scope", table_name="batch_scopes")
    with op.batch_alter_table("batch_scopes") as batch:
        batch.add_column(sa.Column("unit", sa.Text(), nullable=False, server_default=""))
    _split_scopes_by_unit(op.get_bind())
    op.create_index("ux_active_scope", "batch_scopes", ["kind", "district", "unit", "period"],
                    unique=True, sqlite_where=sa.text("active"),
                    postgresql_where=sa.text("active"))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("units", sa.Text(), nullable=False, server_default="[]"))


def _split_scopes_by_unit(conn) -> None:
    """One scope row per unit of the batch's rows in the scope's district and month."""
    scopes = sa.table("batch_scopes", sa.column("id"), sa.column("batch_id"), sa.column("kind"),
                      sa.column("district"), sa.column("unit"), sa.column("period"),
                      sa.column("active"), sa.column("replaced_by"))
    for kind in UNIT_SCOPED:
        data = sa.table(kind, sa.column("batch_id"), sa.column("district"), sa.column("month"),
                        sa.column("unit"))
        rows = conn.execute(sa.select(scopes).where(scopes.c.kind == kind)
                            .order_by(scopes.c.id)).mappings().all()
        for scope in rows:
            units = conn.execute(
                sa.select(data.c.unit).distinct()
                .where(data.c.batch_id == scope["batch_id"], data.c.district == scope["district"],
                       data.c.month == scope["period"]).order_by(data.c.unit)).scalars().all()
            if not units:
                continue
            conn.execute(scopes.update().where(scopes.c.id == scope["id"]).values(unit=units[0]))
            if units[1:]:
                conn.execute(scopes.insert(), [
                    {"batch_id": scope["batch_id"], "kind": kind, "district": scope["district"],
                     "unit": unit, "period": scope["period"], "active": scope["active"],
                     "replaced_by": scope["replaced_by"]} for unit in units[1:]])


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("units")
    op.drop_index("ux_active_scope", table_name="batch_scopes")
    conn = op.get_bind()
    # back to one scope per (batch, kind, district, period): keep the first unit's row
    conn.execute(sa.text(
        "DELETE FROM batch_scopes WHERE id NOT IN (SELECT MIN(id) FROM batch_scopes "
        "GROUP BY batch_id, kind, district, period)"))
    with op.batch_alter_table("batch_scopes") as batch:
        batch.drop_column("unit")
    op.create_index("ux_active_scope", "batch_scopes", ["kind", "district", "period"], unique=True,
                    sqlite_where=sa.text("active"), postgresql_where=sa.text("active"))
