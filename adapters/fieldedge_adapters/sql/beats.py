"""Beats, plans and route days in SQL, and the reads that set plans beside the work:
a rep's day (check-ins with their orders) and the compliance report, one statement for
any number of reps and days.

A beat's contact list is written twice in the one transaction: as the beat's JSON
(what the entity and sync hold) and as ``beat_stops`` rows (what the report joins).
Local days are passed in as windows, a row each (date, weekday, UTC start and end), so
times are bucketed by the company's day in SQL without time-zone support in SQLite.
"""

from __future__ import annotations

import operator
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any
from uuid import UUID, uuid5

import sqlalchemy as sa

from fieldedge.domain.beats import Beat, Plan, RouteDay
from fieldedge.ports.beats import (
    Activity,
    BeatQuery,
    DayCompliance,
    DayPlans,
    DayWork,
    Outlet,
    PlanQuery,
    Window,
)
from fieldedge.ports.records import Record
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of, tenant_filter
from fieldedge_adapters.sql.statements import any_of, json_array_has, typed_param
from fieldedge_adapters.sql.tables_beats import BeatRow, BeatStopRow, PlanRow, RouteDayRow
from fieldedge_adapters.sql.tables_fieldforce import ContactRow, OrderRow, VisitRow

BEATS, STOPS, PLANS = table_of(BeatRow), table_of(BeatStopRow), table_of(PlanRow)
ROUTES = table_of(RouteDayRow)
CONTACTS, VISITS, ORDERS = table_of(ContactRow), table_of(VisitRow), table_of(OrderRow)
TIME = VISITS.c.checked_in_at.type


def _ids_as_text(values: dict[str, Any]) -> dict[str, Any]:
    # SQLite's JSON encoder knows no UUID; the text form reads back as the same ids.
    if "contact_ids" in values:
        values = {**values, "contact_ids": [str(c) for c in values["contact_ids"]]}
    return values


@shape
def _by_ids(tenant: bool) -> Any:
    return sa.select(BEATS).where(
        *tenant_filter(BEATS, tenant), BEATS.c.deleted_at.is_(None), any_of(BEATS.c.id, "ids")
    )


@shape
def _beats(after: bool, users: bool, tenant: bool) -> Any:
    statement = sa.select(BEATS).where(*tenant_filter(BEATS, tenant), BEATS.c.deleted_at.is_(None))
    if after:
        statement = statement.where(BEATS.c.id > sa.bindparam("after"))
    if users:
        statement = statement.where(any_of(BEATS.c.user_id, "users"))
    return statement.order_by(BEATS.c.id).limit(limit_param())


@shape
def _drop_stops(tenant: bool) -> Any:
    return sa.delete(STOPS).where(
        *tenant_filter(STOPS, tenant), STOPS.c.beat_id == sa.bindparam("beat")
    )


