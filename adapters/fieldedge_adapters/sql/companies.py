"""Companies (tenants) in SQL; the change counter itself is advanced only by ``stamp``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.company import Company
from fieldedge.errors import NotFound
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of
from fieldedge_adapters.sql.tables import CompanyRow

T = table_of(CompanyRow)
_FIELDS = tuple(name for name in Company.model_fields)


@shape
def _get(tenant: bool) -> Any:
    # The tenant's own row: its id is the tenant (there is no company_id column).
    statement = sa.select(*(T.c[name] for name in _FIELDS)).where(T.c.id == sa.bindparam("id"))
    return statement.where(T.c.id == sa.bindparam("cid")) if tenant else statement


@shape
def _list(after: bool, tenant: bool) -> Any:
    statement = sa.select(*(T.c[name] for name in _FIELDS)).order_by(T.c.id).limit(limit_param())
    if after:
        statement = statement.where(T.c.id > sa.bindparam("after"))
    return statement.where(T.c.id == sa.bindparam("cid")) if tenant else statement


_COUNTER = sa.select(T.c.change_counter).where(T.c.id == sa.bindparam("cid"))


class SqlCompanyRepository(Repository[Company]):
    table, model, soft_delete = T, Company, False

    async def get(self, company_id: UUID) -> Company | None:
        return await self._one(_get(self._tenant), id=company_id)

    async def add(self, company: Company) -> None:
        self._check_owned(company.id)
        self._txn.insert(self.table, company.values(), company)
        company.mark_clean()

    async def save(self, company: Company) -> None:
        self._check_owned(company.id)
        changes = company.changes()
        changes.pop("id", None)
        self._txn.update(self.table, company.id, changes, company)
        company.mark_clean()

    async def list(self, *, after: UUID | None, limit: int) -> Sequence[Company]:
        return await self._many(_list(after is not None, self._tenant), after=after, limit=limit)

    async def change_counter(self) -> int:
        rows = await self._rows(_COUNTER)
        if not rows:
            raise NotFound("Company not found.")
        return int(rows[0]["change_counter"])
