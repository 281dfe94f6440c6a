"""The platform's view (SUPER_ADMIN): list companies, suspend or reactivate one.

A suspended company's tokens are refused on their next request (its revocation mark,
or the database when the KV cannot say) and its refresh tokens stop rotating.
"""

from __future__ import annotations

from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.company import Company, CompanyStatus
from fieldedge.errors import NotFound
from fieldedge.ports.database import Scope
from fieldedge.services.auth import revocation
from fieldedge.services.common import audit
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, after_id, page_by_id


async def list_companies(
    principal: Principal, cursor: str | None, limit: int, deps: Deps
) -> Page[Company]:
    require(principal, Action.PLATFORM_COMPANIES)
    async with deps.db.unit_of_work(Scope.system()) as uow:
        rows = await uow.companies.list(after=after_id(cursor), limit=limit + 1)
    return page_by_id(rows, limit)


async def set_company_status(
    principal: Principal, company_id: UUID, status: CompanyStatus, deps: Deps
) -> Company:
    require(principal, Action.PLATFORM_COMPANIES)
    async with deps.db.unit_of_work(Scope.tenant(company_id)) as uow:
        company = await uow.companies.get(company_id)
        if company is None:
            raise NotFound("No such company.")
        marks = revocation.payload(company_id=company_id)
        changed = company.status is not status
        if changed:
            before = company.status
            company.apply({"status": status, "updated_at": deps.clock.now()})
            await uow.companies.save(company)
            await revocation.queue(uow, deps, marks)
            await audit(
                uow,
                deps,
                f"company.{status.value.lower()}",
                actor=principal,
                entity="company",
                entity_id=company_id,
                detail={"before": before.value, "after": status.value},
            )
            await uow.commit()
    if changed:
        await revocation.publish(deps, marks)
    return company
