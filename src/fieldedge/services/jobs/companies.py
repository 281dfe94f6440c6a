"""Walk every active company, a page at a time, in system scope."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from uuid import UUID

from fieldedge.domain.company import Company, CompanyStatus
from fieldedge.ports.database import Scope
from fieldedge.services.deps import Deps

PAGE = 200


async def active_companies(deps: Deps) -> AsyncIterator[Company]:
    """Suspended companies get no mail: their users cannot sign in to act on it."""
    after: UUID | None = None
    while True:
        async with deps.db.unit_of_work(Scope.system()) as uow:
            page = await uow.companies.list(after=after, limit=PAGE)
        for company in page:
            if company.status is CompanyStatus.ACTIVE:
                yield company
        if len(page) < PAGE:
            return
        after = page[-1].id


async def email_every_company(
    deps: Deps, per_company: Callable[[Deps, Company], Awaitable[int]]
) -> dict[str, Any]:
    """Run a daily mail job over every active company: how many companies, how many emails."""
    companies = emails = 0
    async for company in active_companies(deps):
        companies += 1
        emails += await per_company(deps, company)
    return {"companies": companies, "emails": emails}
