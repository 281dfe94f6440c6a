"""Read and change the company's settings (ADMIN changes, every member reads)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.company import Company
from fieldedge.errors import NotFound
from fieldedge.ports.database import Scope
from fieldedge.services.common import audit
from fieldedge.services.deps import Deps


@dataclass(frozen=True, slots=True)
class UpdateCompany:
    name: str | None = None
    geofence_radius_m: int | None = None
    timezone: str | None = None
    currency: str | None = None
    country: str | None = None
    day_ends_at: str | None = None
    travel_rate_per_km: int | None = None


async def get_company(principal: Principal, deps: Deps) -> Company:
    require(principal, Action.COMPANY_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        company = await uow.companies.get(principal.tenant)
    if company is None:
        raise NotFound()
    return company


async def update_company(principal: Principal, cmd: UpdateCompany, deps: Deps) -> Company:
    require(principal, Action.COMPANY_UPDATE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        company = await uow.companies.get(principal.tenant)
        if company is None:
            raise NotFound()
        changes = {
            name: value
            for name, value in asdict(cmd).items()
            if value is not None and getattr(company, name) != value
        }
        if changes:
            before = {name: getattr(company, name) for name in changes}
            company.apply({**changes, "updated_at": deps.clock.now()})
            await uow.companies.save(company)
            await audit(
                uow,
                deps,
                "company.updated",
                actor=principal,
                entity="company",
                entity_id=company.id,
                detail={"before": before, "after": changes},
            )
            await uow.commit()
    return company
