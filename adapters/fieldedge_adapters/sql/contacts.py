"""Contacts in SQL: the filtered, keyset-paged list behind ``GET /contacts`` (search,
tags, the ``?near=`` box) and the duplicate check imports use."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.contacts import Contact
from fieldedge.ports.fieldforce import ContactQuery
from fieldedge_adapters.sql.entities import EntityRepository, contains_text, inside, json_array_has
from fieldedge_adapters.sql.tables_fieldforce import ContactRow


class SqlContactRepository(EntityRepository[Contact, ContactRow]):
    model, row, noun = Contact, ContactRow, "Contact"

    async def get(self, contact_id: UUID, *, include_deleted: bool = False) -> Contact | None:
        return await self._get(contact_id, include_deleted=include_deleted)

    async def add(self, contact: Contact) -> Contact:
        return await self._add(contact)

    async def save(self, contact: Contact) -> Contact:
        return await self._save(contact)

    async def list(self, query: ContactQuery) -> Sequence[Contact]:
        statement = self._page(query.after, query.limit)
        if query.owner_ids is not None:
            statement = statement.where(self.c("owner_id").in_(list(query.owner_ids)))
        if query.type is not None:
            statement = statement.where(self.c("type") == query.type)
        if query.city:
            statement = statement.where(sa.func.lower(self.c("city")) == sa.func.lower(query.city))
        if query.tag:
            # Tags are stored normalised (trimmed, lower-cased), so the filter is too.
            tag = " ".join(query.tag.split()).lower()
            statement = statement.where(json_array_has(self.c("tags"), tag))
        if query.q:
            statement = statement.where(
                contains_text(query.q, self.c("name"), self.c("phone"), self.c("city"))
            )
        if query.box is not None:
            statement = statement.where(inside(query.box, self.c("latitude"), self.c("longitude")))
        return await self._many(statement)

    async def find_duplicate(self, *, phone: str | None, email: str | None) -> Contact | None:
        matches = []
        if phone:
            matches.append(self.c("phone") == phone)
        if email:
            matches.append(sa.func.lower(self.c("email")) == sa.func.lower(email.strip()))
        if not matches:
            return None
        found = await self._first(self._page(None, 1).where(sa.or_(*matches)))
        return None if found is None else self._out(found)
