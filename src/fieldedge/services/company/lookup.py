"""Finding a company the way an operator names it: by its id, or by its name."""

from __future__ import annotations

from uuid import UUID

from fieldedge.domain.company import Company
from fieldedge.errors import NotFound, ValidationFailed
from fieldedge.ports.database import Scope
from fieldedge.services.deps import Deps

_PAGE = 500


async def find_company(ref: str, deps: Deps) -> Company:
    """The company whose id is ``ref``, or whose name is ``ref`` (ignoring case and the
    spaces around it); ``NotFound``, or ``ValidationFailed`` when two share the name."""
    try:
        company_id: UUID | None = UUID(ref.strip())
    except ValueError:
        company_id = None
    if company_id is not None:
        async with deps.db.unit_of_work(Scope.tenant(company_id)) as uow:
            company = await uow.companies.get(company_id)
        if company is None:
            raise NotFound(f"No company {ref}.")
        return company
    wanted, matches, after = ref.strip().casefold(), list[Company](), None
    async with deps.db.unit_of_work(Scope.system()) as uow:
        while True:
            page = await uow.companies.list(after=after, limit=_PAGE)
            matches += [company for company in page if company.name.casefold() == wanted]
            if len(page) < _PAGE:
                break
            after = page[-1].id
    if not matches:
        raise NotFound(f"No company named {ref!r} (give its name exactly, or its id).")
    if len(matches) > 1:
        ids = ", ".join(str(company.id) for company in matches)
        raise ValidationFailed(f"{len(matches)} companies are named {ref!r}: give the id ({ids}).")
    return matches[0]
