"""Visits in SQL: the team's check-ins by rep, contact, verdict and time, and the rep's
previous check-in that the impossible-travel rule measures from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlmodel import select

from fieldedge.domain.visits import Visit
from fieldedge.ports.fieldforce import VisitQuery
from fieldedge_adapters.sql.entities import EntityRepository
from fieldedge_adapters.sql.tables_fieldforce import VisitRow


class SqlVisitRepository(EntityRepository[Visit, VisitRow]):
    model, row, noun = Visit, VisitRow, "Visit"

    async def get(self, visit_id: UUID) -> Visit | None:
        return await self._get(visit_id)

    async def add(self, visit: Visit) -> Visit:
        return await self._add(visit)

    async def save(self, visit: Visit) -> Visit:
        return await self._save(visit)

    async def list(self, query: VisitQuery) -> Sequence[Visit]:
        statement = self._page(query.after, query.limit)
        if query.user_ids is not None:
            statement = statement.where(self.c("user_id").in_(list(query.user_ids)))
        if query.contact_id is not None:
            statement = statement.where(self.c("contact_id") == query.contact_id)
        if query.verified is not None:
            statement = statement.where(self.c("verified") == query.verified)
        if query.since is not None:
            statement = statement.where(self.c("checked_in_at") >= query.since)
        if query.until is not None:
            statement = statement.where(self.c("checked_in_at") < query.until)
        return await self._many(statement)

    async def previous_for(self, user_id: UUID, before: datetime) -> Visit | None:
        # Served by (company_id, user_id, checked_in_at); id breaks a tie of equal times
        # the same way on every backend.
        statement = (
            select(VisitRow)
            .where(
                *self._where(),
                self.c("user_id") == user_id,
                self.c("checked_in_at") <= before,
            )
            .order_by(self.c("checked_in_at").desc(), self.c("id").desc())
        )
        found = await self._first(statement)
        return None if found is None else self._out(found)
