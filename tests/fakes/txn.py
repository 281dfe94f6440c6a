"""One memory transaction: its own view of the rows, its queued writes, what commit stamps.

Reads see what is committed now with this transaction's own changes laid over it (read
committed, as on Postgres); nothing it writes is seen by another transaction before
``commit`` publishes it. Writes behave as the SQL adapter's ``Txn``: ``add``/``save``
queue an insert or an update of the changed fields, and every read sends what is queued
first (``flush``), so a unit of work reads what it wrote and a unique clash surfaces as
``Conflict`` at that read or at commit. An update of a committed row locks it until the
transaction ends and merges its fields into the row's latest committed state, so two
transactions changing different fields of one row both keep their change.

``finish`` is the SQL adapter's stamping step: on a tenant that wrote versioned rows it
takes the tenant's counter under the company row's lock (held until the transaction
ends, so commit order is version order), stamps every such row and entity with the one
new value, numbers new orders in the order they were added, and writes the queued audit
entries (unlinked). Outbox events are plain queued inserts (written before the next read,
as the port says).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fieldedge.domain.audit import AuditEntry
from fieldedge.domain.base import Entity
from fieldedge.domain.orders import order_number
from fieldedge.domain.sync import next_field_versions, tracked
from fieldedge.errors import Conflict, DependencyUnavailable, NotFound
from fieldedge.ports.database import Scope

from .doubles import Switch
from .store import (
    AUDIT,
    COMPANIES,
    DUPLICATE,
    ORDERS,
    VERSIONED,
    LockKey,
    Row,
    Store,
    clone,
    duplicate,
    tenant_of,
)

# What the SQL adapter writes of an audit entry and an outbox event (the rest is NULL).
AUDIT_COLUMNS = ("id", "company_id", "at", "actor_id", "action", "entity", "entity_id",
                 "detail", "ip")  # fmt: skip
OUTBOX_COLUMNS = ("id", "company_id", "kind", "payload", "status", "attempts",
                  "next_attempt_at", "created_at")  # fmt: skip


@dataclass(slots=True)
class Write:
    table: str
    values: Row  # insert: every column; update: the changed ones
    entity: Entity | None
    update_id: UUID | None = None  # None: an insert


def written(entity: Entity, columns: tuple[str, ...]) -> Row:
    """What the SQL adapter writes of an audit entry or an outbox event."""
    values = entity.values()
    return {name: (values[name] if name in columns else None) for name in values}


class MemoryTxn:
    def __init__(self, store: Store, scope: Scope, switch: Switch) -> None:
        self.store = store
        self.scope = scope
        self._switch = switch
        self._own: dict[str, dict[UUID, Row | None]] = {}  # None: deleted
        self._inserted: set[tuple[str, UUID]] = set()
        self._held: set[LockKey] = set()
        self._queued: list[Write] = []
        self._stamped: dict[tuple[str, UUID], Entity | None] = {}
        self._unnumbered: list[tuple[UUID, Entity | None]] = []
        self.audit: list[AuditEntry] = []
        # Field versions this transaction wrote, by (table, id) (see ``next_versions``).
        self.field_versions: dict[tuple[str, UUID], dict[str, int]] = {}
        self.writes = 0  # every write counts: a joined unit of work that wrote must commit
        self.poisoned = False
        self.ended = False

    # --- reading ----------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.ended:
            raise RuntimeError("this transaction has ended")
        self._switch.check()

    def visible(self, table: str, row: Row) -> bool:
        """Row-level security: a tenant sees its own rows only; system scope sees all."""
        return self.scope.company_id is None or tenant_of(table, row) == self.scope.company_id

    def current(self, table: str, row_id: UUID) -> Row | None:
        """The row as this transaction sees it, whatever its tenant (no flush)."""
        own = self._own.get(table)
        if own is not None and row_id in own:
            return own[row_id]
        return self.store.table(table).get(row_id)

    def every(self, table: str) -> Iterator[Row]:
        """Every row this transaction sees, whatever its tenant (no flush)."""
        own = self._own.get(table, {})
        for row_id, row in self.store.table(table).items():
            if row_id not in own:
                yield row
        for own_row in own.values():
            if own_row is not None:
                yield own_row

    async def rows(self, table: str) -> list[Row]:
        """The scope's rows of ``table`` (stored dicts: copy before handing out)."""
        await self.flush()
        return [row for row in self.every(table) if self.visible(table, row)]

    async def row(self, table: str, row_id: UUID) -> Row | None:
        await self.flush()
        row = self.current(table, row_id)
        return row if row is not None and self.visible(table, row) else None

    # --- locks ------------------------------------------------------------------------

    async def lock(self, key: LockKey) -> None:
        """Hold ``key`` until this transaction ends (waiting at most the lock bound)."""
        self._check_open()
        try:
            async with asyncio.timeout(self.store.lock_timeout_s):
                await self.store.locks.acquire(key, self)
        except TimeoutError:
            raise DependencyUnavailable("database", "A lock wait ran out.") from None
        self._held.add(key)

    def try_lock(self, key: LockKey) -> bool:
        if self.store.locks.try_acquire(key, self):
            self._held.add(key)
            return True
        return False

    def unlock(self, key: LockKey) -> None:
        self._held.discard(key)
        self.store.locks.release([key], self)

    # --- writing ----------------------------------------------------------------------

    def insert(self, table: str, values: Mapping[str, Any], entity: Entity | None) -> None:
        self._check_open()
        self.writes += 1
        self._queued.append(Write(table, clone(values), entity))

    def update(
        self, table: str, row_id: UUID, values: Mapping[str, Any], entity: Entity | None
    ) -> None:
        self._check_open()
        if values:
            self.writes += 1
            self._queued.append(Write(table, clone(values), entity, update_id=row_id))

    def put(self, table: str, row: Row, *, insert: bool = False) -> None:
        """Write ``row`` into this transaction's view now, unless it breaks a unique key."""
        row_id: UUID = row["id"]
        own = self._own.setdefault(table, {})
        if insert and self.current(table, row_id) is not None:
            raise Conflict(DUPLICATE)
        had, before = row_id in own, own.get(row_id)
        own[row_id] = row
        if duplicate(table, self.every(table), [row_id]):
            if had:
                own[row_id] = before
            else:
                del own[row_id]
            raise Conflict(DUPLICATE)
        self.writes += 1
        if insert:
            self._inserted.add((table, row_id))

    async def remove(self, table: str, row_id: UUID) -> bool:
        """Lock a visible row and delete it (a ``DELETE``); False when it was gone."""
        if await self.change(table, row_id, {}) is None:
            return False
        self._own[table][row_id] = None
        return True

    async def change(self, table: str, row_id: UUID, values: Mapping[str, Any]) -> Row | None:
        """Lock a visible row and set ``values`` on its latest state (an ``UPDATE``)."""
        row = self.current(table, row_id)
        if row is None or not self.visible(table, row):
            return None
        await self.lock((table, row_id))
        row = self.current(table, row_id)
        if row is None:
            return None
        changed = {**row, **clone(values)}
        self.put(table, changed)
        return changed

    async def flush(self) -> None:
        """Send every queued write now (versions and numbers come at ``finish``)."""
        self._check_open()
        queued, self._queued = self._queued, []
        for write in queued:
            if write.update_id is None:
                row_id: UUID = write.values["id"]
                self.put(write.table, dict(write.values), insert=True)
                if write.table == ORDERS:
                    self._unnumbered.append((row_id, write.entity))
            else:
                row_id = write.update_id
                await self.change(write.table, row_id, write.values)
            if write.table in VERSIONED:
                self._stamped[(write.table, row_id)] = write.entity

    def next_versions(self, table: str, row_id: UUID, changes: Mapping[str, Any]) -> Row:
        """A row's field versions after ``changes``: the stored ones resolved to the row's
        version, unless this transaction wrote the row already (its 0 markers are its own:
        they become its version at commit)."""
        key = (table, row_id)
        names = tracked(changes)
        if key in self.field_versions:
            after = {**self.field_versions[key], **dict.fromkeys(names, 0)}
        else:
            row = self.current(table, row_id) or {}
            stored = row.get("field_versions") or {}
            after = next_field_versions(stored, int(row.get("version", 0)), names)
        self.field_versions[key] = after
        return after

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A nested section: on an error its writes and what it queued for the commit
        are undone, and the error goes on (the rest of the transaction stays)."""
        await self.flush()
        before = (
            {table: dict(rows) for table, rows in self._own.items()},
            set(self._inserted),
            dict(self._stamped),
            list(self._unnumbered),
            list(self.audit),
            dict(self.field_versions),
        )
        try:
            yield
            await self.flush()  # a clash of this section's writes is this section's error
        except BaseException:
            own, inserted, stamped, unnumbered, audit, versions = before
            self._own, self._inserted, self._queued = own, inserted, []
            self._stamped, self._unnumbered, self.audit = stamped, unnumbered, audit
            self.field_versions = versions
            raise

    # --- the end ----------------------------------------------------------------------

    async def finish(self) -> None:
        """Write what is pending and stamp it: a unit of work's ``commit``."""
        await self.flush()
        company_id = self.scope.company_id
        if company_id is not None and self._stamped:
            await self._stamp(company_id)
        for entry in self.audit:
            self.put(AUDIT, clone(written(entry, AUDIT_COLUMNS)), insert=True)
        self._stamped, self._unnumbered, self.audit = {}, [], []
        self.field_versions = {}  # stamped: their markers now mean that version

    async def _stamp(self, company_id: UUID) -> None:
        company = await self.change(COMPANIES, company_id, {})
        if company is None:
            raise NotFound("Company not found.")
        version = int(company["change_counter"]) + 1
        first = int(company["order_seq"]) + 1
        self.put(
            COMPANIES,
            {**company, "change_counter": version, "order_seq": first - 1 + len(self._unnumbered)},
        )
        for (table, row_id), entity in self._stamped.items():
            row = self._own.get(table, {}).get(row_id)
            if row is not None:
                row["version"] = version
            if entity is not None:
                entity.set_stored({"version": version})
        for k, (row_id, entity) in enumerate(self._unnumbered):
            number = order_number(first + k)
            row = self._own.get(ORDERS, {}).get(row_id)
            if row is not None:
                row["number"] = number
            if entity is not None:
                entity.set_stored({"number": number})

    async def commit(self) -> None:
        if self.ended:
            return  # committing twice does nothing, as on SQL
        if self.poisoned:
            raise RuntimeError("a unit of work joined to this transaction left unfinished")
        await self.finish()
        self._publish()
        self.end()

    def _publish(self) -> None:
        for table, own in self._own.items():
            rows = self.store.table(table)
            clash = any(
                (table, row_id) in self._inserted and row_id in rows
                for row_id, row in own.items()
                if row is not None
            )
            if clash or duplicate(table, self.every(table), own):
                raise Conflict(DUPLICATE)
        for table, own in self._own.items():
            rows = self.store.table(table)
            for row_id, row in own.items():
                if row is None:
                    rows.pop(row_id, None)
                else:
                    rows[row_id] = row

    def end(self) -> None:
        """Roll back what was not published and let every lock go."""
        self.ended = True
        self._own, self._inserted, self._queued = {}, set(), []
        self._stamped, self._unnumbered, self.audit = {}, [], []
        self.field_versions = {}
        held, self._held = self._held, set()
        self.store.locks.release(held, self)
