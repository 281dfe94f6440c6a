"""One transaction around a whole request, which the units of work opened inside it join.

An idempotent write must commit its idempotency record in the same transaction as the
write itself, yet the use case opens (and commits) its own units of work. While a
request transaction is open in the current task, every unit of work joins it as a
SAVEPOINT: its ``commit`` releases the savepoint, its rollback undoes only its part, and
nothing is durable until the request transaction commits. On Postgres a joining unit of
work of another scope (a system-scope lookup inside a tenant request) re-applies its own
scope on the shared connection, and leaving restores the request's; one of the same
scope (the usual case) costs no extra round trip.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from fieldedge.ports.database import Scope

Rescope = Callable[[AsyncSession], Awaitable[None]]


@dataclass
class Ambient:
    session: AsyncSession
    scope: Scope
    rescope: Rescope | None  # re-applies the request transaction's own scope
    open: bool = True


current: ContextVar[Ambient | None] = ContextVar("fieldedge_request_transaction", default=None)


def joinable() -> Ambient | None:
    ambient = current.get()
    return ambient if ambient is not None and ambient.open else None
