"""Beats and plans: create, read, edit, delete, under the role table and the work scope.

A beat and its plans belong to one rep (``user_id``): a SALES_REP makes and edits only
their own, a MANAGER their team's (themselves included), an ADMIN anyone's; a beat or
plan outside that is ``NotFound``, the same as one that does not exist. A beat lists
only contacts its rep may see (``visibility.contact_owners`` for that rep): a contact
of another tenant, deleted, or assigned to another rep is the ``contactIds`` 422. A plan
follows its beat's rep; a beat with live plans is not deleted (409).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.beats import Beat, Plan, Weekday
from fieldedge.domain.identity import User
from fieldedge.errors import Conflict, ValidationFailed
from fieldedge.ports.beats import BeatQuery, PlanQuery
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.records import Record
from fieldedge.services.common import audit, commit_new, found, id_taken, new_id
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, after_id, page_by_id
from fieldedge.services.visibility import contact_owners, narrowed, work_owners


@dataclass(frozen=True, slots=True)
class CreateBeat:
    name: str
    contact_ids: list[UUID]
    user_id: UUID | None = None  # whose beat; the caller's own by default
    id: UUID | None = None  # a client-made id (offline creates)


@dataclass(frozen=True, slots=True)
class CreatePlan:
    beat_id: UUID
    date: dt.date | None = None
    weekdays: list[Weekday] = field(default_factory=list)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    id: UUID | None = None


async def _in_scope(uow: UnitOfWork, principal: Principal, user_id: UUID) -> bool:
    if user_id == principal.user_id:
        return True
    owners = await work_owners(uow, principal)
    return owners is None or user_id in owners


async def _rep(uow: UnitOfWork, principal: Principal, user_id: UUID | None) -> User:
    """The rep a new beat is for: the caller, or an active user in the caller's scope."""
    user = await uow.users.get(user_id or principal.user_id)
    if user is None or not user.active or not await _in_scope(uow, principal, user.id):
        raise ValidationFailed(details={"userId": ["Must be an active user you manage."]})
    return user


async def check_contacts(uow: UnitOfWork, rep: User, contact_ids: list[UUID]) -> None:
    """Every contact exists, is live, and is one ``rep`` may see (one read for them all)."""
    rep_sees = contact_owners(Principal(user_id=rep.id, company_id=rep.company_id, role=rep.role))
    live = {o.id: o for o in await uow.plans.outlets(set(contact_ids))}
    bad = [
        str(contact_id)
        for contact_id in dict.fromkeys(contact_ids)
        if contact_id not in live
        or (rep_sees is not None and live[contact_id].owner_id not in rep_sees)
    ]
    if bad:
        raise ValidationFailed(
            details={"contactIds": [f"Not a contact this rep may visit: {', '.join(bad)}."]}
        )


async def visible_beat(uow: UnitOfWork, principal: Principal, beat_id: UUID, *,
                       lock: bool = False) -> Beat:  # fmt: skip
    beat = await uow.beats.get(beat_id, lock=lock)
    visible = beat is not None and await _in_scope(uow, principal, beat.user_id)
    return found(beat, "beat", visible=visible)


async def visible_plan(uow: UnitOfWork, principal: Principal, plan_id: UUID, *,
                       lock: bool = False) -> Plan:  # fmt: skip
    plan = await uow.plans.get(plan_id, lock=lock)
    visible = plan is not None and await _in_scope(uow, principal, plan.user_id)
    return found(plan, "plan", visible=visible)