class SqlBeatRepository(Repository[Beat]):
    table, model = BEATS, Beat
    field_versioned = True

    def _stored(self, values: dict[str, Any]) -> dict[str, Any]:
        return _ids_as_text(values)

    async def get(
        self, beat_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Beat | None:
        return await self._get(beat_id, include_deleted=include_deleted, lock=lock)

    async def by_ids(self, beat_ids: Collection[UUID]) -> Sequence[Beat]:
        if not beat_ids:
            return []
        return await self._many(_by_ids(self._tenant), ids=list(beat_ids))

    def _stops(self, beat: Beat) -> None:
        for position, contact_id in enumerate(beat.contact_ids):
            values = {"id": uuid5(beat.id, str(position)), "beat_id": beat.id,
                      "position": position, "company_id": beat.company_id,
                      "contact_id": contact_id}  # fmt: skip
            self._txn.insert(STOPS, values, None)

    async def add(self, beat: Beat) -> None:
        self._add(beat)
        self._stops(beat)

    async def save(self, beat: Beat) -> None:
        stops_changed = "contact_ids" in beat.changes()
        self._save(beat)
        if stops_changed:
            await self._run(_drop_stops(self._tenant), beat=beat.id)
            self._stops(beat)

    async def list(self, query: BeatQuery) -> Sequence[Record]:
        statement = _beats(query.after is not None, query.user_ids is not None, self._tenant)
        return await self._rows(
            statement,
            after=query.after,
            users=list(query.user_ids) if query.user_ids is not None else None,
            limit=query.limit,
        )


@shape
def _plans(after: bool, users: bool, beat: bool, day_from: bool, day_to: bool,
           tenant: bool) -> Any:  # fmt: skip
    statement = sa.select(PLANS).where(*tenant_filter(PLANS, tenant), PLANS.c.deleted_at.is_(None))
    if after:
        statement = statement.where(PLANS.c.id > sa.bindparam("after"))
    if users:
        statement = statement.where(any_of(PLANS.c.user_id, "users"))
    if beat:
        statement = statement.where(PLANS.c.beat_id == sa.bindparam("beat"))
    # A one-off plan's date, or a weekly plan's span, meets [day_from, day_to].
    once, start, end = PLANS.c.date, PLANS.c.start_date, PLANS.c.end_date
    if day_from:
        lo = sa.bindparam("day_from", type_=sa.Date())
        statement = statement.where(sa.or_(once >= lo, end >= lo))
    if day_to:
        hi = sa.bindparam("day_to", type_=sa.Date())
        statement = statement.where(sa.or_(once <= hi, start <= hi))
    return statement.order_by(PLANS.c.id).limit(limit_param())


@shape
def _uses_beat(tenant: bool) -> Any:
    return (
        sa.select(PLANS.c.id)
        .where(
            *tenant_filter(PLANS, tenant),
            PLANS.c.deleted_at.is_(None),
            PLANS.c.beat_id == sa.bindparam("beat"),
        )
        .limit(1)
    )


def _ordered_in(window: Any, tenant: bool, user: Any, contact: Any) -> Any:
    """An order of ``user`` for ``contact`` created within ``window`` (start, end)."""
    start, end = window
    return sa.exists().where(
        *tenant_filter(ORDERS, tenant),
        ORDERS.c.deleted_at.is_(None),
        ORDERS.c.user_id == user,
        ORDERS.c.contact_id == contact,
        ORDERS.c.created_at >= start,
        ORDERS.c.created_at < end,
    )


def _names(table: sa.Table) -> tuple[str, ...]:
    """The entity's columns: sync's ``field_versions`` left out."""
    return tuple(c.name for c in table.c if c.name != "field_versions")


def _columns(table: sa.Table, prefix: str) -> list[Any]:
    """The entity's columns labelled ``prefix``."""
    return [table.c[name].label(prefix + name) for name in _names(table)]


class _Prefixed:
    """Reads an entity's values back out of a row of ``_columns(table, prefix)`` with one
    C-level getter: the per-key Python loop cost more than the read around it."""

    def __init__(self, table: sa.Table, prefix: str) -> None:
        self.names = _names(table)
        self.read = operator.itemgetter(*(prefix + name for name in self.names))

    def values(self, row: Record) -> dict[str, Any]:
        return dict(zip(self.names, self.read(row), strict=True))


_PLAN, _BEAT = _Prefixed(PLANS, "p_"), _Prefixed(BEATS, "b_")


@shape
def _on_day(tenant: bool) -> Any:
    """The rep's live plans whose dates meet the day, each with its live beat, and the
    rep's chosen route for the day beside each (one row per plan)."""
    p, b, r = PLANS, BEATS, ROUTES
    day = sa.bindparam("day", type_=sa.Date())
    beat = sa.and_(b.c.id == p.c.beat_id, *tenant_filter(b, tenant), b.c.deleted_at.is_(None))
    route = sa.and_(*tenant_filter(r, tenant), r.c.user_id == p.c.user_id, r.c.day == day)
    return (
        sa.select(*_columns(p, "p_"), *_columns(b, "b_"), r.c.contact_ids.label("route"))
        .select_from(p.join(b, beat).outerjoin(r, route))
        .where(
            *tenant_filter(p, tenant),
            p.c.deleted_at.is_(None),
            p.c.user_id == sa.bindparam("user"),
            sa.or_(p.c.date == day, sa.and_(p.c.start_date <= day, p.c.end_date >= day)),
        )
        .order_by(p.c.created_at, p.c.id)
    )


@shape
def _day_work(tenant: bool) -> Any:
    """The rep's check-ins in the window with their outlets (``NULL`` when the contact
    is gone), then the live outlets asked for, as one result."""
    v, c = VISITS, CONTACTS
    start, end = sa.bindparam("start", type_=TIME), sa.bindparam("end", type_=TIME)
    productive = _ordered_in((start, end), tenant, v.c.user_id, v.c.contact_id)
    live = sa.and_(*tenant_filter(c, tenant), c.c.deleted_at.is_(None))
    outlet = [c.c.id.label("outlet_id"), c.c.name, c.c.city, c.c.latitude, c.c.longitude,
              c.c.owner_id]  # fmt: skip
    checked_in = (
        sa.select(
            v.c.id.label("visit_id"),
            v.c.contact_id,
            v.c.checked_in_at,
            productive.label("productive"),
            *outlet,
        )
        .select_from(v.outerjoin(c, sa.and_(c.c.id == v.c.contact_id, live)))
        .where(
            *tenant_filter(v, tenant),
            v.c.deleted_at.is_(None),
            v.c.user_id == sa.bindparam("user"),
            v.c.checked_in_at >= start,
            v.c.checked_in_at < end,
        )
    )
    asked = sa.select(
        sa.cast(sa.null(), v.c.id.type).label("visit_id"),
        sa.cast(sa.null(), v.c.contact_id.type).label("contact_id"),
        sa.cast(sa.null(), TIME).label("checked_in_at"),
        sa.cast(sa.null(), sa.Boolean()).label("productive"),
        *outlet,
    ).where(live, any_of(c.c.id, "ids"))
    return sa.union_all(checked_in, asked)


@shape
def _outlets(tenant: bool) -> Any:
    c = CONTACTS.c
    return sa.select(c.id, c.name, c.city, c.latitude, c.longitude, c.owner_id).where(
        *tenant_filter(CONTACTS, tenant), c.deleted_at.is_(None), any_of(c.id, "ids")
    )


def _windows(n: int) -> Any:
    """``n`` local days as a literal table (day, weekday, start, end), from parameters."""
    rows = [
        sa.select(
            typed_param(f"d{i}", sa.Date()).label("day"),
            typed_param(f"w{i}", sa.String()).label("weekday"),
            typed_param(f"s{i}", TIME).label("start"),
            typed_param(f"e{i}", TIME).label("end"),
        )
        for i in range(n)
    ]
    return (sa.union_all(*rows) if n > 1 else rows[0]).cte("days")


def _end(i: int) -> Any:
    return sa.bindparam(f"e{i}", type_=TIME)


@shape
def _compliance(n: int, users: bool, tenant: bool) -> Any:
    """Planned (user, day, contact), visited and ordered ones, counted per user and day:
    one statement, its size set by the number of days only."""
    days = _windows(n)
    p, b, s, c = PLANS, BEATS, STOPS, CONTACTS
    mine = [any_of(p.c.user_id, "users")] if users else []
    # The live stops of live beats, worked out once (a few thousand rows) before they
    # meet the days: Postgres, misjudging the day filter below, would otherwise look
    # each contact up once per planned day.
    stops = (
        sa.select(s.c.beat_id, s.c.contact_id)
        .select_from(
            s.join(b, sa.and_(b.c.id == s.c.beat_id, *tenant_filter(b, tenant))).join(
                c, sa.and_(c.c.id == s.c.contact_id, *tenant_filter(c, tenant))
            )
        )
        .where(*tenant_filter(s, tenant), b.c.deleted_at.is_(None), c.c.deleted_at.is_(None))
        .cte("live_stops")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )

    def planned_by(on_day: Any) -> Any:
        return (
            sa.select(p.c.user_id, days.c.day, stops.c.contact_id)
            .select_from(p.join(days, on_day).join(stops, stops.c.beat_id == p.c.beat_id))
            .where(*tenant_filter(p, tenant), p.c.deleted_at.is_(None), *mine)
        )

    # One-off plans meet their day by equality, weekly ones by span and weekday; UNION
    # keeps each (rep, day, contact) once, however many plans put it there.
    weekly = sa.and_(
        p.c.start_date <= days.c.day,
        p.c.end_date >= days.c.day,
        json_array_has(p.c.weekdays, days.c.weekday),
    )
    planned = sa.union(planned_by(p.c.date == days.c.day), planned_by(weekly)).cte("planned")

    def done(table: sa.Table, at: Any) -> Any:
        """(rep, local day, contact) of the rows of ``table`` timed ``at`` in the range:
        the day found by the window ends in order (a CASE, no join per day)."""
        theirs = [any_of(table.c.user_id, "users")] if users else []
        day = sa.case(*[(at < _end(i), typed_param(f"d{i}", sa.Date())) for i in range(n)])
        return (
            sa.select(table.c.user_id, day.label("day"), table.c.contact_id)
            .distinct()
            .where(
                *tenant_filter(table, tenant),
                table.c.deleted_at.is_(None),
                at >= sa.bindparam("s0", type_=TIME),
                at < _end(n - 1),
                *theirs,
            )
        )

    visited = done(VISITS, VISITS.c.checked_in_at).cte("visited")
    ordered = done(ORDERS, ORDERS.c.created_at).cte("ordered")

    def same(other: Any) -> Any:
        return sa.and_(
            other.c.user_id == planned.c.user_id,
            other.c.day == planned.c.day,
            other.c.contact_id == planned.c.contact_id,
        )

    was_visited = visited.c.contact_id.is_not(None)
    productive = sa.case((sa.and_(was_visited, ordered.c.contact_id.is_not(None)), 1))
    return (
        sa.select(
            planned.c.user_id,
            planned.c.day,
            sa.func.count().label("planned"),
            sa.func.count(visited.c.contact_id).label("visited"),
            sa.func.count(productive).label("productive"),
        )
        .select_from(planned.outerjoin(visited, same(visited)).outerjoin(ordered, same(ordered)))
        .group_by(planned.c.user_id, planned.c.day)
        .order_by(planned.c.user_id, planned.c.day)
    )


# A day's rows read with one C-level getter each (``Outlet``'s and ``Activity``'s field
# order): the per-field generator was most of a day's decoding.
_OUTLET = operator.itemgetter("outlet_id", "name", "city", "latitude", "longitude", "owner_id")
_OUTLET_BY_ID = operator.itemgetter("id", "name", "city", "latitude", "longitude", "owner_id")
_ACTIVITY = operator.itemgetter("visit_id", "contact_id", "checked_in_at", "productive")
_IN_TIME = operator.attrgetter("checked_in_at", "visit_id")


class SqlPlanRepository(Repository[Plan]):
    table, model = PLANS, Plan
    field_versioned = True

    async def get(
        self, plan_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Plan | None:
        return await self._get(plan_id, include_deleted=include_deleted, lock=lock)

    async def add(self, plan: Plan) -> None:
        self._add(plan)

    async def save(self, plan: Plan) -> None:
        self._save(plan)

    async def list(self, query: PlanQuery) -> Sequence[Record]:
        statement = _plans(
            query.after is not None,
            query.user_ids is not None,
            query.beat_id is not None,
            query.day_from is not None,
            query.day_to is not None,
            self._tenant,
        )
        return await self._rows(
            statement,
            after=query.after,
            users=list(query.user_ids) if query.user_ids is not None else None,
            beat=query.beat_id,
            day_from=query.day_from,
            day_to=query.day_to,
            limit=query.limit,
        )

    async def uses_beat(self, beat_id: UUID) -> bool:
        return bool(await self._txn.rows(_uses_beat(self._tenant), self._params(beat=beat_id)))

    async def on_day(self, user_id: UUID, day: date) -> DayPlans:
        rows = await self._txn.rows(_on_day(self._tenant), self._params(user=user_id, day=day))
        plans = [Plan.load(_PLAN.values(r)) for r in rows]
        beats: dict[UUID, Beat] = {}
        for r in rows:  # a beat on several plans is loaded once
            if r["b_id"] not in beats:
                beats[r["b_id"]] = Beat.load(_BEAT.values(r))
        chosen = rows[0]["route"] if rows else None
        route = None if chosen is None else [UUID(str(c)) for c in chosen]
        return DayPlans(plans, beats, route)

    async def day_work(
        self, user_id: UUID, window: Window, contact_ids: Collection[UUID]
    ) -> DayWork:
        params = self._params(user=user_id, start=window.start, end=window.end,
                              ids=list(contact_ids))  # fmt: skip
        activity, outlets = [], {}
        for r in await self._txn.rows(_day_work(self._tenant), params):
            outlet_id, visit_id = r["outlet_id"], r["visit_id"]
            if outlet_id is not None and outlet_id not in outlets:  # once, not once a visit
                outlets[outlet_id] = Outlet(*_OUTLET(r))
            if visit_id is not None:
                visit, contact, at, productive = _ACTIVITY(r)
                activity.append(Activity(visit, contact, at, bool(productive)))
        activity.sort(key=_IN_TIME)
        return DayWork(activity, outlets)

    async def outlets(self, contact_ids: Collection[UUID]) -> Sequence[Outlet]:
        if not contact_ids:
            return []
        rows = await self._txn.rows(_outlets(self._tenant), self._params(ids=list(contact_ids)))
        return [Outlet(*_OUTLET_BY_ID(r)) for r in rows]

    async def compliance(
        self, user_ids: Collection[UUID] | None, windows: Sequence[Window]
    ) -> Sequence[DayCompliance]:
        if not windows or (user_ids is not None and not user_ids):
            return []
        params: dict[str, Any] = {}
        for i, w in enumerate(windows):
            params |= {f"d{i}": w.day, f"w{i}": w.weekday.value, f"s{i}": w.start, f"e{i}": w.end}
        if user_ids is not None:
            params["users"] = list(user_ids)
        statement = _compliance(len(windows), user_ids is not None, self._tenant)
        rows = await self._txn.rows(statement, self._params(**params))
        return [
            DayCompliance(
                r["user_id"], _as_date(r["day"]), r["planned"], r["visited"], r["productive"]
            )
            for r in rows
        ]


def _as_date(value: Any) -> date:
    # SQLite hands back a literal-table date as its text.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@shape
def _route_on(tenant: bool, lock: bool) -> Any:
    statement = sa.select(ROUTES).where(
        *tenant_filter(ROUTES, tenant),
        ROUTES.c.user_id == sa.bindparam("user"),
        ROUTES.c.day == sa.bindparam("day", type_=sa.Date()),
    )
    return statement.with_for_update() if lock else statement


class SqlRouteRepository(Repository[RouteDay]):
    table, model = ROUTES, RouteDay
    soft_delete = False
    field_versioned = True

    async def get(self, route_id: UUID, *, lock: bool = False) -> RouteDay | None:
        return await self._get(route_id, lock=lock)

    def _stored(self, values: dict[str, Any]) -> dict[str, Any]:
        return _ids_as_text(values)

    async def on_day(self, user_id: UUID, day: date, *, lock: bool = False) -> RouteDay | None:
        return await self._one(_route_on(self._tenant, lock), user=user_id, day=day)

    async def add(self, route: RouteDay) -> None:
        self._add(route)

    async def save(self, route: RouteDay) -> None:
        self._save(route)
