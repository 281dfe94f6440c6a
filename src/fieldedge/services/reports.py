"""The manager's reports: a day's figures per rep, orders over a range grouped, and the
outstanding balances by age. Each reads a fixed number of statements (the people, the
company, one statement of sums: ``ReportRepository``) however large the team or range.

Scope: a MANAGER sees their team (themselves and those who report to them), an ADMIN
and an API key with ``reports:read`` the whole company. What each figure counts is
``domain.reports`` (and ``docs/api.md``); the team totals are sums of every row in scope,
so a figure of someone no longer on the list (a deactivated rep) is still counted.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.attendance import day_bounds, local_day
from fieldedge.domain.beats import percent
from fieldedge.domain.company import Company
from fieldedge.domain.identity import Role, User
from fieldedge.domain.reports import (
    AGE_BUCKETS,
    GroupBy,
    Presence,
    age_bounds,
    check_range,
    day_number,
    day_of,
    offsets,
    week_of_day,
    week_start,
)
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.reports import DayFigures, OrderGroup
from fieldedge.services.common import found
from fieldedge.services.deps import Deps
from fieldedge.services.visibility import work_owners

MAX_PEOPLE = 5_000  # the most people one report lists (as the targets' team report)
SUBJECTS = frozenset({Role.SALES_REP, Role.MANAGER})  # who a company's report lists


@dataclass(frozen=True, slots=True)
class RepDay:
    user_id: UUID
    name: str
    figures: DayFigures

    @property
    def presence(self) -> Presence:
        if not self.figures.punched_in:
            return Presence.ABSENT
        return Presence.OUT if self.figures.punched_out else Presence.IN

    @property
    def verified_percent(self) -> float | None:
        return percent(self.figures.verified_visits, self.figures.visits)


@dataclass(frozen=True, slots=True)
class DailyReport:
    day: date
    timezone: str
    currency: str
    reps: list[RepDay]
    team: DayFigures

    def count(self, presence: Presence) -> int:
        return sum(1 for rep in self.reps if rep.presence is presence)

    @property
    def verified_percent(self) -> float | None:
        return percent(self.team.verified_visits, self.team.visits)


@dataclass(frozen=True, slots=True)
class OrdersLine:
    key: str | None  # ISO date (day, week's Monday) or id; None: no territory
    label: str | None
    orders: int
    value: int
    quantity: int | None


@dataclass(frozen=True, slots=True)
class OrdersReport:
    day_from: date
    day_to: date
    group_by: GroupBy
    timezone: str
    currency: str
    groups: list[OrdersLine]

    @property
    def orders(self) -> int | None:
        """None by product: an order of two products is in two groups."""
        if self.group_by is GroupBy.PRODUCT:
            return None
        return sum(g.orders for g in self.groups)

    @property
    def value(self) -> int:
        return sum(g.value for g in self.groups)


@dataclass(frozen=True, slots=True)
class Ages:
    """Outstanding orders and balances per age bucket (``AGE_BUCKETS``' labels)."""

    orders: dict[str, int]
    balance: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.balance.values())


@dataclass(frozen=True, slots=True)
class RepAges:
    user_id: UUID
    name: str
    ages: Ages


@dataclass(frozen=True, slots=True)
class CollectionsReport:
    as_of: date
    timezone: str
    currency: str
    reps: list[RepAges]
    team: Ages


async def _company(uow: UnitOfWork, principal: Principal) -> Company:
    return found(await uow.companies.get(principal.tenant), "company")


async def _people(uow: UnitOfWork, principal: Principal, owners: frozenset[UUID] | None,
                  extra: Iterable[UUID]) -> list[User]:  # fmt: skip
    """Who the report lists: the team (a MANAGER) or every active rep and manager, then
    anyone else whose rows the figures hold, so the list adds up to the totals."""
    wanted = set(extra)
    listed = await uow.users.list(after=None, limit=MAX_PEOPLE, active=True)
    people = [
        u
        for u in listed
        if u.id in wanted or (u.id in owners if owners is not None else u.role in SUBJECTS)
    ]
    missing = wanted - {u.id for u in people}
    if missing:  # one more read, of the deactivated, whose rows still count
        gone = await uow.users.list(after=None, limit=MAX_PEOPLE, active=False)
        people += [u for u in gone if u.id in missing]
    return sorted(people, key=lambda u: (u.name.casefold(), str(u.id)))


