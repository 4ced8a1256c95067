"""The append-only audit log: who stored, replaced or rolled back what, when.

Entries are written in the caller's transaction, so an action and its log
entry commit (or vanish) together. Nothing here updates or deletes.
"""
from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, select

from analytics.store.tables import audit_log

AUDIT_COLUMNS = ("id", "at", "username", "action", "detail", "batch_id", "file_name", "sha256")


def append_audit(conn: Connection, *, user: str, action: str, detail: str = "",
                 batch_id: int | None = None, file_name: str | None = None,
                 sha256: str | None = None) -> None:
    """Add one entry; `action` is a short verb such as "store", "replace", "rollback"."""
    conn.execute(audit_log.insert().values(
        at=datetime.now(), username=user, action=action, detail=detail,
        batch_id=batch_id, file_name=file_name, sha256=sha256))


def read_audit(engine: Engine, limit: int = 500) -> pd.DataFrame:
    """The newest `limit` entries, newest first."""
    query = select(*(audit_log.c[name] for name in AUDIT_COLUMNS)) \
        .order_by(audit_log.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"])
    frame["batch_id"] = frame["batch_id"].astype("Int64")
    return frame
