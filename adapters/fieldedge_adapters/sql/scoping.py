"""The tenant a Postgres transaction may see, set for row-level security.

Both settings are written at the start of every transaction with ``set_config(…, true)``
(``SET LOCAL``), in one round trip: they end with the transaction, so a pooler that hands
the connection to another client next (PgBouncer, Neon) leaks nothing. Writing both
each time means a tenant transaction can never inherit ``app.system = 'on'``.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel.ext.asyncio.session import AsyncSession

from fieldedge.ports.database import Scope
from fieldedge_adapters.sql.engine import TransactionSetup
from fieldedge_adapters.sql.request_tx import Rescope

_SET_SCOPE = text(
    "SELECT set_config('app.company_id', :company_id, true), "
    "set_config('app.system', :system, true)"
)


def _params(scope: Scope) -> dict[str, str]:
    return {
        "company_id": "" if scope.company_id is None else str(scope.company_id),
        "system": "on" if scope.is_system else "off",
    }


_SET_SCOPE_AND_LOCK_WAIT = text(
    "SELECT set_config('app.company_id', :company_id, true), "
    "set_config('app.system', :system, true), set_config('lock_timeout', :lock_timeout, true)"
)


def scope_setup(scope: Scope, *, lock_timeout: str | None = None) -> TransactionSetup:
    """``lock_timeout`` (e.g. ``"5s"``) bounds every lock wait of the transaction, set in
    the same round trip as the scope."""
    params = _params(scope)
    statement = _SET_SCOPE
    if lock_timeout is not None:
        params["lock_timeout"] = lock_timeout
        statement = _SET_SCOPE_AND_LOCK_WAIT

    def setup(connection: Connection) -> None:
        connection.execute(statement, params)

    return setup


def rescope(scope: Scope) -> Rescope:
    """The same settings, applied inside a transaction already running (a unit of work
    joining a request transaction, or the request transaction taking its scope back)."""
    params = _params(scope)

    async def apply(session: AsyncSession) -> None:
        connection = await session.connection()
        await connection.execute(_SET_SCOPE, params)

    return apply
