"""The daily sweep: delete what has outlived its use, so tables stay small.

Each step is its own short transaction (system scope): a sweep that fails half-way has
still done the steps before it, and the next run finishes the rest.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.services.deps import Deps

RETENTION = timedelta(days=30)

Step = Callable[[UnitOfWork, datetime], Awaitable[int]]


async def _refresh_tokens(uow: UnitOfWork, now: datetime) -> int:
    # Kept 30 days past expiry: until then a replayed old token is still recognised
    # (and revokes its family) instead of being merely unknown.
    return await uow.refresh_tokens.delete_expired(now - RETENTION)


async def _reset_tokens(uow: UnitOfWork, now: datetime) -> int:
    return await uow.reset_tokens.delete_spent(now)


async def _sent_outbox(uow: UnitOfWork, now: datetime) -> int:
    return await uow.outbox.delete_sent(now - RETENTION)


async def _idempotency_records(uow: UnitOfWork, now: datetime) -> int:
    return await uow.idempotency.sweep(now)  # kept 24 h: expired ones replay nothing


# Name -> step.
STEPS: dict[str, Step] = {
    "refresh_tokens": _refresh_tokens,
    "reset_tokens": _reset_tokens,
    "outbox_sent": _sent_outbox,
    "idempotency_records": _idempotency_records,
}


def _steps(deps: Deps) -> dict[str, Step]:
    kept = timedelta(days=deps.settings.sync_retention_days)

    async def sync_records(uow: UnitOfWork, now: datetime) -> int:
        # Past the retention a cursor is refused (RESET_REQUIRED) and a mutation id that
        # old is only ever a duplicate: their results and scope changes serve nothing.
        return await uow.sync.sweep(now - kept)

    return {**STEPS, "sync_records": sync_records}


async def sweep(deps: Deps) -> dict[str, int]:
    """Run every step; rows deleted per step."""
    now = deps.clock.now()
    counts: dict[str, int] = {}
    for name, step in _steps(deps).items():
        async with deps.db.unit_of_work(Scope.system()) as uow:
            counts[name] = await step(uow, now)
            await uow.commit()
    return counts
