"""The stamping step on Postgres: one statement (see ``stamp`` for what it does)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from fieldedge.domain.orders import order_number
from fieldedge.errors import NotFound
from fieldedge_adapters.sql.pg import PgTx, dialect, pg_json
from fieldedge_adapters.sql.stamp import (
    AUDIT,
    AUDIT_COLUMNS,
    OUTBOX,
    OUTBOX_COLUMNS,
    audit_values,
    new_orders,
    outbox_values,
    stamped,
    stamping,
)
from fieldedge_adapters.sql.txn import Txn, Write


class _Sql:
    """A statement's text and positional arguments, built together."""

    def __init__(self) -> None:
        self.args: list[Any] = []

    def arg(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"


_VERSION = "(SELECT change_counter FROM c)"


def _number_sql(k: int, total: int) -> str:
    """The number of the k-th (from 0) of ``total`` new orders: what ``order_number``
    gives for ``order_seq - total + 1 + k``, in SQL."""
    n = f"(c.order_seq - {int(total)} + 1 + {int(k)})"
    return (
        f"(SELECT 'ORD-' || CASE WHEN {n} < 1000000 THEN lpad({n}::text, 6, '0') "
        f"ELSE {n}::text END FROM c)"
    )


def _value(sql: _Sql, column: sa.Column[Any], value: Any) -> str:
    if isinstance(column.type, sa.JSON):
        return sql.arg(None if value is None else pg_json(value))
    return sql.arg(value)


def _write_sql(sql: _Sql, write: Write, tenant: str, stamp: bool, number: str | None) -> str:
    table = write.table
    columns = [c for c in table.columns if c.name in write.values]
    quoted = f'"{table.name}"'
    if write.update_id is None:
        names = [c.name for c in columns if c.name not in ("version", "number")]
        values = [_value(sql, table.c[name], write.values[name]) for name in names]
        if write.versioned:
            names.append("version")
            values.append(_VERSION if stamp else "0")
        if number is not None:
            names.append("number")
            values.append(number)
        cols = ", ".join(f'"{n}"' for n in names)
        return f"INSERT INTO {quoted} ({cols}) VALUES ({', '.join(values)})"
    sets = [
        f'"{c.name}" = {_value(sql, c, write.values[c.name])}'
        for c in columns
        if c.name != "version"
    ]
    if write.versioned and stamp:
        sets.append(f'"version" = {_VERSION}')
    where = f'"id" = {sql.arg(write.update_id)}'
    if "company_id" in table.c:
        where += f' AND "company_id" = {tenant}'
    return f"UPDATE {quoted} SET {', '.join(sets)} WHERE {where}"


def _unnest_sql(
    sql: _Sql, table: sa.Table, columns: tuple[str, ...], rows: list[dict[str, Any]]
) -> str:
    arrays = []
    for name in columns:
        column = table.c[name]
        kind = column.type.compile(dialect=dialect())
        values = [row[name] for row in rows]
        if isinstance(column.type, sa.JSON):
            values = [pg_json(v) for v in values]
        arrays.append(f"{sql.arg(values)}::{kind}[]")
    cols = ", ".join(f'"{n}"' for n in columns)
    return f'INSERT INTO "{table.name}" ({cols}) SELECT * FROM unnest({", ".join(arrays)})'


async def postgres(txn: Txn) -> None:
    if not isinstance(txn.tx, PgTx):
        raise TypeError("the Postgres stamping step needs a PgTx")
    stamp = stamping(txn)
    if not stamp:
        # System scope (a SUPER_ADMIN's row), or nothing versioned: plain writes.
        await txn.flush()
        txn.stamped, txn.unnumbered = {}, []
    orders = new_orders(txn) if stamp else []
    sql = _Sql()
    parts: list[str] = []
    tenant = sql.arg(txn.scope.company_id) if stamp else ""
    if stamp:
        parts.append(
            f'c AS (UPDATE "companies" SET change_counter = change_counter + 1, '
            f"order_seq = order_seq + {len(orders)} WHERE id = {tenant} "
            "RETURNING change_counter, order_seq)"
        )
    number_of = {
        id(w): _number_sql(k, len(orders)) for k, (_, _, w) in enumerate(orders) if w is not None
    }
    for write in txn.queued:
        parts.append(_write_sql(sql, write, tenant, stamp, number_of.get(id(write))))
    # An order already written gets its version and number in one sub-statement: a
    # statement changes a row once, so two sub-statements on it would lose one.
    numbered = {}
    for k, (row_id, _, queued) in enumerate(orders):
        if queued is None and row_id is not None:
            numbered[row_id] = k
            parts.append(
                f'UPDATE "orders" SET number = {_number_sql(k, len(orders))}, '
                f"version = {_VERSION} WHERE company_id = {tenant} AND id = {sql.arg(row_id)}"
            )
    # A row both written earlier and saved again now is stamped by that save's own
    # UPDATE (which sets the version): one sub-statement per row.
    saved = {(w.table.name, w.update_id) for w in txn.queued if w.update_id is not None}
    for name, rows in txn.stamped.items():
        ids = [
            row_id
            for row_id in rows
            if (name, row_id) not in saved and not (name == "orders" and row_id in numbered)
        ]
        if ids:
            parts.append(
                f'UPDATE "{name}" SET version = {_VERSION} '
                f"WHERE company_id = {tenant} AND id = ANY({sql.arg(ids)})"
            )
    if txn.audit:
        entries = [audit_values(e) for e in txn.audit]
        parts.append(_unnest_sql(sql, AUDIT, AUDIT_COLUMNS, entries))
    if txn.outbox:
        events = [outbox_values(e) for e in txn.outbox]
        parts.append(_unnest_sql(sql, OUTBOX, OUTBOX_COLUMNS, events))
    if not parts:
        return
    if stamp:
        ctes = [parts[0], *(f"w{i} AS ({p})" for i, p in enumerate(parts[1:], 1))]
        text = f"WITH {', '.join(ctes)} SELECT change_counter, order_seq FROM c"
    elif len(parts) == 1:
        text = parts[0]
    else:
        ctes = [f"w{i} AS ({p})" for i, p in enumerate(parts, 1)]
        text = f"WITH {', '.join(ctes)} SELECT 1"
    found = await txn.tx.raw(text, tuple(sql.args))
    if not stamp:
        return
    if not found:
        raise NotFound("Company not found.")
    version, seq = int(found[0]["change_counter"]), int(found[0]["order_seq"])
    first = seq - len(orders) + 1
    for write in txn.queued:
        stamped(write.entity, version=version)
    for written in txn.stamped.values():
        for entity in written.values():
            stamped(entity, version=version)
    for k, (_, entity, _) in enumerate(orders):
        stamped(entity, number=order_number(first + k))
