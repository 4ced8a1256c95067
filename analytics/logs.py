"""The server log: `server.log` in the data folder, readable by the server's user only.

It holds what the app logs (the first admin's initial password, lockouts,
refused start-ups), so it is created 0600 like `league.db` and
`initial_admin_password`.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

LOG_FILE = "server.log"
LOGGERS = ("analytics", "ui")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _PrivateFileHandler(logging.FileHandler):
    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)     # also when it existed with wider rights
        return os.fdopen(fd, "a", encoding=self.encoding or "utf-8")


def log_to_data_folder(folder: Path) -> Path | None:
    """Send the app's INFO and above to `folder/server.log` (once per process); None when the
    folder can't be written (a read-only disk: stderr only)."""
    path = (Path(folder) / LOG_FILE).resolve()
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if any(getattr(h, "baseFilename", None) == str(path) for h in logger.handlers):
            return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _PrivateFileHandler(path, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(logging.INFO)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if isinstance(h, _PrivateFileHandler)]:
            logger.removeHandler(old)      # one server log per process
            old.close()
        logger.addHandler(handler)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
    return path
