"""Sync in SQL: device clients, mutation results, scope changes, and a pull's reads.

A pull reads each kind of row by version (``changed``: (version, id) keyset inside a
version range, served by the (company_id, version) indexes), by id (``snapshot``), or by
what it belongs to (``belonging``: the visits at a contact that changed hands, the work
of a rep who changed teams). ``Reach`` narrows each to what one user's replica holds.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from fieldedge.domain.sync import ScopeChange, SyncClient, resolved
from fieldedge.ports.database import EVERYONES, USER_KINDS, Reach
from fieldedge.ports.records import Record
from fieldedge_adapters.sql.repo import Repository, get_statement, limit_param, table_of
from fieldedge_adapters.sql.statements import any_of, in_rows_of
from fieldedge_adapters.sql.tables import ScopeChangeRow, SyncClientRow, SyncResultRow, UserRow
from fieldedge_adapters.sql.tables_beats import BeatRow, PlanRow, RouteDayRow
from fieldedge_adapters.sql.tables_expenses import ExpenseClaimRow
from fieldedge_adapters.sql.tables_fieldforce import (
    AttendanceRow,
    ContactRow,
    OrderRow,
    PaymentRow,
    ProductRow,
    TargetRow,
    VisitPhotoRow,
    VisitRow,
)
from fieldedge_adapters.sql.tables_service import (
    ChecklistTemplateRow,
    EquipmentRow,
    EquipmentTypeRow,
    MaintenanceScheduleRow,
    SiteRow,
    WorkOrderRow,
)
from fieldedge_adapters.sql.tables_territories import TerritoryRow

CLIENTS = table_of(SyncClientRow)
RESULTS = table_of(SyncResultRow)
SCOPES = table_of(ScopeChangeRow)
TABLES: dict[str, sa.Table] = {
    "users": table_of(UserRow),
    "contacts": table_of(ContactRow),
    "visits": table_of(VisitRow),
    "photos": table_of(VisitPhotoRow),
    "products": table_of(ProductRow),
    "orders": table_of(OrderRow),
    "payments": table_of(PaymentRow),
    "attendance": table_of(AttendanceRow),
    "expenses": table_of(ExpenseClaimRow),
    "territories": table_of(TerritoryRow),
    "targets": table_of(TargetRow),
    "beats": table_of(BeatRow),
    "plans": table_of(PlanRow),
    "routes": table_of(RouteDayRow),
    "sites": table_of(SiteRow),
    "equipment_types": table_of(EquipmentTypeRow),
    "equipment": table_of(EquipmentRow),
    "checklist_templates": table_of(ChecklistTemplateRow),
    "work_orders": table_of(WorkOrderRow),
    "maintenance_schedules": table_of(MaintenanceScheduleRow),
}
CONTACTS, VISITS = TABLES["contacts"], TABLES["visits"]
CID: Any = sa.bindparam("cid")


def _visits_in_reach(owners: bool, contacts_of: bool) -> list[ColumnElement[bool]]:
    if not owners:
        return []
    mine = any_of(VISITS.c.user_id, "owners")
    if contacts_of:
        theirs = sa.select(CONTACTS.c.id).where(
            CONTACTS.c.company_id == CID, CONTACTS.c.owner_id == sa.bindparam("contacts_of")
        )
        # As an array: the rep's visits and their contacts' visits by two index scans,
        # not a walk of every visit of the company by id (issue 15's EXPLAIN test).
        mine = sa.or_(mine, in_rows_of(VISITS.c.contact_id, theirs.scalar_subquery()))
    return [mine]


def _reach(kind: str, flags: tuple[bool, bool, bool, bool]) -> list[ColumnElement[bool]]:
    """The reach filters of ``kind``; ``flags`` say which parts of the ``Reach`` are set
    (contact owners, work owners, contacts_of, users), so each shape is one statement."""
    contact_owners, owners, contacts_of, users = flags
    table = TABLES[kind]
    if kind == "users":
        return [any_of(table.c.id, "users")] if users else []
    if kind == "contacts":
        return [any_of(table.c.owner_id, "contact_owners")] if contact_owners else []
    if kind == "visits":
        return _visits_in_reach(owners, contacts_of)
    if kind == "photos":
        if not owners:
            return []
        visits = sa.select(VISITS.c.id).where(
            VISITS.c.company_id == CID, *_visits_in_reach(owners, contacts_of)
        )
        return [table.c.visit_id.in_(visits.scalar_subquery())]
    if kind in USER_KINDS:
        return [any_of(table.c.user_id, "owners")] if owners else []
    # products: every replica has the catalogue (a rep its active part); territories:
    # every replica has the whole tree.
    return []


def _flags(reach: Reach) -> tuple[bool, bool, bool, bool]:
    return (
        reach.contact_owners is not None,
        reach.work_owners is not None,
        reach.contacts_of is not None,
        reach.users is not None,
    )


def _params(reach: Reach) -> dict[str, Any]:
    return {
        "contact_owners": list(reach.contact_owners or ()),
        "owners": list(reach.work_owners or ()),
        "contacts_of": reach.contacts_of,
        "users": list(reach.users or ()),
    }


def _live(table: sa.Table) -> list[ColumnElement[bool]]:
    return [table.c.deleted_at.is_(None)] if "deleted_at" in table.c else []


@cache
def _changed(kind: str, flags: tuple[bool, bool, bool, bool], keyed: bool) -> Any:
    table = TABLES[kind]
    statement = sa.select(table).where(
        table.c.company_id == CID,
        table.c.version > sa.bindparam("after"),
        table.c.version <= sa.bindparam("until"),
        *_reach(kind, flags),
    )
    if keyed:
        kv: Any = sa.bindparam("key_version")
        kid: Any = sa.bindparam("key_id")
        statement = statement.where(
            sa.or_(table.c.version > kv, sa.and_(table.c.version == kv, table.c.id > kid))
        )
    return statement.order_by(table.c.version, table.c.id).limit(limit_param())


@cache
def _snapshot(kind: str, flags: tuple[bool, bool, bool, bool], active: bool, after: bool) -> Any:
    table = TABLES[kind]
    statement = sa.select(table).where(
        table.c.company_id == CID,
        table.c.version <= sa.bindparam("until"),
        *_live(table),
        *_reach(kind, flags),
    )
    if active and kind == "products":
        statement = statement.where(table.c.active.is_(True))
    if after:
        statement = statement.where(table.c.id > sa.bindparam("after"))
    return statement.order_by(table.c.id).limit(limit_param())


@cache
def _belonging(kind: str, flags: tuple[bool, bool, bool, bool], after: bool) -> Any:
    table = TABLES[kind]
    if kind == "users":
        owned: ColumnElement[bool] = any_of(table.c.id, "belong_users")
    elif kind == "visits":
        owned = sa.or_(
            any_of(table.c.contact_id, "belong_contacts"), any_of(table.c.user_id, "belong_users")
        )
    elif kind == "photos":
        visits = sa.select(VISITS.c.id).where(
            VISITS.c.company_id == CID,
            sa.or_(
                any_of(VISITS.c.contact_id, "belong_contacts"),
                any_of(VISITS.c.user_id, "belong_users"),
            ),
        )
        owned = table.c.visit_id.in_(visits.scalar_subquery())
    else:  # orders, payments, attendance, expenses, targets, beats, plans, routes
        owned = any_of(table.c.user_id, "belong_users")
    statement = sa.select(table).where(
        table.c.company_id == CID,
        owned,
        sa.not_(
            sa.and_(
                table.c.version > sa.bindparam("skip_after"),
                table.c.version <= sa.bindparam("skip_until"),
            )
        ),
        *_live(table),
        *_reach(kind, flags),
    )
    if after:
        statement = statement.where(table.c.id > sa.bindparam("after"))
    return statement.order_by(table.c.id).limit(limit_param())


_RESULT = sa.select(RESULTS.c.result, RESULTS.c.version).where(
    RESULTS.c.company_id == CID,
    RESULTS.c.client_id == sa.bindparam("client"),
    RESULTS.c.mutation_id == sa.bindparam("mutation"),
)
_SCOPES = (
    sa.select(SCOPES)
    .where(
        SCOPES.c.company_id == CID,
        SCOPES.c.version > sa.bindparam("after"),
        SCOPES.c.version <= sa.bindparam("until"),
        sa.or_(
            SCOPES.c.lost_by == sa.bindparam("user"), SCOPES.c.gained_by == sa.bindparam("user")
        ),
    )
    .order_by(SCOPES.c.version, SCOPES.c.id)
)


@cache
def _versions(kind: str) -> Any:
    table = TABLES[kind]
    return sa.select(table.c.field_versions, table.c.version).where(
        table.c.company_id == CID, table.c.id == sa.bindparam("id")
    )


@cache
def _sweep(table: sa.Table) -> Any:
    return sa.delete(table).where(table.c.created_at < sa.bindparam("before"))


class SqlSyncRepository(Repository[SyncClient]):
    table, model, soft_delete = CLIENTS, SyncClient, False

    async def client(self, client_id: UUID, *, lock: bool = False) -> SyncClient | None:
        statement = get_statement(CLIENTS, tenant=self._tenant, live_only=False, lock=lock)
        return await self._one(statement, id=client_id)

    async def add_client(self, client: SyncClient) -> None:
        self._add(client)

    async def save_client(self, client: SyncClient) -> None:
        self._save(client)

    async def result(self, client_id: UUID, mutation_id: int) -> dict[str, Any] | None:
        rows = await self._rows(_RESULT, client=client_id, mutation=mutation_id)
        if not rows:
            return None
        result = dict(rows[0]["result"])
        if result.get("version") == 0:
            result["version"] = int(rows[0]["version"])
        return result

    async def add_result(
        self, client_id: UUID, mutation_id: int, result: dict[str, Any], at: datetime
    ) -> None:
        from uuid_utils import uuid7

        values = {
            "id": UUID(bytes=uuid7().bytes),
            "company_id": self._scope.company_id,
            "client_id": client_id,
            "mutation_id": mutation_id,
            "result": result,
            "created_at": at,
        }
        self._txn.insert(RESULTS, values, None)

    async def log_scope(self, change: ScopeChange) -> None:
        self._check_owned(change.company_id)
        self._txn.insert(SCOPES, change.values(), change)
        change.mark_clean()

    async def scope_changes(
        self, user_id: UUID, *, after: int, until: int
    ) -> Sequence[ScopeChange]:
        rows = await self._rows(_SCOPES, after=after, until=until, user=user_id)
        return [ScopeChange.load(row) for row in rows]

    async def field_versions(self, kind: str, row_id: UUID) -> dict[str, int]:
        rows = await self._rows(_versions(kind), id=row_id)
        if not rows:
            return {}
        return resolved(rows[0]["field_versions"] or {}, int(rows[0]["version"]))

    async def changed(
        self,
        kind: str,
        reach: Reach,
        *,
        after: int,
        until: int,
        key: tuple[int, UUID] | None,
        limit: int,
    ) -> Sequence[Record]:
        statement = _changed(kind, _flags(reach), key is not None)
        keys = {"key_version": key[0], "key_id": key[1]} if key else {}
        return await self._rows(
            statement, after=after, until=until, limit=limit, **keys, **_params(reach)
        )

    async def snapshot(
        self, kind: str, reach: Reach, *, until: int, after: UUID | None, limit: int
    ) -> Sequence[Record]:
        statement = _snapshot(kind, _flags(reach), reach.active_products, after is not None)
        return await self._rows(statement, until=until, after=after, limit=limit, **_params(reach))

    async def belonging(
        self,
        kind: str,
        reach: Reach,
        *,
        contacts: Collection[UUID] = (),
        users: Collection[UUID] = (),
        skip: tuple[int, int],
        after: UUID | None,
        limit: int,
    ) -> Sequence[Record]:
        if kind in ("contacts", "products", "territories", *EVERYONES) or (
            kind == "users" and not users
        ):
            return []
        statement = _belonging(kind, _flags(reach), after is not None)
        return await self._rows(
            statement,
            belong_contacts=list(contacts),
            belong_users=list(users),
            skip_after=skip[0],
            skip_until=skip[1],
            after=after,
            limit=limit,
            **_params(reach),
        )

    async def sweep(self, before: datetime) -> int:
        results = await self._run(_sweep(RESULTS), before=before)
        return results + await self._run(_sweep(SCOPES), before=before)
