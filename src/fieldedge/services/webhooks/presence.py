"""Whether a company has any active webhook endpoint, cached in the KV, so a write in a
company without one reads none (most companies never subscribe).

The flag is ``"1"`` or ``"0"`` under ``webhooks:present:{company}`` for ``TTL_S``. A
write that finds no flag reads the endpoints (the read ``emit`` makes anyway) and
stores what it saw only if no flag is there yet (``nx``). Every change that can make a
company have an active endpoint (subscribe, an update that leaves one active) writes
``"1"`` after its commit, overwriting; a delete, or an update that leaves one inactive,
drops the flag. So a ``"0"`` stored from a read made before a subscription committed
cannot outlive it: the subscription's ``"1"`` either lands after it (overwrites) or
before it (the ``nx`` write is refused). A stale ``"1"`` (the dispatcher disabled an
endpoint) costs only the read it saves. Fail safe: when the KV cannot answer, the write
reads the endpoints; when it cannot take the ``"1"``, the TTL bounds a stale ``"0"``.
"""

from __future__ import annotations

import contextlib
from uuid import UUID

import structlog

from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.database import UnitOfWork
from fieldedge.services.deps import Deps

TTL_S = 60.0
log = structlog.get_logger("fieldedge.webhooks")


def key(company_id: UUID) -> str:
    return f"webhooks:present:{company_id}"


async def worth_reading(uow: UnitOfWork, deps: Deps, company_id: UUID) -> bool:
    """False only when the company is known to have no active endpoint."""
    try:
        flag = await deps.kv.get(key(company_id))
    except DependencyUnavailable:
        return True  # read the endpoints, as without the flag
    if flag is not None:
        return flag == b"1"
    present = await uow.webhooks.any_active()
    with contextlib.suppress(DependencyUnavailable):  # then the next write reads too
        await deps.kv.set(key(company_id), b"1" if present else b"0", ttl_s=TTL_S, nx=True)
    return present


async def changed(deps: Deps, company_id: UUID, *, active: bool) -> None:
    """After an endpoint's change committed: ``active`` when it is active now."""
    try:
        if active:
            await deps.kv.set(key(company_id), b"1", ttl_s=TTL_S)
        else:
            await deps.kv.delete(key(company_id))
    except DependencyUnavailable:
        log.warning("webhooks.presence_not_updated", company_id=str(company_id))
