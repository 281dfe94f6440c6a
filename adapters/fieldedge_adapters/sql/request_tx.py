"""One transaction around a whole request, which the units of work opened inside it join.

An idempotent write must commit its idempotency record in the same transaction as the
write itself, yet the use case opens (and commits) its own units of work. While a
request transaction is open in the current task, every unit of work of the same scope
joins it: its ``commit`` stamps and writes what it queued, and nothing is durable until
the request transaction commits. A unit of work of another scope (a system-scope lookup
inside a tenant request) runs in a transaction of its own on Postgres, as it would
outside; on SQLite, where a second writer would wait on the request's own lock, it
joins too.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fieldedge.ports.database import Scope

if TYPE_CHECKING:
    from fieldedge_adapters.sql.txn import Txn


@dataclass
class Ambient:
    txn: Txn
    open: bool = True

    @property
    def scope(self) -> Scope:
        return self.txn.scope


current: ContextVar[Ambient | None] = ContextVar("fieldedge_request_transaction", default=None)


def joinable() -> Ambient | None:
    ambient = current.get()
    return ambient if ambient is not None and ambient.open else None
