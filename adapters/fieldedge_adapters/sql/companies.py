"""Companies (tenants) in SQL, including the per-tenant change counter."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from fieldedge.domain.company import Company
from fieldedge.errors import NotFound
from fieldedge_adapters.sql.errors import translated
from fieldedge_adapters.sql.tables import CompanyRow


class SqlCompanyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, company_id: UUID) -> Company | None:
        with translated():
            row = await self._session.get(CompanyRow, company_id)
        # A detached domain copy: changes go through repository methods, never through
        # an ORM object the core happens to hold.
        return None if row is None else Company.model_validate(row.model_dump())

    async def add(self, company: Company) -> None:
        self._session.add(CompanyRow.model_validate(company.model_dump()))
        with translated():
            # Flush now, so a duplicate is a Conflict here rather than at commit.
            await self._session.flush()

    async def bump_change_counter(self, company_id: UUID) -> int:
        # UPDATE takes the row lock that serialises the tenant's writers (on SQLite the
        # unit of work already holds the database write lock); RETURNING reads the value
        # this transaction owns, so no second query can see someone else's bump.
        statement = (
            update(CompanyRow)
            .where(col(CompanyRow.id) == company_id)
            .values(change_counter=col(CompanyRow.change_counter) + 1)
            .returning(col(CompanyRow.change_counter))
            .execution_options(synchronize_session="fetch")
        )
        with translated():
            result = await self._session.exec(statement)
            value = result.scalar_one_or_none()
        if value is None:
            raise NotFound("Company not found.")
        return int(value)
