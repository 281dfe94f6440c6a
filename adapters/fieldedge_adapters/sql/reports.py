"""The reports in SQL: each report is one statement of grouped sums, whatever its size.

Local days without time-zone support in SQLite: an instant's local day number is
``(whole epoch seconds + the zone's offset at it) / 86400``, the offset a CASE over the
few offset steps of the range (``domain.reports.offsets``), so DST days are exact.
Grouping happens over a subquery's output column, never a repeated expression with
parameters (Postgres would see two different parameters and refuse the GROUP BY).
A product's lines are read from the order's JSON items (``json_array_elements`` on
Postgres, ``json_each`` on SQLite).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from fieldedge.domain.reports import AGE_BUCKETS, DAY_S, OWING, TAKEN, GroupBy, Offsets
from fieldedge.ports.reports import AgeGroup, DayFigures, OrderGroup
from fieldedge_adapters.sql.repo import Scoped, shape, table_of, tenant_filter
from fieldedge_adapters.sql.statements import any_of
from fieldedge_adapters.sql.tables import UserRow
from fieldedge_adapters.sql.tables_fieldforce import (
    AttendanceRow,
    ContactRow,
    OrderRow,
    PaymentRow,
    VisitRow,
)
from fieldedge_adapters.sql.tables_territories import TerritoryRow

ORDERS, PAYMENTS, VISITS = table_of(OrderRow), table_of(PaymentRow), table_of(VisitRow)
CONTACTS, DAYS, USERS = table_of(ContactRow), table_of(AttendanceRow), table_of(UserRow)
TERRITORIES = table_of(TerritoryRow)
TIME = ORDERS.c.created_at.type


def _statuses(statuses: Sequence[Any]) -> list[Any]:
    # Inline text, so the statement keeps one shape and no expanding parameter.
    return [sa.literal_column(f"'{s.value}'") for s in statuses]


class epoch_s(FunctionElement[int]):
    """Whole seconds since 1970-01-01 UTC of a stored instant (rounded down)."""

    inherit_cache = True
    type = sa.BigInteger()


@compiles(epoch_s, "postgresql")
def _epoch_pg(element: epoch_s, compiler: SQLCompiler, **kw: Any) -> str:
    (at,) = list(element.clauses)
    return f"CAST(floor(EXTRACT(EPOCH FROM {compiler.process(at, **kw)})) AS BIGINT)"


@compiles(epoch_s, "sqlite")
def _epoch_sqlite(element: epoch_s, compiler: SQLCompiler, **kw: Any) -> str:
    (at,) = list(element.clauses)
    return f"CAST(strftime('%s', {compiler.process(at, **kw)}) AS INTEGER)"


class json_field(FunctionElement[Any]):
    """A member of a JSON object (a line of an order's items), as text or a whole number."""

    inherit_cache = True

    def __init__(self, value: Any, name: str, type_: Any) -> None:
        super().__init__(value, sa.literal_column(f"'{name}'"))
        self.type = type_


@compiles(json_field, "postgresql")
def _json_field_pg(element: json_field, compiler: SQLCompiler, **kw: Any) -> str:
    value, name = (compiler.process(c, **kw) for c in element.clauses)
    text = f"({value} ->> {name})"
    return f"CAST({text} AS BIGINT)" if isinstance(element.type, sa.BigInteger) else text


@compiles(json_field, "sqlite")
def _json_field_sqlite(element: json_field, compiler: SQLCompiler, **kw: Any) -> str:
    value, name = (compiler.process(c, **kw) for c in element.clauses)
    return f"json_extract({value}, '$.' || {name})"


def offset_params(offsets: Offsets) -> dict[str, Any]:
    params: dict[str, Any] = {f"o{i}": s for i, s in enumerate(offsets.seconds)}
    return params | {f"t{i}": at for i, at in enumerate(offsets.steps)}


def _local_day(at: Any, steps: int) -> Any:
    """The local day number of ``at`` under an offset with ``steps`` steps."""
    offset: Any = sa.bindparam("o0", type_=sa.BigInteger)
    if steps:
        offset = sa.case(
            *[(at < sa.bindparam(f"t{i}", type_=TIME), sa.bindparam(f"o{i}", type_=sa.BigInteger))
              for i in range(steps)],
            else_=sa.bindparam(f"o{steps}", type_=sa.BigInteger),
        )  # fmt: skip
    return (epoch_s(at) + offset) // sa.literal_column(str(DAY_S), sa.BigInteger)


def _mine(column: Any, users: bool) -> list[Any]:
    return [any_of(column, "users")] if users else []


def _taken(tenant: bool, users: bool) -> list[Any]:
    """Orders taken in [start, end): live, not refused or called off."""
    o = ORDERS.c
    return [
        *tenant_filter(ORDERS, tenant),
        o.deleted_at.is_(None),
        o.status.in_(_statuses(TAKEN)),
        o.created_at >= sa.bindparam("start", type_=TIME),
        o.created_at < sa.bindparam("end", type_=TIME),
        *_mine(o.user_id, users),
    ]


@shape
def _by_time(tenant: bool, users: bool, steps: int, week: bool) -> Any:
    day = _local_day(ORDERS.c.created_at, steps)
    key = (day + 3) // sa.literal_column("7", sa.BigInteger) if week else day
    inner = sa.select(key.label("key"), ORDERS.c.total).where(*_taken(tenant, users)).subquery()
    return sa.select(
        inner.c.key,
        sa.null().label("label"),
        sa.func.count().label("orders"),
        sa.func.sum(inner.c.total).label("value"),
    ).group_by(inner.c.key)


def _named(sums: Any, names: sa.Table, tenant: bool) -> Any:
    """Grouped sums keyed by an id, with the name of the ``names`` row of that id (or
    none: the orders' contact has no territory)."""
    on = sa.and_(names.c.id == sums.c.key, *tenant_filter(names, tenant))
    return sa.select(
        sums.c.key, names.c.name.label("label"), sums.c.orders, sums.c.value
    ).outerjoin_from(sums, names, on)


def _sums(key: Any) -> Any:
    return sa.select(key.label("key"), sa.func.count().label("orders"),
                     sa.func.sum(ORDERS.c.total).label("value"))  # fmt: skip


@shape
def _by_rep(tenant: bool, users: bool) -> Any:
    o = ORDERS.c
    sums = _sums(o.user_id).where(*_taken(tenant, users)).group_by(o.user_id).subquery()
    return _named(sums, USERS, tenant)


@shape
def _by_territory(tenant: bool, users: bool) -> Any:
    o, c = ORDERS.c, CONTACTS.c
    at = sa.and_(c.id == o.contact_id, *tenant_filter(CONTACTS, tenant))
    sums = (
        _sums(c.territory_id)
        .join_from(ORDERS, CONTACTS, at)
        .where(*_taken(tenant, users))
        .group_by(c.territory_id)
        .subquery()
    )
    return _named(sums, TERRITORIES, tenant)


@shape
def _by_product(tenant: bool, users: bool, dialect: str) -> Any:
    if dialect == "postgresql":
        items = sa.cast(ORDERS.c["items"], sa.JSON)
        lines = sa.func.json_array_elements(items).table_valued("value").alias("line")
    else:
        lines = sa.func.json_each(ORDERS.c["items"]).table_valued("value").alias("line")
    line = lines.c.value
    product = json_field(line, "product_id", sa.String())
    inner = (
        sa.select(
            product.label("key"),
            json_field(line, "name", sa.String()).label("name"),
            ORDERS.c.id.label("order_id"),
            json_field(line, "quantity", sa.BigInteger()).label("quantity"),
            json_field(line, "line_total", sa.BigInteger()).label("value"),
        )
        .select_from(ORDERS)
        .join(lines, sa.true())
        .where(*_taken(tenant, users))
        .subquery()
    )
    return sa.select(
        inner.c.key,
        sa.func.max(inner.c.name).label("label"),
        sa.func.count(sa.distinct(inner.c.order_id)).label("orders"),
        sa.func.sum(inner.c.value).label("value"),
        sa.func.sum(inner.c.quantity).label("quantity"),
    ).group_by(inner.c.key)


def _metric(name: str, table: sa.Table, who: Any, value: Any, tenant: bool, users: bool,
            *where: Any) -> Any:  # fmt: skip
    return (
        sa.select(
            sa.literal_column(f"'{name}'", sa.String).label("metric"),
            who.label("user_id"),
            sa.cast(value, sa.BigInteger).label("value"),
        )
        .where(*tenant_filter(table, tenant), table.c.deleted_at.is_(None), *_mine(who, users))
        .where(*where)
        .group_by(who)
    )


def _between(at: Any) -> list[Any]:
    return [at >= sa.bindparam("start", type_=TIME), at < sa.bindparam("end", type_=TIME)]


@shape
def _daily(tenant: bool, users: bool) -> Any:
    d, v, p, c = DAYS.c, VISITS.c, PAYMENTS.c, CONTACTS.c
    on_day = d.day == sa.bindparam("day", type_=sa.Date())
    out = d.punched_out_at.is_not(None)
    count, total = sa.func.count, sa.func.sum
    return sa.union_all(
        _metric("punched_in", DAYS, d.user_id, count(), tenant, users, on_day),
        _metric("punched_out", DAYS, d.user_id, count(), tenant, users, on_day, out),
        _metric("worked_minutes", DAYS, d.user_id, sa.func.coalesce(total(d.worked_minutes), 0),
                tenant, users, on_day, out),
        _metric("visits", VISITS, v.user_id, count(), tenant, users, *_between(v.checked_in_at)),
        _metric("verified_visits", VISITS, v.user_id, count(), tenant, users,
                *_between(v.checked_in_at), v.verified.is_(True)),
        _metric("payments", PAYMENTS, p.user_id, count(), tenant, users,
                *_between(p.received_at)),
        _metric("collections", PAYMENTS, p.user_id, total(p.amount), tenant, users,
                *_between(p.received_at)),
        _metric("new_contacts", CONTACTS, c.created_by, count(), tenant, users,
                *_between(c.created_at), c.created_by.is_not(None)),
        sa.select(sa.literal_column("'orders'", sa.String).label("metric"),
                  ORDERS.c.user_id, sa.cast(count(), sa.BigInteger))
        .where(*_taken(tenant, users)).group_by(ORDERS.c.user_id),
        sa.select(sa.literal_column("'order_value'", sa.String).label("metric"),
                  ORDERS.c.user_id, sa.cast(total(ORDERS.c.total), sa.BigInteger))
        .where(*_taken(tenant, users)).group_by(ORDERS.c.user_id),
    )  # fmt: skip


@shape
def _outstanding(tenant: bool, users: bool) -> Any:
    o = ORDERS.c
    since = sa.func.coalesce(o.approved_at, o.created_at)
    bucket = sa.case(
        *[(since >= sa.bindparam(f"b{i}", type_=TIME), sa.literal_column(f"'{label}'"))
          for i, (label, _lo, _hi) in enumerate(AGE_BUCKETS[:-1])],
        else_=sa.literal_column(f"'{AGE_BUCKETS[-1][0]}'"),
    )  # fmt: skip
    inner = (
        sa.select(o.user_id, bucket.label("bucket"), (o.total - o.amount_paid).label("balance"))
        .where(*tenant_filter(ORDERS, tenant), o.deleted_at.is_(None),
               o.status.in_(_statuses(OWING)), o.total > o.amount_paid, *_mine(o.user_id, users))
        .subquery()
    )  # fmt: skip
    return sa.select(
        inner.c.user_id,
        inner.c.bucket,
        sa.func.count().label("orders"),
        sa.func.sum(inner.c.balance).label("balance"),
    ).group_by(inner.c.user_id, inner.c.bucket)


def _key(group_by: GroupBy, value: Any) -> int | UUID | None:
    if value is None:
        return None
    if group_by in (GroupBy.DAY, GroupBy.WEEK):
        return int(value)
    return value if isinstance(value, UUID) else UUID(str(value))


class SqlReportRepository(Scoped):
    def _for(self, users: Collection[UUID] | None, **values: Any) -> dict[str, Any]:
        return self._params(**values, **({"users": list(users)} if users is not None else {}))

    async def daily(
        self, users: Collection[UUID] | None, day: date, start: datetime, end: datetime
    ) -> Mapping[UUID, DayFigures]:
        if users is not None and not users:
            return {}
        rows = await self._txn.rows(
            _daily(self._tenant, users is not None),
            self._for(users, day=day, start=start, end=end),
        )
        sums: dict[UUID, dict[str, int]] = {}
        for row in rows:
            sums.setdefault(row["user_id"], {})[row["metric"]] = int(row["value"] or 0)
        return {user: DayFigures(**values) for user, values in sums.items()}

    async def orders(
        self,
        users: Collection[UUID] | None,
        start: datetime,
        end: datetime,
        group_by: GroupBy,
        offsets: Offsets,
    ) -> Sequence[OrderGroup]:
        if users is not None and not users:
            return []
        tenant, mine = self._tenant, users is not None
        params = self._for(users, start=start, end=end)
        if group_by in (GroupBy.DAY, GroupBy.WEEK):
            statement = _by_time(tenant, mine, len(offsets.steps), group_by is GroupBy.WEEK)
            params |= offset_params(offsets)
        elif group_by is GroupBy.REP:
            statement = _by_rep(tenant, mine)
        elif group_by is GroupBy.TERRITORY:
            statement = _by_territory(tenant, mine)
        else:
            statement = _by_product(tenant, mine, self._txn.dialect)
        rows = await self._txn.rows(statement, params)
        return [
            OrderGroup(
                _key(group_by, r["key"]),
                r["label"],
                int(r["orders"]),
                int(r["value"] or 0),
                int(r["quantity"] or 0) if group_by is GroupBy.PRODUCT else None,
            )
            for r in rows
        ]

    async def outstanding(
        self, users: Collection[UUID] | None, bounds: Sequence[datetime]
    ) -> Sequence[AgeGroup]:
        if users is not None and not users:
            return []
        params = self._for(users, **{f"b{i}": b for i, b in enumerate(bounds)})
        rows = await self._txn.rows(_outstanding(self._tenant, users is not None), params)
        return [
            AgeGroup(r["user_id"], r["bucket"], int(r["orders"]), int(r["balance"])) for r in rows
        ]
