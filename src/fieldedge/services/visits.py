"""Check in, check out, read and list visits.

A check-in is always kept: ``assess_check_in`` measures it against the contact and the
company geofence and the rep's previous check-in, and the flags say why it is not
verified. Only a visit's own rep writes to it (check-out, photos); who may read it is
``work_owners`` (own, team, company), a rep also the visits at the contacts assigned to
them (whoever made them: a rep who takes over an outlet sees its history), and a visit
outside that is ``NotFound``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.identity import Role
from fieldedge.domain.photos import VisitPhoto
from fieldedge.domain.visits import PreviousCheckIn, Visit, assess_check_in
from fieldedge.errors import Forbidden, NotFound, ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.fieldforce import VisitQuery
from fieldedge.ports.records import Record
from fieldedge.services.common import at_or_now, audit, commit_new, found, id_taken, new_id
from fieldedge.services.contacts import visible_contact
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, after_id, page_by_id
from fieldedge.services.visibility import narrowed, work_owners
from fieldedge.services.webhooks.emit import emit

# Further ahead than a wrong phone clock (kept, flagged CLOCK_SKEW) plausibly is: refused.
MAX_CHECK_IN_AHEAD = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class CheckIn:
    contact_id: UUID
    latitude: float
    longitude: float
    accuracy_m: float
    id: UUID | None = None  # a client-made id (offline creates)
    checked_in_at: datetime | None = None
    purpose: str | None = None
    notes: str | None = None
    mock_location: bool = False


@dataclass(frozen=True, slots=True)
class CheckOut:
    checked_out_at: datetime | None = None
    outcome: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class VisitFilter:
    user_id: UUID | None = None
    contact_id: UUID | None = None
    verified: bool | None = None
    since: datetime | None = None
    until: datetime | None = None


async def visible_visit(
    uow: UnitOfWork, principal: Principal, visit_id: UUID, *, lock: bool = False
) -> Visit:
    visit = await uow.visits.get(visit_id, lock=lock)
    if visit is None or visit.user_id == principal.user_id:
        return found(visit, "visit")  # one's own: no team lookup needed
    if principal.role is Role.SALES_REP:
        contact = await uow.contacts.get(visit.contact_id, include_deleted=True)
        mine = contact is not None and contact.owner_id == principal.user_id
        return found(visit, "visit", visible=mine)
    owners = await work_owners(uow, principal)
    return found(visit, "visit", visible=owners is None or visit.user_id in owners)


async def own_visit(
    uow: UnitOfWork, principal: Principal, visit_id: UUID, *, lock: bool = False
) -> Visit:
    """A visit the caller may write to: one they see, and their own."""
    visit = await visible_visit(uow, principal, visit_id, lock=lock)
    if visit.user_id != principal.user_id:
        raise Forbidden("Only the rep who checked in may change this visit.")
    return visit


async def get_visit(
    principal: Principal, visit_id: UUID, deps: Deps
) -> tuple[Visit, list[VisitPhoto]]:
    """The visit and its photos (pending ones too, so a client can finish an upload)."""
    require(principal, Action.VISIT_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        visit = await visible_visit(uow, principal, visit_id)
        return visit, list(await uow.photos.for_visit(visit_id))


async def list_visits(
    principal: Principal, filters: VisitFilter, cursor: str | None, limit: int, deps: Deps
) -> Page[Record]:
    require(principal, Action.VISIT_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        owners = narrowed(await work_owners(uow, principal), filters.user_id)
        # A rep also sees visits at their contacts (unless asking for one person's).
        theirs = principal.user_id if principal.role is Role.SALES_REP else None
        if filters.user_id is not None:
            theirs = None
        if owners is not None and not owners and theirs is None:
            return Page(items=[], limit=limit, next_cursor=None)  # a userId out of scope
        rows = await uow.visits.list(
            VisitQuery(
                after=after_id(cursor),
                limit=limit + 1,
                user_ids=owners,
                at_contacts_of=theirs,
                contact_id=filters.contact_id,
                verified=filters.verified,
                since=filters.since,
                until=filters.until,
            )
        )
    return page_by_id(rows, limit)


async def check_in(principal: Principal, cmd: CheckIn, deps: Deps) -> Visit:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        visit = await new_visit(uow, principal, cmd, deps)
        await commit_new(uow, cmd.id)
    return visit


async def new_visit(
    uow: UnitOfWork,
    principal: Principal,
    cmd: CheckIn,
    deps: Deps,
    *,
    device_now: datetime | None = None,
) -> Visit:
    """The check-in ``cmd`` describes, added to ``uow`` (REST and sync alike).

    ``device_now`` is what the device's clock said when it sent a visit recorded
    offline: the clock check then measures the device's clock against the server's
    (``checkedInAt`` shifted by their difference), so a visit recorded hours before it
    reached the server is not flagged for arriving late, but one from a phone whose
    clock is a day wrong still is."""
    require(principal, Action.VISIT_WRITE)
    now = deps.clock.now()
    at = at_or_now(cmd.checked_in_at, now, "checkedInAt")
    if at > now + MAX_CHECK_IN_AHEAD:
        raise ValidationFailed(details={"checkedInAt": ["Cannot be more than 30 days ahead."]})
    skew_now = now if device_now is None else at + (now - device_now.astimezone(UTC))
    company_id = principal.tenant
    visit_id = new_id(deps, cmd.id)
    if cmd.id is not None and await uow.visits.get(cmd.id, include_deleted=True):
        raise id_taken()
    try:
        contact = await visible_contact(uow, principal, cmd.contact_id)
    except NotFound:
        raise ValidationFailed(details={"contactId": ["No such contact."]}) from None
    company = await uow.companies.get(company_id)
    previous = await uow.visits.previous_for(principal.user_id, at)
    assessment = assess_check_in(
        latitude=cmd.latitude,
        longitude=cmd.longitude,
        accuracy_m=cmd.accuracy_m,
        checked_in_at=at,
        now=skew_now,
        contact_location=contact.location,
        geofence_radius_m=company.geofence_radius_m if company else 200,
        previous=PreviousCheckIn(previous.latitude, previous.longitude, previous.checked_in_at)
        if previous
        else None,
        mock_location=cmd.mock_location,
    )
    visit = Visit(
        id=visit_id,
        company_id=company_id,
        contact_id=contact.id,
        user_id=principal.user_id,
        latitude=cmd.latitude,
        longitude=cmd.longitude,
        accuracy_m=cmd.accuracy_m,
        checked_in_at=at,
        purpose=cmd.purpose,
        notes=cmd.notes,
        distance_m=assessment.distance_m,
        verified=assessment.verified,
        flags=assessment.flags,
        created_at=now,
        updated_at=now,
    )
    await uow.visits.add(visit)
    await audit(
        uow,
        deps,
        "visit.checked_in",
        actor=principal,
        entity="visit",
        entity_id=visit.id,
        detail={"contactId": str(contact.id), "flags": [f.value for f in assessment.flags]},
    )
    await emit(uow, deps, "visit.checked_in", visit)
    return visit


async def check_out(principal: Principal, visit_id: UUID, cmd: CheckOut, deps: Deps) -> Visit:
    require(principal, Action.VISIT_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        visit = await own_visit(uow, principal, visit_id, lock=True)
        await check_out_visit(uow, principal, visit, cmd, deps)
        await uow.commit()
    return visit


async def check_out_visit(
    uow: UnitOfWork, principal: Principal, visit: Visit, cmd: CheckOut, deps: Deps
) -> None:
    """Check ``visit`` (the caller's own, read with its lock) out."""
    now = deps.clock.now()
    at = at_or_now(cmd.checked_out_at, now, "checkedOutAt")
    if at > now + MAX_CHECK_IN_AHEAD:
        raise ValidationFailed(details={"checkedOutAt": ["Cannot be more than 30 days ahead."]})
    visit.check_out(at, cmd.outcome, cmd.notes)
    visit.updated_at = now
    await uow.visits.save(visit)
    await audit(
        uow,
        deps,
        "visit.checked_out",
        actor=principal,
        entity="visit",
        entity_id=visit.id,
        detail={"outcome": cmd.outcome},
    )


async def change_visit(
    uow: UnitOfWork, principal: Principal, visit: Visit, changes: Mapping[str, Any], deps: Deps
) -> None:
    """Set check-out fields (``checked_out_at``, ``outcome``, ``checkout_notes``) of the
    caller's own ``visit``, read with its lock: the first change checks it out (now,
    unless given); a later one edits what the check-out says (sync merges them field by
    field, so a note edited offline after the check-out is not a conflict)."""
    if visit.user_id != principal.user_id:
        raise Forbidden("Only the rep who checked in may change this visit.")
    if visit.checked_out_at is None:
        cmd = CheckOut(
            changes.get("checked_out_at"), changes.get("outcome"), changes.get("checkout_notes")
        )
        await check_out_visit(uow, principal, visit, cmd, deps)
        return
    now = deps.clock.now()
    values = dict(changes)
    if "checked_out_at" in values:
        if values["checked_out_at"] is None:
            raise ValidationFailed(details={"checkedOutAt": ["A checked-out visit keeps it."]})
        values["checked_out_at"] = at_or_now(values["checked_out_at"], now, "checkedOutAt")
    visit.apply({**values, "updated_at": now})
    await uow.visits.save(visit)
    await audit(
        uow,
        deps,
        "visit.updated",
        actor=principal,
        entity="visit",
        entity_id=visit.id,
        detail={"fields": sorted(changes)},
    )
