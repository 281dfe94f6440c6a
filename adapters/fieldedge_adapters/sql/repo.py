"""What every repository shares: its table, its unit of work's transaction and scope.

A repository is built with the unit of work's ``Scope`` and adds the tenant filter to
every statement itself (``company_id = :cid``), on SQLite and Postgres alike: on SQLite
it is the only guard; on Postgres row-level security backs it up, so a forgotten filter
returns nothing rather than another company's rows. System scope adds no filter.

Statements are built once per shape (``shape`` memoises the builders), with the tenant
and every value as named parameters, so Postgres prepares each shape once. Reads hand
back entities (``Entity.load``, then remembered as stored) or, for lists, the rows.
Writes are queued on the transaction (``Txn``): ``add`` queues an insert of every field,
``save`` an update of the fields the entity says changed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from fieldedge.domain.base import Entity
from fieldedge.domain.sync import next_field_versions, tracked
from fieldedge.ports.database import Scope
from fieldedge.ports.records import Record
from fieldedge_adapters.sql.txn import Txn

E = TypeVar("E", bound=Entity)
F = TypeVar("F", bound=Callable[..., Any])

shape: Callable[[F], F] = cache  # type: ignore[assignment]

CID = "cid"


def table_of(row_class: Any) -> sa.Table:
    table: sa.Table = row_class.__table__
    return table


def tenant_filter(table: sa.Table, tenant: bool) -> list[ColumnElement[bool]]:
    return [table.c.company_id == sa.bindparam(CID)] if tenant else []


@shape
def get_statement(table: sa.Table, *, tenant: bool, live_only: bool, lock: bool) -> Select[Any]:
    statement = sa.select(table).where(
        table.c.id == sa.bindparam("id"), *tenant_filter(table, tenant)
    )
    if live_only:
        statement = statement.where(table.c.deleted_at.is_(None))
    return statement.with_for_update() if lock else statement


def limit_param() -> Any:
    return sa.bindparam("limit", type_=sa.Integer)


class Scoped:
    """What every reader of the database holds: the transaction and the scope whose
    tenant it binds as ``cid`` (a repository, or a read of sums such as the reports)."""

    def __init__(self, txn: Txn, scope: Scope) -> None:
        self._txn = txn
        self._scope = scope

    @property
    def _tenant(self) -> bool:
        return self._scope.company_id is not None

    def _params(self, **values: Any) -> dict[str, Any]:
        if self._scope.company_id is not None:
            values[CID] = self._scope.company_id
        return values


class Repository(Scoped, Generic[E]):
    table: ClassVar[sa.Table]
    model: ClassVar[type[Any]]
    soft_delete: ClassVar[bool] = True
    # Keeps each field's last-change version (``domain.sync``) in ``field_versions``.
    field_versioned: ClassVar[bool] = False

    def _check_owned(self, company_id: UUID | None) -> None:
        """A row written in tenant scope must belong to that tenant (Postgres' policy
        would refuse it too; SQLite has nothing else to stop it)."""
        if self._scope.company_id is not None and company_id != self._scope.company_id:
            raise RuntimeError("a tenant unit of work cannot write another tenant's row")

    async def _rows(self, statement: Any, **params: Any) -> list[dict[str, Any]]:
        rows = await self._txn.rows(statement, self._params(**params))
        if self.field_versioned:  # sync's bookkeeping, not the entity's: kept for saves
            for row in rows:
                if "field_versions" in row:
                    versions = row.pop("field_versions") or {}
                    key = (self.table.name, row["id"])
                    if not self._txn.known.get(key, ({}, 0, False))[2]:
                        self._txn.known[key] = (versions, int(row["version"]), False)
        return rows

    async def _run(self, statement: Any, **params: Any) -> int:
        return await self._txn.run(statement, self._params(**params))

    def _entity(self, row: Record) -> E:
        entity: E = self.model.load(row)
        return entity

    async def _one(self, statement: Any, **params: Any) -> E | None:
        rows = await self._rows(statement, **params)
        return self._entity(rows[0]) if rows else None

    async def _many(self, statement: Any, **params: Any) -> list[E]:
        return [self._entity(row) for row in await self._rows(statement, **params)]

    async def _get(
        self, row_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> E | None:
        live_only = self.soft_delete and not include_deleted
        statement = get_statement(self.table, tenant=self._tenant, live_only=live_only, lock=lock)
        found = await self._one(statement, id=row_id)
        if lock and found is not None:
            self._txn.locked.add((self.table.name, row_id))
        return found

    def _stored(self, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` as columns hold them (a repository whose JSON holds ids says how)."""
        return values

    def _add(self, entity: E) -> None:
        values = self._stored(entity.values())
        self._check_owned(values.get("company_id"))
        if self.field_versioned:
            values["field_versions"] = next_field_versions({}, 0, tracked(values))
            self._txn.known[(self.table.name, values["id"])] = (values["field_versions"], 0, True)
        self._txn.insert(self.table, values, entity)
        entity.mark_clean()

    def _save(self, entity: E) -> None:
        values = entity.values()
        self._check_owned(values.get("company_id"))
        changes = entity.changes()
        changes.pop("id", None)
        changes.pop("company_id", None)
        if self.field_versioned and changes:
            key = (self.table.name, values["id"])
            stored, version, own = self._txn.known.get(key, ({}, int(values["version"]), False))
            if own:  # written earlier in this transaction: its 0 markers are its own
                versions = {**stored, **dict.fromkeys(tracked(changes), 0)}
            else:
                versions = next_field_versions(stored, version, tracked(changes))
            self._txn.known[key] = (versions, version, True)
            changes["field_versions"] = versions
        self._txn.update(self.table, values["id"], self._stored(changes), entity)
        entity.mark_clean()