async def get_beat(principal: Principal, beat_id: UUID, deps: Deps) -> Beat:
    require(principal, Action.PLAN_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return await visible_beat(uow, principal, beat_id)


async def list_beats(principal: Principal, user_id: UUID | None, cursor: str | None,
                     limit: int, deps: Deps) -> Page[Record]:  # fmt: skip
    require(principal, Action.PLAN_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        owners = narrowed(await work_owners(uow, principal), user_id)
        if owners is not None and not owners:
            return Page(items=[], limit=limit, next_cursor=None)
        query = BeatQuery(after=after_id(cursor), limit=limit + 1, user_ids=owners)
        rows = await uow.beats.list(query)
    return page_by_id(rows, limit)


async def create_beat(principal: Principal, cmd: CreateBeat, deps: Deps) -> Beat:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        beat = await new_beat(uow, principal, cmd, deps)
        await commit_new(uow, cmd.id)
    return beat


async def new_beat(uow: UnitOfWork, principal: Principal, cmd: CreateBeat, deps: Deps) -> Beat:
    """The beat ``cmd`` describes, added to ``uow`` (REST and sync create alike)."""
    require(principal, Action.PLAN_WRITE)
    beat_id = new_id(deps, cmd.id)
    if cmd.id is not None and await uow.beats.get(cmd.id, include_deleted=True):
        raise id_taken()
    rep = await _rep(uow, principal, cmd.user_id)
    now = deps.clock.now()
    beat = Beat(id=beat_id, company_id=principal.tenant, user_id=rep.id, name=cmd.name,
                contact_ids=cmd.contact_ids, created_at=now, updated_at=now)  # fmt: skip
    await check_contacts(uow, rep, beat.contact_ids)
    await uow.beats.add(beat)
    await audit(uow, deps, "beat.created", actor=principal, entity="beat", entity_id=beat.id,
                detail={"userId": str(rep.id), "contacts": len(beat.contact_ids)})  # fmt: skip
    return beat


async def update_beat(principal: Principal, beat_id: UUID, changes: Mapping[str, Any],
                      deps: Deps) -> Beat:  # fmt: skip
    require(principal, Action.PLAN_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        beat = await visible_beat(uow, principal, beat_id, lock=True)
        await change_beat(uow, principal, beat, changes, deps)
        await uow.commit()
    return beat


async def change_beat(uow: UnitOfWork, principal: Principal, beat: Beat,
                      changes: Mapping[str, Any], deps: Deps) -> None:  # fmt: skip
    """Apply ``changes`` (name, contact_ids) to ``beat`` (read with its lock)."""
    require(principal, Action.PLAN_WRITE)
    beat.apply({**changes, "updated_at": deps.clock.now()})
    if "contact_ids" in changes:
        rep = found(await uow.users.get(beat.user_id), "user")
        await check_contacts(uow, rep, beat.contact_ids)
    await uow.beats.save(beat)
    await audit(uow, deps, "beat.updated", actor=principal, entity="beat", entity_id=beat.id,
                detail={"fields": sorted(changes)})  # fmt: skip


async def delete_beat(principal: Principal, beat_id: UUID, deps: Deps) -> Beat:
    require(principal, Action.PLAN_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        beat = await visible_beat(uow, principal, beat_id, lock=True)
        await remove_beat(uow, principal, beat, deps)
        await uow.commit()
    return beat


async def remove_beat(uow: UnitOfWork, principal: Principal, beat: Beat, deps: Deps) -> None:
    """A tombstone (sync sends the delete); refused while a live plan uses the beat."""
    require(principal, Action.PLAN_WRITE)
    if await uow.plans.uses_beat(beat.id):
        raise Conflict("This beat is planned; delete its plans first.")
    now = deps.clock.now()
    beat.apply({"deleted_at": now, "updated_at": now})
    await uow.beats.save(beat)
    await audit(uow, deps, "beat.deleted", actor=principal, entity="beat", entity_id=beat.id)


# --- plans --------------------------------------------------------------------------


async def get_plan(principal: Principal, plan_id: UUID, deps: Deps) -> Plan:
    require(principal, Action.PLAN_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return await visible_plan(uow, principal, plan_id)


@dataclass(frozen=True, slots=True)
class PlanFilter:
    user_id: UUID | None = None
    beat_id: UUID | None = None
    day_from: dt.date | None = None
    day_to: dt.date | None = None


async def list_plans(principal: Principal, filters: PlanFilter, cursor: str | None,
                     limit: int, deps: Deps) -> Page[Record]:  # fmt: skip
    require(principal, Action.PLAN_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        owners = narrowed(await work_owners(uow, principal), filters.user_id)
        if owners is not None and not owners:
            return Page(items=[], limit=limit, next_cursor=None)
        query = PlanQuery(after=after_id(cursor), limit=limit + 1, user_ids=owners,
                          beat_id=filters.beat_id, day_from=filters.day_from,
                          day_to=filters.day_to)  # fmt: skip
        rows = await uow.plans.list(query)
    return page_by_id(rows, limit)


async def _plan_beat(uow: UnitOfWork, principal: Principal, beat_id: UUID) -> Beat:
    beat = await uow.beats.get(beat_id)
    if beat is None or not await _in_scope(uow, principal, beat.user_id):
        raise ValidationFailed(details={"beatId": ["No such beat."]})
    return beat


async def create_plan(principal: Principal, cmd: CreatePlan, deps: Deps) -> Plan:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        plan = await new_plan(uow, principal, cmd, deps)
        await commit_new(uow, cmd.id)
    return plan


async def new_plan(uow: UnitOfWork, principal: Principal, cmd: CreatePlan, deps: Deps) -> Plan:
    require(principal, Action.PLAN_WRITE)
    plan_id = new_id(deps, cmd.id)
    if cmd.id is not None and await uow.plans.get(cmd.id, include_deleted=True):
        raise id_taken()
    beat = await _plan_beat(uow, principal, cmd.beat_id)
    now = deps.clock.now()
    plan = Plan(id=plan_id, company_id=principal.tenant, user_id=beat.user_id, beat_id=beat.id,
                date=cmd.date, weekdays=cmd.weekdays, start_date=cmd.start_date,
                end_date=cmd.end_date, created_at=now, updated_at=now)  # fmt: skip
    await uow.plans.add(plan)
    await audit(uow, deps, "plan.created", actor=principal, entity="plan", entity_id=plan.id,
                detail={"beatId": str(beat.id), "userId": str(beat.user_id)})  # fmt: skip
    return plan


async def update_plan(principal: Principal, plan_id: UUID, changes: Mapping[str, Any],
                      deps: Deps) -> Plan:  # fmt: skip
    require(principal, Action.PLAN_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        plan = await visible_plan(uow, principal, plan_id, lock=True)
        await change_plan(uow, principal, plan, changes, deps)
        await uow.commit()
    return plan


async def change_plan(uow: UnitOfWork, principal: Principal, plan: Plan,
                      changes: Mapping[str, Any], deps: Deps) -> None:  # fmt: skip
    """Apply ``changes`` (beat_id, date, weekdays, start_date, end_date), validated
    together; a new beat must be the same rep's."""
    require(principal, Action.PLAN_WRITE)
    values = dict(changes)
    if "beat_id" in values and values["beat_id"] != plan.beat_id:
        beat = await _plan_beat(uow, principal, values["beat_id"])
        if beat.user_id != plan.user_id:
            raise ValidationFailed(details={"beatId": ["Must be a beat of the plan's rep."]})
    plan.apply({**values, "updated_at": deps.clock.now()})
    await uow.plans.save(plan)
    await audit(uow, deps, "plan.updated", actor=principal, entity="plan", entity_id=plan.id,
                detail={"fields": sorted(changes)})  # fmt: skip


async def delete_plan(principal: Principal, plan_id: UUID, deps: Deps) -> Plan:
    require(principal, Action.PLAN_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        plan = await visible_plan(uow, principal, plan_id, lock=True)
        await remove_plan(uow, principal, plan, deps)
        await uow.commit()
    return plan


async def remove_plan(uow: UnitOfWork, principal: Principal, plan: Plan, deps: Deps) -> None:
    require(principal, Action.PLAN_WRITE)
    now = deps.clock.now()
    plan.apply({"deleted_at": now, "updated_at": now})
    await uow.plans.save(plan)
    await audit(uow, deps, "plan.deleted", actor=principal, entity="plan", entity_id=plan.id)
