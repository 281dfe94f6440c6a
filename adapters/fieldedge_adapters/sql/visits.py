"""Visits in SQL: the team's check-ins by rep, contact, verdict and time, and the rep's
previous check-in that the impossible-travel rule measures from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.visits import Visit
from fieldedge.ports.fieldforce import VisitQuery
from fieldedge.ports.records import Record
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of, tenant_filter
from fieldedge_adapters.sql.statements import any_of
from fieldedge_adapters.sql.tables_fieldforce import ContactRow, VisitRow

T = table_of(VisitRow)
CONTACTS = table_of(ContactRow)


@shape
def _list(
    after: bool,
    users: bool,
    theirs: bool,
    contact: bool,
    verified: bool,
    since: bool,
    until: bool,
    tenant: bool,
) -> Any:
    statement = sa.select(T).where(*tenant_filter(T, tenant), T.c.deleted_at.is_(None))
    if after:
        statement = statement.where(T.c.id > sa.bindparam("after"))
    mine = [any_of(T.c.user_id, "users")] if users else []
    if theirs:
        owned = sa.select(CONTACTS.c.id).where(
            *tenant_filter(CONTACTS, tenant), CONTACTS.c.owner_id == sa.bindparam("theirs")
        )
        mine.append(T.c.contact_id.in_(owned.scalar_subquery()))
    if mine:
        statement = statement.where(sa.or_(*mine))
    if contact:
        statement = statement.where(T.c.contact_id == sa.bindparam("contact"))
    if verified:
        statement = statement.where(T.c.verified == sa.bindparam("verified"))
    if since:
        statement = statement.where(T.c.checked_in_at >= sa.bindparam("since"))
    if until:
        statement = statement.where(T.c.checked_in_at < sa.bindparam("until"))
    return statement.order_by(T.c.id).limit(limit_param())


@shape
def _previous(tenant: bool) -> Any:
    # Served by (company_id, user_id, checked_in_at, id), its last entry: id breaks a tie
    # of equal times the same way on every backend, and being in the index no sort of
    # the rep's visits is ever needed (migration 0019).
    return (
        sa.select(T)
        .where(
            *tenant_filter(T, tenant),
            T.c.deleted_at.is_(None),
            T.c.user_id == sa.bindparam("user"),
            T.c.checked_in_at <= sa.bindparam("before"),
        )
        .order_by(T.c.checked_in_at.desc(), T.c.id.desc())
        .limit(1)
    )


class SqlVisitRepository(Repository[Visit]):
    table, model = T, Visit
    field_versioned = True

    async def get(
        self, visit_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Visit | None:
        return await self._get(visit_id, include_deleted=include_deleted, lock=lock)

    async def add(self, visit: Visit) -> None:
        self._add(visit)

    async def save(self, visit: Visit) -> None:
        self._save(visit)

    async def list(self, query: VisitQuery) -> Sequence[Record]:
        statement = _list(
            query.after is not None,
            query.user_ids is not None,
            query.at_contacts_of is not None,
            query.contact_id is not None,
            query.verified is not None,
            query.since is not None,
            query.until is not None,
            self._tenant,
        )
        return await self._rows(
            statement,
            after=query.after,
            users=list(query.user_ids) if query.user_ids is not None else None,
            theirs=query.at_contacts_of,
            contact=query.contact_id,
            verified=query.verified,
            since=query.since,
            until=query.until,
            limit=query.limit,
        )

    async def previous_for(self, user_id: UUID, before: datetime) -> Visit | None:
        return await self._one(_previous(self._tenant), user=user_id, before=before)
