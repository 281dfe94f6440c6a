"""A rep's planned day and the compliance report.

``day_route``: the outlets the rep's plans put on a local day (the company's time zone),
in the order the rep chose for it (``reorder_today``) or else plan then beat order, each
with its status (``domain.beats.stop_status``) and its check-ins that day; check-ins at
contacts not planned that day are listed apart (``unplanned``). ``compliance``: per rep
and per local day, planned, visited and productive outlets and the two percentages, from
one SQL statement whatever the reps and days (``PlanRepository.compliance``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.attendance import (
    FIRST_DAY,
    LAST_DAY,
    OUT_OF_CALENDAR,
    check_day,
    day_bounds,
    local_day,
)
from fieldedge.domain.beats import (
    RouteDay,
    StopStatus,
    check_permutation,
    percent,
    planned_order,
    routed,
    stop_status,
    weekday_of,
)
from fieldedge.domain.company import Company
from fieldedge.errors import Forbidden, ValidationFailed
from fieldedge.ports.beats import Activity, DayCompliance, DayWork, Outlet, Window
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.services.common import audit, found
from fieldedge.services.deps import Deps
from fieldedge.services.visibility import narrowed, work_owners

MAX_REPORT_DAYS = 92  # a quarter: the report's one statement grows with the days


@dataclass(frozen=True, slots=True)
class Stop:
    position: int  # 1-based, in the day's order
    contact: Outlet
    status: StopStatus
    visits: list[Activity]  # the rep's check-ins at it that day, in time order


@dataclass(frozen=True, slots=True)
class Unplanned:
    """A check-in that day at a contact not planned that day."""

    contact: Outlet | None  # None: the contact has since been deleted
    visit: Activity


@dataclass(frozen=True, slots=True)
class DayRoute:
    user_id: UUID
    day: date
    reordered: bool  # the rep chose this order
    stops: list[Stop]
    unplanned: list[Unplanned]
    planned: int
    visited: int
    productive: int


@dataclass(frozen=True, slots=True)
class ComplianceDay:
    user_id: UUID
    day: date
    planned: int
    visited: int
    productive: int

    @property
    def compliance(self) -> float | None:
        return percent(self.visited, self.planned)

    @property
    def strike_rate(self) -> float | None:
        return percent(self.productive, self.visited)


def window(day: date, zone: str) -> Window:
    start, end = day_bounds(day, zone)
    return Window(day, weekday_of(day), start, end)


async def _company(uow: UnitOfWork, principal: Principal) -> Company:
    return found(await uow.companies.get(principal.tenant), "company")


async def _route_user(uow: UnitOfWork, principal: Principal, user_id: UUID | None) -> UUID:
    if user_id is None or user_id == principal.user_id:
        return principal.user_id
    owners = await work_owners(uow, principal)
    if owners is not None and user_id not in owners:
        raise ValidationFailed(details={"userId": ["Not someone whose plans you see."]})
    return user_id


async def day_route(principal: Principal, on: date | None, user_id: UUID | None,
                    deps: Deps) -> DayRoute:  # fmt: skip
    """The rep's (the caller's, or ``user_id``'s in their scope) route for ``on`` (the
    company's today by default)."""
    require(principal, Action.PLAN_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        rep = await _route_user(uow, principal, user_id)
        company = await _company(uow, principal)
        today = local_day(deps.clock.now(), company.timezone)
        day = check_day(on, "date") if on is not None else today
        on_day = await uow.plans.on_day(rep, day)
        planned = planned_order(on_day.plans, on_day.beats, day)
        work = await uow.plans.day_work(rep, window(day, company.timezone), planned)
    return _assembled(rep, day, today, routed(planned, on_day.route), work,
                      reordered=on_day.route is not None)  # fmt: skip


def _assembled(rep: UUID, day: date, today: date, order: list[UUID], work: DayWork, *,
               reordered: bool) -> DayRoute:  # fmt: skip
    """The day's stops (``order``'s live outlets) with their check-ins, and the rest.

    Each planned id is looked up once; everything after is keyed by the outlet's and
    the check-in's own ids, which the database's driver hashes at C speed (a planned id,
    parsed from the beat, hashes in Python: that was hundreds of calls a route)."""
    outlets = work.outlets
    by_contact: dict[UUID, list[Activity]] = {}
    ordered: set[UUID] = set()  # contacts checked in at with an order that day
    for a in work.activity:  # once, not once per stop
        by_contact.setdefault(a.contact_id, []).append(a)
        if a.productive:
            ordered.add(a.contact_id)
    stops: list[Stop] = []
    in_plan: set[UUID] = set()
    visited = productive = 0
    for contact_id in order:
        outlet = outlets.get(contact_id)
        if outlet is None:  # deleted since it was planned
            continue
        in_plan.add(outlet.id)
        there = by_contact.get(outlet.id, [])
        status = stop_status(bool(there), outlet.id in ordered, day, today)
        if status is not StopStatus.PENDING and status is not StopStatus.MISSED:
            visited += 1
            productive += status is StopStatus.PRODUCTIVE
        stops.append(Stop(len(stops) + 1, outlet, status, there))
    unplanned = [Unplanned(outlets.get(a.contact_id), a) for a in work.activity
                 if a.contact_id not in in_plan]  # fmt: skip
    return DayRoute(
        user_id=rep,
        day=day,
        reordered=reordered,
        stops=stops,
        unplanned=unplanned,
        planned=len(stops),
        visited=visited,
        productive=productive,
    )


async def _check_route(uow: UnitOfWork, user_id: UUID, day: date, contact_ids: list[UUID]) -> None:
    """``contact_ids`` must be the day's live planned outlets reordered (else the
    ``contactIds`` 422)."""
    on_day = await uow.plans.on_day(user_id, day)
    planned = planned_order(on_day.plans, on_day.beats, day)
    live = {o.id for o in await uow.plans.outlets(planned)}
    check_permutation([c for c in planned if c in live], contact_ids)


async def new_route(uow: UnitOfWork, principal: Principal, day: date, contact_ids: list[UUID],
                    deps: Deps, route_id: UUID | None = None) -> RouteDay:  # fmt: skip
    """The caller's chosen order for ``day`` (REST: today's first reorder; sync: a create).
    One route per rep and day: a second insert for the day fails on its unique key."""
    require(principal, Action.PLAN_WRITE)
    await _check_route(uow, principal.user_id, day, contact_ids)
    now = deps.clock.now()
    route = RouteDay(id=route_id or deps.ids.new(), company_id=principal.tenant,
                     user_id=principal.user_id, day=day, contact_ids=contact_ids,
                     created_at=now, updated_at=now)  # fmt: skip
    await uow.routes.add(route)
    await _audit_route(uow, deps, principal, route)
    return route


async def change_route(uow: UnitOfWork, principal: Principal, route: RouteDay,
                       contact_ids: list[UUID], deps: Deps) -> None:  # fmt: skip
    """A new order for ``route`` (read with its lock): the rep's own route only."""
    require(principal, Action.PLAN_WRITE)
    if route.user_id != principal.user_id:
        raise Forbidden("Only the rep reorders their route.")
    await _check_route(uow, route.user_id, route.day, contact_ids)
    route.apply({"contact_ids": contact_ids, "updated_at": deps.clock.now()})
    await uow.routes.save(route)
    await _audit_route(uow, deps, principal, route)


async def _audit_route(uow: UnitOfWork, deps: Deps, principal: Principal, route: RouteDay) -> None:
    await audit(uow, deps, "plan.route_reordered", actor=principal, entity="route_day",
                entity_id=route.id, detail={"day": route.day.isoformat()})  # fmt: skip


async def reorder_today(principal: Principal, contact_ids: list[UUID], deps: Deps) -> DayRoute:
    """The caller's own route for the company's today, in ``contact_ids``' order: a
    permutation of the day's planned outlets (anything else is the ``contactIds`` 422)."""
    require(principal, Action.PLAN_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        company = await _company(uow, principal)
        today = local_day(deps.clock.now(), company.timezone)
        route = await uow.routes.on_day(principal.user_id, today, lock=True)
        if route is None:
            await new_route(uow, principal, today, contact_ids, deps)
        else:
            await change_route(uow, principal, route, contact_ids, deps)
        await uow.commit()
    return await day_route(principal, today, None, deps)


async def visible_route(uow: UnitOfWork, principal: Principal, route_id: UUID) -> RouteDay | None:
    """The route (locked) if the caller may see it (the rep's own, a manager's team's, any
    for an ADMIN); ``NotFound`` when it exists out of reach, ``None`` when it does not."""
    route = await uow.routes.get(route_id, lock=True)
    if route is None or route.user_id == principal.user_id:
        return route
    owners = await work_owners(uow, principal)
    return found(route, "route", visible=owners is None or route.user_id in owners)


async def today_of(uow: UnitOfWork, principal: Principal, deps: Deps) -> date:
    company = await _company(uow, principal)
    return local_day(deps.clock.now(), company.timezone)


async def compliance(principal: Principal, day_from: date, day_to: date, user_id: UUID | None,
                     deps: Deps) -> list[ComplianceDay]:  # fmt: skip
    """Per rep (the caller's team, or everyone for an ADMIN; ``user_id`` narrows) and per
    local day from ``day_from`` to ``day_to`` with anything planned: the counts."""
    require(principal, Action.PLAN_COMPLIANCE)
    bad = [f for f, d in (("from", day_from), ("to", day_to)) if not FIRST_DAY <= d <= LAST_DAY]
    if bad:
        raise ValidationFailed(details={f: [OUT_OF_CALENDAR] for f in bad})
    if day_to < day_from:
        raise ValidationFailed(details={"to": ["Cannot be before from."]})
    if (day_to - day_from).days >= MAX_REPORT_DAYS:
        raise ValidationFailed(details={"to": [f"A report covers at most {MAX_REPORT_DAYS} days."]})
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        owners = narrowed(await work_owners(uow, principal), user_id)
        if owners is not None and not owners:
            return []
        company = await _company(uow, principal)
        days = [day_from + timedelta(days=i) for i in range((day_to - day_from).days + 1)]
        rows: list[DayCompliance] = list(
            await uow.plans.compliance(owners, [window(d, company.timezone) for d in days])
        )
    return [ComplianceDay(r.user_id, r.day, r.planned, r.visited, r.productive) for r in rows]
