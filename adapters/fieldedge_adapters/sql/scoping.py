"""The tenant a Postgres transaction may see, set for row-level security.

Both settings are written at the start of every transaction with ``set_config(…, true)``
(``SET LOCAL``), in one round trip: they end with the transaction, so a pooler that hands
the connection to another client next (PgBouncer, Neon) leaks nothing. Writing both
each time means a tenant transaction can never inherit ``app.system = 'on'``.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from fieldedge.ports.database import Scope
from fieldedge_adapters.sql.engine import TransactionSetup

_SET_SCOPE = text(
    "SELECT set_config('app.company_id', :company_id, true), "
    "set_config('app.system', :system, true)"
)


def scope_setup(scope: Scope) -> TransactionSetup:
    params = {
        "company_id": "" if scope.company_id is None else str(scope.company_id),
        "system": "on" if scope.is_system else "off",
    }

    def setup(connection: Connection) -> None:
        connection.execute(_SET_SCOPE, params)

    return setup
