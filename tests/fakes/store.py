"""The memory database's committed rows, its locks and the schema's unique constraints.

Rows are plain dicts keyed by column (= entity field) name, as the SQL adapter's tables
hold them: datetimes in UTC, JSON columns as fresh lists and dicts (``clone``), so a
caller mutating what it read never changes what is stored. ``companies`` rows also carry
the adapter-only ``change_counter`` and ``order_seq``, as the SQL table does.

``Locks`` are the row locks (``SELECT … FOR UPDATE``, the row an ``UPDATE`` touches) and
the advisory locks (an audit chain, an idempotency key) a transaction holds until it
ends; a waiter gives up after the lock wait bound, as Postgres' ``lock_timeout`` does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

Row = dict[str, Any]
LockKey = Hashable

COMPANIES = "companies"
USERS = "users"
REFRESH_TOKENS = "refresh_tokens"
RESET_TOKENS = "password_reset_tokens"
AUDIT = "audit_log"
OUTBOX = "outbox"
IDEMPOTENCY = "idempotency_keys"
CONTACTS = "contacts"
VISITS = "visits"
PHOTOS = "visit_photos"
PRODUCTS = "products"
ORDERS = "orders"
PAYMENTS = "payments"
SYNC_CLIENTS = "sync_clients"
SYNC_RESULTS = "sync_results"
SCOPE_LOG = "sync_scope_log"
ATTENDANCE = "attendance_days"
EXPENSES = "expense_claims"
TERRITORIES = "territories"
TARGETS = "targets"
BEATS = "beats"
PLANS = "plans"
ROUTE_DAYS = "route_days"
SITES = "sites"
EQUIPMENT_TYPES = "equipment_types"
EQUIPMENT = "equipment"
TEMPLATES = "checklist_templates"
WORK_ORDERS = "work_orders"
SCHEDULES = "maintenance_schedules"
API_KEYS = "api_keys"
WEBHOOK_ENDPOINTS = "webhook_endpoints"
WEBHOOK_DELIVERIES = "webhook_deliveries"
IMPORTS = "imports"

# Tables with a ``version`` column: their rows are stamped at commit.
VERSIONED = frozenset(
    {USERS, CONTACTS, VISITS, PHOTOS, PRODUCTS, ORDERS, PAYMENTS, SYNC_RESULTS, SCOPE_LOG,
     ATTENDANCE, EXPENSES, TERRITORIES, TARGETS, BEATS, PLANS, ROUTE_DAYS,
     SITES, EQUIPMENT_TYPES, EQUIPMENT, TEMPLATES, WORK_ORDERS, SCHEDULES}
)  # fmt: skip
# Rows that keep each field's last-change version for sync (``field_versions``).
FIELD_VERSIONED = frozenset(
    {CONTACTS, VISITS, ORDERS, ATTENDANCE, EXPENSES, TERRITORIES, TARGETS, BEATS, PLANS,
     ROUTE_DAYS, SITES, EQUIPMENT_TYPES, EQUIPMENT, TEMPLATES, WORK_ORDERS, SCHEDULES}
)  # fmt: skip
DUPLICATE = "A record with these values already exists."


@dataclass(frozen=True, slots=True)
class Unique:
    """A unique index: ``columns`` over the rows ``where`` accepts (all when None)."""

    columns: tuple[str, ...]
    where: Callable[[Row], bool] | None = None

    def key(self, row: Row) -> tuple[Any, ...] | None:
        if self.where is not None and not self.where(row):
            return None
        return tuple(row[name] for name in self.columns)


# The schema's unique constraints besides every table's primary key ``id``.
UNIQUE: dict[str, tuple[Unique, ...]] = {
    USERS: (Unique(("email",)),),
    REFRESH_TOKENS: (Unique(("token_hash",)),),
    RESET_TOKENS: (Unique(("token_hash",)),),
    PHOTOS: (Unique(("company_id", "key")),),
    # Partial: a deleted product's SKU is free again.
    PRODUCTS: (Unique(("company_id", "sku"), lambda row: row["deleted_at"] is None),),
    ORDERS: (Unique(("company_id", "number"), lambda row: row["number"] is not None),),
    # Per tenant, and the platform's chain (company NULL) on its own.
    AUDIT: (Unique(("company_id", "seq"), lambda row: row["seq"] is not None),),
    IDEMPOTENCY: (Unique(("user_id", "key")),),
    SYNC_RESULTS: (Unique(("client_id", "mutation_id")),),
    ATTENDANCE: (Unique(("company_id", "user_id", "day")),),
    TARGETS: (Unique(("company_id", "user_id", "month")),),
    ROUTE_DAYS: (Unique(("company_id", "user_id", "day")),),
    # Partial: a deleted machine's serial is free again.
    EQUIPMENT: (Unique(("company_id", "serial"), lambda row: row["deleted_at"] is None),),
    API_KEYS: (
        Unique(("prefix",)),
        Unique(("previous_prefix",), lambda row: row["previous_prefix"] is not None),
    ),
    # A schedule's occurrence once per machine (NULLs never clash, as in SQL).
    WORK_ORDERS: (
        Unique(
            ("schedule_id", "equipment_id", "occurrence"),
            lambda row: row.get("schedule_id") is not None,
        ),
    ),
}


def tenant_of(table: str, row: Row) -> UUID | None:
    """The tenant a row belongs to (a company is its own tenant)."""
    value: UUID | None = row["id"] if table == COMPANIES else row.get("company_id")
    return value


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy(item) for item in value]
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value


def clone(values: Mapping[str, Any]) -> Row:
    """A row as stored: its own lists and dicts, datetimes in UTC."""
    return {name: _copy(value) for name, value in values.items()}


def duplicate(table: str, rows: Iterable[Row], checked: Iterable[UUID]) -> bool:
    """True when a row of ``checked`` shares a unique key with another row of ``rows``."""
    specs = UNIQUE.get(table, ())
    wanted = set(checked)
    if not specs or not wanted:
        return False
    every = list(rows)
    for spec in specs:
        owners: dict[tuple[Any, ...], set[UUID]] = {}
        for row in every:
            key = spec.key(row)
            if key is not None:
                owners.setdefault(key, set()).add(row["id"])
        if any(len(ids) > 1 and ids & wanted for ids in owners.values()):
            return True
    return False


class Locks:
    """Locks held by a transaction (any object) until it releases them."""

    def __init__(self) -> None:
        self._holders: dict[LockKey, object] = {}
        self._waiters: dict[LockKey, list[asyncio.Future[None]]] = {}

    def holder(self, key: LockKey) -> object | None:
        return self._holders.get(key)

    def try_acquire(self, key: LockKey, owner: object) -> bool:
        """Take ``key`` if it is free (or already ``owner``'s): ``SKIP LOCKED``."""
        holder = self._holders.setdefault(key, owner)
        return holder is owner

    async def acquire(self, key: LockKey, owner: object) -> None:
        """Wait until ``key`` is free, then hold it (the caller bounds the wait)."""
        while not self.try_acquire(key, owner):
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.setdefault(key, []).append(waiter)
            try:
                await waiter
            finally:
                waiting = self._waiters.get(key, [])
                if waiter in waiting:
                    waiting.remove(waiter)

    def release(self, keys: Iterable[LockKey], owner: object) -> None:
        for key in keys:
            if self._holders.get(key) is owner:
                del self._holders[key]
                for waiter in self._waiters.pop(key, []):
                    if not waiter.done():
                        waiter.set_result(None)


@dataclass
class Store:
    """What is committed, shared by every unit of work of one ``MemoryDatabase``."""

    lock_timeout_s: float = 5.0
    tables: dict[str, dict[UUID, Row]] = field(default_factory=dict)
    locks: Locks = field(default_factory=Locks)

    def table(self, name: str) -> dict[UUID, Row]:
        return self.tables.setdefault(name, {})
