"""Companies (tenants) in SQL, including the per-tenant change counter."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import update
from sqlmodel import col, select

from fieldedge.domain.company import Company
from fieldedge.errors import NotFound
from fieldedge_adapters.sql.errors import translated
from fieldedge_adapters.sql.scoped import ScopedRepository, detached
from fieldedge_adapters.sql.tables import CompanyRow

# ``save`` writes these. Never ``change_counter``: it was bumped by its own UPDATE
# earlier in the transaction and the caller's copy is stale; nor the audit-chain head.
_SAVED = tuple(name for name in Company.model_fields if name not in ("id", "change_counter"))


class SqlCompanyRepository(ScopedRepository):
    async def get(self, company_id: UUID) -> Company | None:
        row = await self._first(
            select(CompanyRow).where(col(CompanyRow.id) == company_id, *self._tenant(CompanyRow.id))
        )
        return None if row is None else detached(Company, row)

    async def add(self, company: Company) -> Company:
        self._check_owned(company.id)
        await self._insert(CompanyRow.model_validate(company.model_dump()))
        return company

    async def save(self, company: Company) -> Company:
        values = {name: getattr(company, name) for name in _SAVED}
        statement = (
            update(CompanyRow)
            .where(col(CompanyRow.id) == company.id, *self._tenant(CompanyRow.id))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        with translated():
            result = await self._session.exec(statement)
        if result.rowcount != 1:
            raise NotFound("Company not found.")
        return company

    async def list(self, *, after: UUID | None, limit: int) -> Sequence[Company]:
        statement = (
            select(CompanyRow).where(*self._tenant(CompanyRow.id)).order_by(col(CompanyRow.id))
        )
        if after is not None:
            statement = statement.where(col(CompanyRow.id) > after)
        return [detached(Company, row) for row in await self._all(statement.limit(limit))]

    async def bump_change_counter(self, company_id: UUID) -> int:
        # UPDATE takes the row lock that serialises the tenant's writers (on SQLite the
        # unit of work already holds the database write lock); RETURNING reads the value
        # this transaction owns, so no second query can see someone else's bump.
        statement = (
            update(CompanyRow)
            .where(col(CompanyRow.id) == company_id, *self._tenant(CompanyRow.id))
            .values(change_counter=col(CompanyRow.change_counter) + 1)
            .returning(col(CompanyRow.change_counter))
            .execution_options(synchronize_session=False)
        )
        with translated():
            result = await self._session.exec(statement)
            value = result.scalar_one_or_none()
        if value is None:
            raise NotFound("Company not found.")
        return int(value)
