"""The 统计截止月 an admin sets for a year (`report_cutoffs`).

Without one, each district reads at its own last reported month and the
whole area at the common cut-off (`periods.cut_offs`); with one, everybody
reads at the end of that month. Setting or clearing it is audited and bumps
the data version, so every page recomputes at once.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, select

from analytics import access
from analytics.errors import InvalidPeriod
from analytics.store.audit import append_audit
from analytics.store.engine import bump_data_version, write_transaction
from analytics.store.tables import report_cutoffs


def cutoff_month(engine: Engine, year: int) -> int | None:
    """The 统计截止月 set for `year`, or None (each district at its own last month)."""
    with engine.connect() as conn:
        month = conn.execute(select(report_cutoffs.c.month)
                             .where(report_cutoffs.c.year == int(year))).scalar()
    return None if month is None else int(month)


def set_cutoff_month(engine: Engine, actor: access.User | None, year: int,
                     month: int | None) -> None:
    """Set (1–12) or clear (None) the 统计截止月 of `year`; admins only."""
    actor = access.require_role(actor, "admin")
    if month is not None and not 1 <= int(month) <= 12:
        raise InvalidPeriod(f"统计截止月 {month} 无效：应为 1 到 12。")
    with write_transaction(engine) as conn:
        conn.execute(delete(report_cutoffs).where(report_cutoffs.c.year == int(year)))
        if month is not None:
            conn.execute(report_cutoffs.insert().values(
                year=int(year), month=int(month), username=actor.username, set_at=datetime.now()))
        detail = (f"{year}年统计截止月设为{int(month)}月" if month is not None
                  else f"{year}年统计截止月取消（各区县按本区最后上报月）")
        append_audit(conn, user=actor.username, action="set_cutoff", detail=detail)
        bump_data_version(conn)
