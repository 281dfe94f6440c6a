"""Sync's records and a pull's reads in memory: the same filters as ``sql/sync.py``."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from fieldedge.domain.sync import ScopeChange, SyncClient, resolved
from fieldedge.ports.database import EVERYONES, USER_KINDS, Reach
from fieldedge.ports.records import Record

from .repo import MemoryRepository, one_of
from .store import (
    ATTENDANCE,
    BEATS,
    CONTACTS,
    EQUIPMENT,
    EQUIPMENT_TYPES,
    EXPENSES,
    ORDERS,
    PAYMENTS,
    PHOTOS,
    PLANS,
    PRODUCTS,
    ROUTE_DAYS,
    SCHEDULES,
    SCOPE_LOG,
    SITES,
    SYNC_CLIENTS,
    SYNC_RESULTS,
    TARGETS,
    TEMPLATES,
    TERRITORIES,
    USERS,
    VISITS,
    WORK_ORDERS,
    Row,
    clone,
)

TABLES = {"users": USERS, "contacts": CONTACTS, "visits": VISITS, "photos": PHOTOS,
          "products": PRODUCTS, "orders": ORDERS, "payments": PAYMENTS,
          "attendance": ATTENDANCE, "expenses": EXPENSES,
          "territories": TERRITORIES, "targets": TARGETS, "beats": BEATS,
          "plans": PLANS, "routes": ROUTE_DAYS, "sites": SITES,
          "equipment_types": EQUIPMENT_TYPES, "equipment": EQUIPMENT,
          "checklist_templates": TEMPLATES, "work_orders": WORK_ORDERS,
          "maintenance_schedules": SCHEDULES}  # fmt: skip
Test = Callable[[Row], bool]


class MemorySyncRepository(MemoryRepository[SyncClient]):
    table, model, soft_delete = SYNC_CLIENTS, SyncClient, False

    async def client(self, client_id: UUID, *, lock: bool = False) -> SyncClient | None:
        return await self._get(client_id, lock=lock)

    async def add_client(self, client: SyncClient) -> None:
        self._add(client)

    async def save_client(self, client: SyncClient) -> None:
        self._save(client)

    async def result(self, client_id: UUID, mutation_id: int) -> dict[str, Any] | None:
        for row in await self._txn.rows(SYNC_RESULTS):
            if row["client_id"] == client_id and row["mutation_id"] == mutation_id:
                result = clone(row["result"])
                if result.get("version") == 0:
                    result["version"] = row["version"]
                return result
        return None

    async def add_result(
        self, client_id: UUID, mutation_id: int, result: dict[str, Any], at: datetime
    ) -> None:
        from uuid_utils import uuid7

        values = {"id": UUID(bytes=uuid7().bytes), "company_id": self._scope.company_id,
                  "client_id": client_id, "mutation_id": mutation_id, "result": result,
                  "version": 0, "created_at": at}  # fmt: skip
        self._txn.insert(SYNC_RESULTS, values, None)

    async def log_scope(self, change: ScopeChange) -> None:
        self._check_owned(change.company_id)
        self._txn.insert(SCOPE_LOG, change.values(), change)
        change.mark_clean()

    async def scope_changes(
        self, user_id: UUID, *, after: int, until: int
    ) -> Sequence[ScopeChange]:
        rows = [
            row
            for row in await self._txn.rows(SCOPE_LOG)
            if after < row["version"] <= until and user_id in (row["lost_by"], row["gained_by"])
        ]
        rows.sort(key=lambda row: (row["version"], row["id"]))
        return [ScopeChange.load(clone(row)) for row in rows]

    async def field_versions(self, kind: str, row_id: UUID) -> dict[str, int]:
        row = await self._txn.row(TABLES[kind], row_id)
        if row is None:
            return {}
        return resolved(row.get("field_versions") or {}, int(row["version"]))

    async def _in_reach(self, kind: str, reach: Reach) -> Test:
        """What ``Reach`` keeps of ``kind`` (see ``sql/sync.py``'s ``_reach``)."""
        if kind == "users":
            return lambda row: one_of(row["id"], reach.users)
        if kind == "contacts":
            return lambda row: one_of(row["owner_id"], reach.contact_owners)
        if kind in ("visits", "photos"):
            theirs: set[UUID] = set()
            if reach.contacts_of is not None:
                theirs = {
                    c["id"]
                    for c in await self._txn.rows(CONTACTS)
                    if c["owner_id"] == reach.contacts_of
                }

            def visit_in(row: Row) -> bool:
                owners = reach.work_owners
                return owners is None or row["user_id"] in owners or row["contact_id"] in theirs

            if kind == "visits":
                return visit_in
            visits = {v["id"] for v in await self._txn.rows(VISITS) if visit_in(v)}
            return lambda row: row["visit_id"] in visits
        if kind in USER_KINDS:
            return lambda row: one_of(row["user_id"], reach.work_owners)
        return lambda row: True

    async def _select(self, kind: str, *tests: Test) -> list[Row]:
        return [row for row in await self._txn.rows(TABLES[kind]) if all(t(row) for t in tests)]

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
        rows = await self._select(
            kind,
            lambda row: after < row["version"] <= until,
            lambda row: key is None or (row["version"], row["id"]) > key,
            await self._in_reach(kind, reach),
        )
        rows.sort(key=lambda row: (row["version"], row["id"]))
        return [clone(row) for row in rows[:limit]]

    async def snapshot(
        self, kind: str, reach: Reach, *, until: int, after: UUID | None, limit: int
    ) -> Sequence[Record]:
        rows = await self._select(
            kind,
            lambda row: row["version"] <= until and row.get("deleted_at") is None,
            lambda row: not (kind == "products" and reach.active_products and not row["active"]),
            lambda row: after is None or row["id"] > after,
            await self._in_reach(kind, reach),
        )
        rows.sort(key=lambda row: row["id"])
        return [clone(row) for row in rows[:limit]]

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
        at, by = set(contacts), set(users)
        if kind == "users":
            owned: Test = lambda row: row["id"] in by  # noqa: E731
        elif kind in ("visits", "photos"):
            visits = {
                v["id"]
                for v in await self._txn.rows(VISITS)
                if v["contact_id"] in at or v["user_id"] in by
            }
            owned = (lambda row: row["id"] in visits) if kind == "visits" else (
                lambda row: row["visit_id"] in visits)  # fmt: skip
        else:
            owned = lambda row: row["user_id"] in by  # noqa: E731
        rows = await self._select(
            kind,
            owned,
            lambda row: not skip[0] < row["version"] <= skip[1],
            lambda row: row.get("deleted_at") is None,
            lambda row: after is None or row["id"] > after,
            await self._in_reach(kind, reach),
        )
        rows.sort(key=lambda row: row["id"])
        return [clone(row) for row in rows[:limit]]

    async def sweep(self, before: datetime) -> int:
        count = 0
        for table in (SYNC_RESULTS, SCOPE_LOG):
            for row in list(await self._txn.rows(table)):
                if row["created_at"] < before:
                    count += await self._txn.remove(table, row["id"])
        return count
