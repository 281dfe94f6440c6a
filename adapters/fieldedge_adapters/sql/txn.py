"""One transaction's state: its connection, the writes not sent yet, what commit stamps.

Repositories queue their writes here (``insert``/``update``); every read sends what is
queued first (``rows``/``run`` flush), so a use case reads what it wrote. Rows of a
versioned table (one with a ``version`` column) that reached the database before the
end wait for their version in ``stamped``; new orders wait for their number.

``finish`` is the end of a unit of work: it writes what is still queued, plus the audit
entries and outbox events, and on a tenant that wrote versioned rows it advances the
tenant's change counter (and order sequence) in the same step, stamping every row. On
Postgres that step is one statement (``stamp.py``); the counter's row lock is taken
there and held only until the commit that follows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.audit import AuditEntry
from fieldedge.domain.base import Entity
from fieldedge.domain.outbox import OutboxEvent
from fieldedge.ports.database import Scope
from fieldedge_adapters.sql.conn import Params, Tx


@cache
def insert_statement(table: sa.Table, columns: tuple[str, ...]) -> Any:
    # ``v_`` names: SQLAlchemy reserves a column's own name for its VALUES parameter.
    return sa.insert(table).values(
        {name: sa.bindparam(f"v_{name}", type_=table.c[name].type) for name in columns}
    )


@cache
def update_statement(table: sa.Table, columns: tuple[str, ...], tenant: bool) -> Any:
    statement = sa.update(table).where(table.c.id == sa.bindparam("w_id"))
    if tenant:
        statement = statement.where(table.c.company_id == sa.bindparam("cid"))
    return statement.values(
        {name: sa.bindparam(f"v_{name}", type_=table.c[name].type) for name in columns}
    )


@dataclass(slots=True)
class Write:
    table: sa.Table
    values: dict[str, Any]  # insert: every column given; update: the changed ones
    entity: Entity | None = None  # gets ``version`` (and an order its ``number``) at the end
    update_id: UUID | None = None  # None: an insert

    @property
    def versioned(self) -> bool:
        return "version" in self.table.c

    @property
    def new_order(self) -> bool:
        return self.update_id is None and self.table.name == "orders"


@dataclass
class Txn:
    tx: Tx
    scope: Scope
    queued: list[Write] = field(default_factory=list)
    # Versioned rows already written, waiting for the version (table -> id -> entity).
    stamped: dict[str, dict[UUID, Entity | None]] = field(default_factory=dict)
    # New orders already written, waiting for their number, in the order they were added.
    unnumbered: list[tuple[UUID, Entity | None]] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    outbox: list[OutboxEvent] = field(default_factory=list)
    wrote_audit: bool = False
    writes: int = 0  # statements sent that change rows (a joined unit of work checks it)
    locked: set[tuple[str, UUID]] = field(default_factory=set)  # rows read FOR UPDATE
    # Per-field versions and version of rows read (contacts, visits, orders), for saves,
    # and whether this transaction wrote them (then its 0 markers are its own version).
    known: dict[tuple[str, UUID], tuple[dict[str, int], int, bool]] = field(default_factory=dict)
    savepoints: int = 0
    poisoned: bool = False  # a joined unit of work left without commit after writing

    @property
    def dialect(self) -> str:
        return self.tx.dialect

    @property
    def pending(self) -> bool:
        return bool(self.queued or self.stamped or self.unnumbered or self.audit or self.outbox)

    def insert(self, table: sa.Table, values: dict[str, Any], entity: Entity | None) -> None:
        self.queued.append(Write(table, values, entity))

    def update(
        self, table: sa.Table, row_id: UUID, values: dict[str, Any], entity: Entity | None
    ) -> None:
        if values:
            self.queued.append(Write(table, values, entity, update_id=row_id))

    def _deferrable(self, write: Write) -> bool:
        if not write.versioned:
            return False
        return write.update_id is None or (write.table.name, write.update_id) in self.locked

    async def flush(self) -> None:
        """Send every queued write now (versions and numbers still to come)."""
        queued, self.queued = self.queued, []
        for write in queued:
            await self.send(write)

    async def send(self, write: Write) -> None:
        table, values = write.table, dict(write.values)
        if write.update_id is None:
            if write.versioned:
                values.setdefault("version", 0)
            statement = insert_statement(table, tuple(values))
            row_id = values["id"]
            params = {f"v_{name}": value for name, value in values.items()}
        else:
            row_id = write.update_id
            tenant = "company_id" in table.c and self.scope.company_id is not None
            statement = update_statement(table, tuple(values), tenant)
            params = {f"v_{name}": value for name, value in values.items()}
            params["w_id"] = row_id
            if tenant:
                params["cid"] = self.scope.company_id
        await self.tx.run(statement, params)
        self.writes += 1
        if write.versioned:
            self.stamped.setdefault(table.name, {})[row_id] = write.entity
        if write.new_order:
            self.unnumbered.append((row_id, write.entity))

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A nested section: on an error its writes, and what it queued for the commit's
        stamping step, are undone; the rest of the transaction goes on."""
        await self.flush()
        self.savepoints += 1
        name = f"fe_sp_{self.savepoints}"
        before = (
            {table: dict(rows) for table, rows in self.stamped.items()},
            list(self.unnumbered),
            len(self.audit),
            len(self.outbox),
            set(self.locked),
            dict(self.known),
        )
        await self.tx.savepoint(name)
        try:
            yield
            await self.flush()  # a clash of this section's writes is this section's error
        except BaseException:
            await self.tx.rollback_to(name)
            await self.tx.release(name)
            stamped, unnumbered, audit, outbox, locked, known = before
            self.queued, self.stamped, self.unnumbered = [], stamped, unnumbered
            del self.audit[audit:], self.outbox[outbox:]
            self.locked, self.known = locked, known
            raise
        await self.tx.release(name)

    async def rows(self, stmt: Any, params: Params | None = None) -> list[dict[str, Any]]:
        await self.flush()
        if getattr(stmt, "is_dml", False):  # an UPDATE … RETURNING changes rows too
            self.writes += 1
        return await self.tx.rows(stmt, params)

    async def run(self, stmt: Any, params: Params | None = None) -> int:
        await self.flush()
        self.writes += 1
        return await self.tx.run(stmt, params)

    async def finish(self) -> None:
        if not self.pending:
            return
        # The versioned writes at the end of the queue go into the stamping step; all
        # before them are sent first, in order (a new company before its counter moves,
        # a user before the refresh token that refers to it). An update goes into it
        # only if this transaction already holds the row: otherwise it might wait on a
        # row another writer holds, while holding the tenant's counter that writer
        # will want next (a deadlock).
        cut = len(self.queued)
        while cut and self._deferrable(self.queued[cut - 1]):
            cut -= 1
        head, self.queued = self.queued[:cut], self.queued[cut:]
        for write in head:
            await self.send(write)
        if self.dialect == "postgresql":
            from fieldedge_adapters.sql import pg_stamp

            await pg_stamp.postgres(self)
        else:
            from fieldedge_adapters.sql import stamp

            await stamp.sqlite(self)
        self.wrote_audit = self.wrote_audit or bool(self.audit)
        self.queued, self.stamped, self.unnumbered = [], {}, []
        self.audit, self.outbox = [], []