def _sum(figures: Iterable[DayFigures]) -> DayFigures:
    names = [f.name for f in fields(DayFigures)]
    every = list(figures)
    return DayFigures(**{n: sum(getattr(f, n) for f in every) for n in names})


async def daily_report(principal: Principal, day: date | None, deps: Deps) -> DailyReport:
    """Each person in scope on the company's local ``day`` (default: today there)."""
    require(principal, Action.REPORT_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        company = await _company(uow, principal)
        on = day or local_day(deps.clock.now(), company.timezone)
        owners = await work_owners(uow, principal)
        start, end = day_bounds(on, company.timezone)
        figures = await uow.reports.daily(owners, on, start, end)
        people = await _people(uow, principal, owners, figures)
    reps = [RepDay(u.id, u.name, figures.get(u.id, DayFigures())) for u in people]
    team = _sum(figures.values())
    return DailyReport(on, company.timezone, company.currency, reps, team)


def _line(group: OrderGroup, group_by: GroupBy) -> OrdersLine:
    key: str | None
    if group.key is None:
        key = None
    elif group_by is GroupBy.DAY:
        key = day_of(int(str(group.key))).isoformat()
    elif group_by is GroupBy.WEEK:
        key = week_start(int(str(group.key))).isoformat()
    else:
        key = str(group.key)
    return OrdersLine(key, group.label, group.orders, group.value, group.quantity)


def _calendar(groups: Sequence[OrdersLine], day_from: date, day_to: date,
              group_by: GroupBy) -> list[OrdersLine]:  # fmt: skip
    """Every day (or week) of the range in order, those without orders at zero."""
    first, last = day_number(day_from), day_number(day_to)
    numbers: Collection[int] = range(first, last + 1)
    if group_by is GroupBy.WEEK:
        numbers = range(week_of_day(first), week_of_day(last) + 1)
    to_key = day_of if group_by is GroupBy.DAY else week_start
    by_key = {g.key: g for g in groups}
    empty = [OrdersLine(to_key(n).isoformat(), None, 0, 0, None) for n in numbers]
    return [by_key.get(line.key, line) for line in empty]


async def orders_report(principal: Principal, day_from: date, day_to: date, group_by: GroupBy,
                        deps: Deps) -> OrdersReport:  # fmt: skip
    """Orders taken from local ``day_from`` to ``day_to`` (both included), grouped."""
    require(principal, Action.REPORT_READ)
    check_range(day_from, day_to)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        company = await _company(uow, principal)
        owners = await work_owners(uow, principal)
        start = day_bounds(day_from, company.timezone)[0]
        end = day_bounds(day_to, company.timezone)[1]
        steps = offsets(start, end, company.timezone)
        found_groups = await uow.reports.orders(owners, start, end, group_by, steps)
    groups = [_line(g, group_by) for g in found_groups]
    if group_by in (GroupBy.DAY, GroupBy.WEEK):
        groups = _calendar(groups, day_from, day_to, group_by)
    else:
        groups.sort(key=lambda g: (-g.value, (g.label or "").casefold(), g.key or ""))
    return OrdersReport(day_from, day_to, group_by, company.timezone, company.currency, groups)


def _ages(pairs: Iterable[tuple[str, int, int]]) -> Ages:
    orders = {label: 0 for label, _lo, _hi in AGE_BUCKETS}
    balance = dict(orders)
    for bucket, n, amount in pairs:
        orders[bucket] += n
        balance[bucket] += amount
    return Ages(orders, balance)


async def collections_report(principal: Principal, deps: Deps) -> CollectionsReport:
    """What the orders in scope still owe now, per rep and age (days since approval)."""
    require(principal, Action.REPORT_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        company = await _company(uow, principal)
        today = local_day(deps.clock.now(), company.timezone)
        owners = await work_owners(uow, principal)
        groups = await uow.reports.outstanding(owners, age_bounds(today, company.timezone))
        people = await _people(uow, principal, owners, {g.user_id for g in groups})
    reps = [
        RepAges(u.id, u.name, _ages((g.bucket, g.orders, g.balance) for g in groups
                                    if g.user_id == u.id))
        for u in people
    ]  # fmt: skip
    team = _ages((g.bucket, g.orders, g.balance) for g in groups)
    return CollectionsReport(today, company.timezone, company.currency, reps, team)
