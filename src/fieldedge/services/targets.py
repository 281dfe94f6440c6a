"""Set a rep's monthly target, and read months against target (own, a team's, everyone's).

Who sets: a MANAGER for the reps who report to them, an ADMIN for any active SALES_REP
or MANAGER of the company; anyone else named as ``userId`` is a 422 on ``userId`` (the
same for a user of another company, an inactive one, or one outside the team, so
nothing is learnt about who exists). A rep reads their own month only.

A month's progress is read in a fixed number of statements whatever the team's size:
the people, their targets, and one statement of sums (``TargetRepository.achieved``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.identity import Role, User
from fieldedge.domain.targets import (
    METRICS,
    NOTHING,
    Figures,
    Progress,
    Target,
    check_month,
    month_bounds,
    month_of,
)
from fieldedge.errors import ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.services.common import audit, commit_new, found, id_taken, new_id
from fieldedge.services.deps import Deps

SUBJECTS = frozenset({Role.SALES_REP, Role.MANAGER})  # who can carry a target
# The most people one team report covers (a company's ADMIN sees them all at once).
MAX_PEOPLE = 5_000


@dataclass(frozen=True, slots=True)
class SetTarget:
    user_id: UUID
    month: str
    order_value: int
    collections: int
    visits: int
    new_contacts: int
    id: UUID | None = None  # a client-made id (a target created offline, through sync)


@dataclass(frozen=True, slots=True)
class RepMonth:
    """One person's month: their target (if set) and what they achieved."""

    user: User
    month: str
    target: Target | None
    progress: Progress


@dataclass(frozen=True, slots=True)
class TeamMonth:
    month: str
    reps: list[RepMonth]
    total: Progress  # targets and achievements summed over ``reps``


async def _month(uow: UnitOfWork, principal: Principal, month: str | None,
                 deps: Deps) -> tuple[str, str]:  # fmt: skip
    """The month asked for (default: the company's current one) and the company's zone."""
    chosen = check_month(month) if month is not None else None
    zone = found(await uow.companies.get(principal.tenant), "company").timezone
    return chosen or month_of(deps.clock.now(), zone), zone


async def _subject(uow: UnitOfWork, principal: Principal, user_id: UUID) -> User:
    """The person a target is set for, if the caller may set one for them."""
    user = await uow.users.get(user_id)
    ok = user is not None and user.active and user.role in SUBJECTS
    if principal.role is Role.MANAGER:
        ok = ok and user is not None and user.manager_id == principal.user_id
        why = "Must be an active rep who reports to you."
    else:
        why = "Must be an active SALES_REP or MANAGER of this company."
    if not ok or user is None:
        raise ValidationFailed(details={"userId": [why]})
    return user


def _figures(cmd: SetTarget) -> dict[str, int]:
    return {name: getattr(cmd, name) for name in METRICS}


async def set_target(principal: Principal, cmd: SetTarget, deps: Deps) -> tuple[Target, bool]:
    """Create or replace the target of (``cmd.user_id``, ``cmd.month``); True if created."""
    require(principal, Action.TARGET_WRITE)
    month = check_month(cmd.month)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        await _subject(uow, principal, cmd.user_id)
        existing = await uow.targets.for_month(cmd.user_id, month, lock=True)
        if existing is None:
            target = await new_target(uow, principal, cmd, deps)
            await commit_new(uow, cmd.id)
            return target, True
        await change_target(uow, principal, existing, _figures(cmd), deps)
        await uow.commit()
    return existing, False


