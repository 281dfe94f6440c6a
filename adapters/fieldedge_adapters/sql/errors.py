"""Driver errors become core errors here, at the adapter's edge.

On SQLite, SQLAlchemy wraps the driver's errors; on Postgres asyncpg's own errors
arrive unwrapped (``PostgresError`` with its SQLSTATE, ``OSError``, ``TimeoutError``). The SQLSTATE
(asyncpg's ``sqlstate``) is the reliable signal on Postgres; SQLite has none, so its
errors are read by type and message.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fieldedge.errors import Conflict, DependencyUnavailable

# SQLSTATE classes that mean "the database cannot serve this now; try again":
# 08 connection, 28 authorization, 3D no such database, 40 serialization/deadlock,
# 53 insufficient resources (too many connections), 57 cancelled/shutting down.
_UNAVAILABLE_CLASSES = ("08", "28", "3D", "40", "53", "57")
LOCK_NOT_AVAILABLE = "55P03"  # a bounded lock wait ran out: busy, try again
_UNIQUE_VIOLATION = "23505"


def sqlstate(error: BaseException) -> str | None:
    for candidate in (error, getattr(error, "orig", None), error.__cause__):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(code, str):
            return code
    return None


def _sa_exc() -> Any:
    """SQLAlchemy's exceptions, when SQLAlchemy is loaded at all: a Postgres health check
    runs on asyncpg alone, and nothing it does can raise one."""
    module = sys.modules.get("sqlalchemy.exc")
    return module


def _is_unique_violation(error: BaseException) -> bool:
    if sqlstate(error) == _UNIQUE_VIOLATION:
        return True
    sa_exc = _sa_exc()
    return (
        sa_exc is not None
        and isinstance(error, sa_exc.IntegrityError)
        and "UNIQUE constraint failed" in str(error.orig)
    )


def _is_unavailable(error: BaseException) -> bool:
    if isinstance(error, OSError | TimeoutError):
        return True
    sa_exc = _sa_exc()
    if sa_exc is not None:
        kinds = (sa_exc.TimeoutError, sa_exc.OperationalError, sa_exc.InterfaceError)
        if isinstance(error, kinds):
            return True
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
    state = sqlstate(error)
    return state is not None and (state[:2] in _UNAVAILABLE_CLASSES or state == LOCK_NOT_AVAILABLE)


@contextmanager
def translated() -> Iterator[None]:
    """Run a block that talks to the database; re-raise driver errors as core errors."""
    try:
        yield
    except Exception as exc:
        if _is_unique_violation(exc):
            raise Conflict("A record with these values already exists.") from exc
        if _is_unavailable(exc):
            raise DependencyUnavailable("database") from exc
        raise
