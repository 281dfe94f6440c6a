"""The end of a write transaction: one new version for everything it wrote.

On Postgres this is a single statement (``pg_stamp``), so the tenant row's lock (which orders every
version) is taken as late as it can be and held only until the ``COMMIT`` right after:

    WITH c AS (UPDATE companies SET change_counter = change_counter + 1,
                                    order_seq = order_seq + <new orders>
               WHERE id = $1 RETURNING change_counter, order_seq),
         w1 AS (INSERT INTO visits (…, version) VALUES (…, (SELECT change_counter FROM c))),
         s1 AS (UPDATE contacts SET version = (SELECT change_counter FROM c)
                WHERE company_id = $1 AND id = ANY($9)),
         a1 AS (INSERT INTO audit_log (…) SELECT * FROM unnest($10::uuid[], …)),
    SELECT change_counter, order_seq FROM c

Queued writes go in as sub-statements carrying the version; rows written earlier in the
transaction (read back by a later step) are stamped by id; new orders get their numbers
from the sequence in the order they were added. SQLite has one writer at a time, so
there the same steps run one after the other.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.audit import AuditEntry
from fieldedge.domain.base import Entity
from fieldedge.domain.orders import order_number
from fieldedge.domain.outbox import OutboxEvent
from fieldedge.errors import NotFound
from fieldedge_adapters.sql.statements import any_of
from fieldedge_adapters.sql.tables import AuditRow, CompanyRow, OutboxRow
from fieldedge_adapters.sql.txn import Txn, Write

COMPANIES: sa.Table = CompanyRow.__table__  # type: ignore[attr-defined]
AUDIT: sa.Table = AuditRow.__table__  # type: ignore[attr-defined]
OUTBOX: sa.Table = OutboxRow.__table__  # type: ignore[attr-defined]
AUDIT_COLUMNS = ("id", "company_id", "at", "actor_id", "action", "entity", "entity_id",
                 "detail", "ip")  # fmt: skip
OUTBOX_COLUMNS = ("id", "company_id", "kind", "payload", "status", "attempts",
                  "next_attempt_at", "created_at")  # fmt: skip


def audit_values(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in AUDIT_COLUMNS}


def outbox_values(event: OutboxEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in OUTBOX_COLUMNS}


def stamped(entity: Entity | None, **values: Any) -> None:
    if entity is not None:
        entity.set_stored(values)


def new_orders(txn: Txn) -> list[tuple[UUID | None, Entity | None, Write | None]]:
    """Orders to number, in the order they were added: written ones, then queued ones."""
    written: list[tuple[UUID | None, Entity | None, Write | None]] = [
        (row_id, entity, None) for row_id, entity in txn.unnumbered
    ]
    return written + [(None, w.entity, w) for w in txn.queued if w.new_order]


def stamping(txn: Txn) -> bool:
    return txn.scope.company_id is not None and bool(txn.queued or txn.stamped)


# --- SQLite: the steps one by one (the unit of work holds the database's write lock) ---


async def sqlite(txn: Txn) -> None:
    version: int | None = None
    numbers: dict[int, str] = {}
    orders = new_orders(txn)
    if stamping(txn):
        bump = (
            sa.update(COMPANIES)
            .where(COMPANIES.c.id == txn.scope.company_id)
            .values(
                change_counter=COMPANIES.c.change_counter + 1,
                order_seq=COMPANIES.c.order_seq + len(orders),
            )
            .returning(COMPANIES.c.change_counter, COMPANIES.c.order_seq)
        )
        found = await txn.tx.rows(bump)
        if not found:
            raise NotFound("Company not found.")
        version, seq = int(found[0]["change_counter"]), int(found[0]["order_seq"])
        first = seq - len(orders) + 1
        numbers = {k: order_number(first + k) for k in range(len(orders))}
    await _sqlite_writes(txn, version, numbers, orders)


async def _sqlite_writes(
    txn: Txn,
    version: int | None,
    numbers: dict[int, str],
    orders: list[tuple[UUID | None, Entity | None, Write | None]],
) -> None:
    from fieldedge_adapters.sql.tables_fieldforce import OrderRow

    order_table: sa.Table = OrderRow.__table__  # type: ignore[attr-defined]
    number_of = {id(w): numbers.get(k) for k, (_, _, w) in enumerate(orders) if w is not None}
    for write in txn.queued:
        values = dict(write.values)
        if version is not None:
            values["version"] = version
        if id(write) in number_of and number_of[id(write)] is not None:
            values["number"] = number_of[id(write)]
        write.values = values
        await txn.send(write)
        stamped(write.entity, **{k: values[k] for k in ("version", "number") if k in values})
    if version is not None:
        for name, rows in txn.stamped.items():
            table = _table(name)
            ids = list(rows)
            await txn.tx.run(
                sa.update(table)
                .where(table.c.company_id == txn.scope.company_id, any_of(table.c.id, "ids"))
                .values(version=version),
                {"ids": ids},
            )
            for entity in rows.values():
                stamped(entity, version=version)
    for k, (row_id, entity, queued) in enumerate(orders):
        if queued is None and row_id is not None and k in numbers:
            await txn.tx.run(
                sa.update(order_table).where(order_table.c.id == row_id).values(number=numbers[k])
            )
            stamped(entity, number=numbers[k])
    if txn.audit:
        await txn.tx.run(sa.insert(AUDIT).values([audit_values(e) for e in txn.audit]))
    if txn.outbox:
        await txn.tx.run(sa.insert(OUTBOX).values([outbox_values(e) for e in txn.outbox]))


def _table(name: str) -> sa.Table:
    from sqlmodel import SQLModel

    return SQLModel.metadata.tables[name]