async def new_target(uow: UnitOfWork, principal: Principal, cmd: SetTarget, deps: Deps) -> Target:
    """The target ``cmd`` describes, added to ``uow`` (REST and sync alike); a rep's
    month that has one already is a 422 on ``month`` naming it (update that one)."""
    require(principal, Action.TARGET_WRITE)
    month = check_month(cmd.month)
    await _subject(uow, principal, cmd.user_id)
    if cmd.id is not None and await uow.targets.get(cmd.id, include_deleted=True):
        raise id_taken()
    taken = await uow.targets.for_month(cmd.user_id, month)
    if taken is not None:
        raise ValidationFailed(
            details={"month": [f"This rep's target for {month} exists ({taken.id}); update it."]}
        )
    now = deps.clock.now()
    target = Target(
        id=new_id(deps, cmd.id),
        company_id=principal.tenant,
        user_id=cmd.user_id,
        month=month,
        order_value=cmd.order_value,
        collections=cmd.collections,
        visits=cmd.visits,
        new_contacts=cmd.new_contacts,
        set_by=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    await uow.targets.add(target)
    await audit(uow, deps, "target.created", actor=principal, entity="target",
                entity_id=target.id, detail={"userId": str(cmd.user_id), "month": month,
                                             **_figures(cmd)})  # fmt: skip
    return target


async def change_target(uow: UnitOfWork, principal: Principal, target: Target,
                        changes: Mapping[str, Any], deps: Deps) -> None:  # fmt: skip
    """Apply new figures to ``target`` (read with its lock); only the figures change."""
    require(principal, Action.TARGET_WRITE)
    await _subject(uow, principal, target.user_id)
    unknown = sorted(set(changes) - set(METRICS))
    if unknown:
        raise ValidationFailed(details={name: ["Cannot be changed."] for name in unknown})
    before = target.figures
    target.apply({**changes, "set_by": principal.user_id, "updated_at": deps.clock.now()})
    await uow.targets.save(target)
    changed = {n: getattr(target, n) for n in METRICS if getattr(before, n) != getattr(target, n)}
    await audit(uow, deps, "target.updated", actor=principal, entity="target",
                entity_id=target.id, detail={"month": target.month, **changed})  # fmt: skip


async def visible_target(uow: UnitOfWork, principal: Principal, target_id: UUID, *,
                         lock: bool = False) -> Target | None:  # fmt: skip
    """The target (tombstones too), ``NotFound`` if the caller may not read it: their
    own, their reports' (a MANAGER), or any (ADMIN)."""
    target = await uow.targets.get(target_id, include_deleted=True, lock=lock)
    if target is None or target.user_id == principal.user_id or principal.role is Role.ADMIN:
        return target
    if principal.role is Role.MANAGER:
        user = await uow.users.get(target.user_id)
        if user is not None and user.manager_id == principal.user_id:
            return target
    return found(None, "target")


async def my_month(principal: Principal, month: str | None, deps: Deps) -> RepMonth:
    """The caller's own month against target (default: the company's current month)."""
    require(principal, Action.TARGET_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        me = found(await uow.users.get(principal.user_id), "user")
        chosen, zone = await _month(uow, principal, month, deps)
        months = await _months(uow, [me], chosen, zone)
    return months[0]


async def team_month(
    principal: Principal, month: str | None, user_id: UUID | None, deps: Deps
) -> TeamMonth:
    """Every person in scope (a MANAGER's active reports; for an ADMIN every active
    SALES_REP and MANAGER), or only ``user_id`` among them, with the roll-up."""
    require(principal, Action.TARGET_TEAM)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        chosen, zone = await _month(uow, principal, month, deps)
        manager = principal.user_id if principal.role is Role.MANAGER else None
        people = [
            user
            for user in await uow.users.list(
                after=None, limit=MAX_PEOPLE, manager_id=manager, active=True
            )
            if user.role in SUBJECTS and (user_id is None or user.id == user_id)
        ]
        reps = await _months(uow, people, chosen, zone)
    target = sum((r.target.figures for r in reps if r.target is not None), NOTHING)
    achieved = sum((r.progress.achieved for r in reps), NOTHING)
    return TeamMonth(chosen, reps, Progress(target, achieved))


async def _months(uow: UnitOfWork, people: Sequence[User], month: str, zone: str) -> list[RepMonth]:
    """The month of each of ``people``: two statements, however many they are."""
    ids = [user.id for user in people]
    if not ids:
        return []
    start, end = month_bounds(month, zone)
    targets = {t.user_id: t for t in await uow.targets.in_month(month, ids)}
    achieved = await uow.targets.achieved(ids, start, end)
    return [
        RepMonth(
            user,
            month,
            targets.get(user.id),
            Progress(_figures_of(targets.get(user.id)), achieved.get(user.id, NOTHING)),
        )
        for user in people
    ]


def _figures_of(target: Target | None) -> Figures | None:
    return target.figures if target is not None else None
