"""Small named exceptions; every message is Chinese and safe to show a user.

The CLI turns them into a message and an exit code, the pages into
`st.error`: a traceback never reaches a user.
"""
from __future__ import annotations


class AnalyticsError(Exception):
    """Base class: `str(exc)` is the Chinese message for the user."""

    exit_code = 1


class UnreadableFile(AnalyticsError):
    """The file can't be read at all (wrong type, corrupt, encrypted, too big, hostile)."""

    exit_code = 2


class NoTable(AnalyticsError):
    """The file was read but holds no recognisable table."""

    exit_code = 2


class ScopeConflict(AnalyticsError):
    """Data for this (kind, district, month) is stored already; `replace` is needed."""


class ConcurrentImport(AnalyticsError):
    """Another import of the same scope is running right now."""


class RowsRejected(AnalyticsError):
    """The file has rejected rows and the caller did not ask to skip them.

    `rejected` holds (sheet, rejected row record) pairs, for listing them.
    """

    def __init__(self, message: str, rejected: list[tuple[str, dict]] | None = None) -> None:
        super().__init__(message)
        self.rejected = rejected or []


class PermissionDenied(AnalyticsError):
    """The acting user's role or districts don't allow this action."""


class NotFound(AnalyticsError):
    """A batch, user or other record named by the caller does not exist."""


class LoginFailed(AnalyticsError):
    """Wrong user name or password (deliberately does not say which)."""


class AccountLocked(AnalyticsError):
    """Too many failed logins; the account is locked for a while."""


class WeakPassword(AnalyticsError):
    """A new password breaks the password policy (too short, too long, same as the name)."""


class InvalidAccount(AnalyticsError):
    """An account request is malformed: bad user name or role, name taken, last admin."""


class AlreadyRolledBack(AnalyticsError):
    """The batch named for rollback was rolled back before."""


class BadOption(AnalyticsError):
    """A value given by the caller (not the file), such as `--month 2026-13`, is invalid."""

    exit_code = 2


class InvalidPeriod(AnalyticsError):
    """A month range or day asked for does not make sense (`--months 5-4`, `--as-of 6月30日`)."""


class DatabaseGone(AnalyticsError):
    """The database the app opened was deleted, moved or replaced: nothing is written."""

    exit_code = 2


class StorageUnavailable(AnalyticsError):
    """The disk is full or read-only: nothing can be saved, the dashboards still read."""

    exit_code = 2


class ParserBusy(AnalyticsError):
    """Every parsing worker (or this user's share of them) is busy: try again shortly."""
