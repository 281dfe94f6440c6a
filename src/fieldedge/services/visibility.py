"""Which of the tenant's rows a caller sees, as the contract's "who sees what" says:
ADMIN the whole company; MANAGER their team's visits, orders and payments plus all
contacts and products; SALES_REP their own work and the contacts assigned to them."""

from __future__ import annotations

from uuid import UUID

from fieldedge.domain.access import Principal
from fieldedge.domain.identity import Role
from fieldedge.ports.database import UnitOfWork


async def work_owners(uow: UnitOfWork, principal: Principal) -> frozenset[UUID] | None:
    """Whose visits, orders and payments the caller sees (``None``: everyone's)."""
    if principal.role is Role.SALES_REP:
        return frozenset({principal.user_id})
    if principal.role is Role.MANAGER:
        return await uow.users.team(principal.user_id)
    return None


def contact_owners(principal: Principal) -> frozenset[UUID] | None:
    """Whose contacts the caller sees (``None``: all of the company's)."""
    if principal.role is Role.SALES_REP:
        return frozenset({principal.user_id})
    return None


def narrowed(scope: frozenset[UUID] | None, requested: UUID | None) -> frozenset[UUID] | None:
    """The caller's scope narrowed by a ``?userId=`` / ``?ownerId=`` filter: ``None`` is
    everyone the caller sees; an empty set means the filter names someone outside it."""
    if requested is None:
        return scope
    if scope is not None and requested not in scope:
        return frozenset()
    return frozenset({requested})
