"""Inline dispatch of the outbox and linking of the audit log after each write, in the
serving process (``OUTBOX_INLINE``; see ``background``)."""

from __future__ import annotations

from typing import Any

from fieldedge.services.background import SingleFlight
from fieldedge.services.company.audit_log import link_all
from fieldedge.services.deps import Deps
from fieldedge.services.outbox.dispatcher import drain


async def _drain(deps: Deps) -> dict[str, Any]:
    return (await drain(deps)).as_dict()


outbox = SingleFlight("outbox", _drain)
audit_links = SingleFlight("audit", link_all)


def kick(deps: Deps) -> None:
    """After a write: send what it queued, link what it audited."""
    outbox.kick(deps)
    audit_links.kick(deps)


async def wait_idle() -> None:
    await outbox.wait_idle()
    await audit_links.wait_idle()
