"""Create, read, edit and delete contacts, under the role table and the owner scope.

A SALES_REP sees and edits only the contacts assigned to them, and a contact they create
is theirs; giving a contact to someone else is ``CONTACT_ASSIGN`` (MANAGER, ADMIN). A
contact outside the caller's scope is ``NotFound``, the same as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.contacts import Contact, ContactType, normalize_phone
from fieldedge.domain.identity import Role
from fieldedge.errors import Conflict, ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.sites import SiteQuery
from fieldedge.services.common import audit, commit_new, found, id_taken, new_id, scope_moved
from fieldedge.services.deps import Deps
from fieldedge.services.territories import check_territory
from fieldedge.services.visibility import contact_owners
from fieldedge.services.webhooks.emit import emit

OWNER_ROLES = frozenset({Role.SALES_REP, Role.MANAGER})


@dataclass(frozen=True, slots=True)
class CreateContact:
    name: str
    id: UUID | None = None  # a client-made id (offline creates)
    type: ContactType = ContactType.OTHER
    owner_id: UUID | None = None
    territory_id: UUID | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    tags: list[str] = field(default_factory=list)
    notes: str | None = None


def sees_contact(principal: Principal, contact: Contact) -> bool:
    owners = contact_owners(principal)
    return owners is None or contact.owner_id in owners


async def visible_contact(
    uow: UnitOfWork, principal: Principal, contact_id: UUID, *, lock: bool = False
) -> Contact:
    """The live contact, if the caller may see it; ``NotFound`` otherwise."""
    contact = await uow.contacts.get(contact_id, lock=lock)
    return found(
        contact, "contact", visible=contact is not None and sees_contact(principal, contact)
    )


async def _check_owner(uow: UnitOfWork, owner_id: UUID) -> None:
    user = await uow.users.get(owner_id)
    if user is None or not user.active or user.role not in OWNER_ROLES:
        raise ValidationFailed(
            details={"ownerId": ["Must be an active SALES_REP or MANAGER of this company."]}
        )


async def _country(uow: UnitOfWork, company_id: UUID) -> str:
    company = await uow.companies.get(company_id)
    return company.country if company else "IN"


async def get_contact(principal: Principal, contact_id: UUID, deps: Deps) -> Contact:
    require(principal, Action.CONTACT_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return await visible_contact(uow, principal, contact_id)


async def create_contact(principal: Principal, cmd: CreateContact, deps: Deps) -> Contact:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        contact = await new_contact(uow, principal, cmd, deps)
        await commit_new(uow, cmd.id)
    return contact


async def new_contact(
    uow: UnitOfWork, principal: Principal, cmd: CreateContact, deps: Deps
) -> Contact:
    """The contact ``cmd`` describes, added to ``uow`` (REST and sync create alike)."""
    require(principal, Action.CONTACT_WRITE)
    owner_id = cmd.owner_id
    if principal.role is Role.SALES_REP:
        if owner_id not in (None, principal.user_id):
            require(principal, Action.CONTACT_ASSIGN)
        owner_id = principal.user_id  # what a rep creates is theirs
    now = deps.clock.now()
    company_id = principal.tenant
    contact_id = new_id(deps, cmd.id)
    if cmd.id is not None and await uow.contacts.get(cmd.id, include_deleted=True):
        raise id_taken()
    phone = normalize_phone(cmd.phone, await _country(uow, company_id)) if cmd.phone else None
    if owner_id is not None and principal.role is not Role.SALES_REP:
        await _check_owner(uow, owner_id)
    if cmd.territory_id is not None:
        await check_territory(uow, cmd.territory_id, "territoryId")
    contact = Contact(
        id=contact_id,
        company_id=company_id,
        type=cmd.type,
        owner_id=owner_id,
        territory_id=cmd.territory_id,
        created_by=principal.user_id,
        name=cmd.name,
        phone=phone,
        email=cmd.email,
        address=cmd.address,
        city=cmd.city,
        latitude=cmd.latitude,
        longitude=cmd.longitude,
        tags=cmd.tags,
        notes=cmd.notes,
        created_at=now,
        updated_at=now,
    )
    await uow.contacts.add(contact)
    await audit(
        uow,
        deps,
        "contact.created",
        actor=principal,
        entity="contact",
        entity_id=contact.id,
        detail={"ownerId": str(owner_id) if owner_id else None},
    )
    await emit(uow, deps, "contact.created", contact)
    return contact


async def update_contact(
    principal: Principal, contact_id: UUID, changes: Mapping[str, Any], deps: Deps
) -> Contact:
    """``changes`` holds only the fields the client sent, by their domain names."""
    require(principal, Action.CONTACT_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        contact = await visible_contact(uow, principal, contact_id, lock=True)
        await change_contact(uow, principal, contact, changes, deps)
        await uow.commit()
    return contact


async def change_contact(
    uow: UnitOfWork, principal: Principal, contact: Contact, changes: Mapping[str, Any], deps: Deps
) -> None:
    """Apply ``changes`` to ``contact`` (read with its lock) under the rules of an edit."""
    require(principal, Action.CONTACT_WRITE)
    now = deps.clock.now()
    before_owner = contact.owner_id
    values = dict(changes)
    if "owner_id" in values and values["owner_id"] != before_owner:
        require(principal, Action.CONTACT_ASSIGN)
        if values["owner_id"] is not None:
            await _check_owner(uow, values["owner_id"])
    territory_id = values.get("territory_id")
    if territory_id is not None and territory_id != contact.territory_id:
        await check_territory(uow, territory_id, "territoryId")
    if values.get("phone") is not None:
        values["phone"] = normalize_phone(values["phone"], await _country(uow, principal.tenant))
    contact.apply({**values, "updated_at": now})
    await uow.contacts.save(contact)
    reassigned = contact.owner_id != before_owner
    if reassigned:
        # Replicas follow the contact: it leaves the old rep's and enters the new one's.
        await scope_moved(
            uow, deps, contact.company_id, "contact", contact.id, before_owner, contact.owner_id
        )
    await audit(
        uow,
        deps,
        "contact.reassigned" if reassigned else "contact.updated",
        actor=principal,
        entity="contact",
        entity_id=contact.id,
        detail={"fields": sorted(changes)},
    )
    await emit(uow, deps, "contact.updated", contact)


async def delete_contact(principal: Principal, contact_id: UUID, deps: Deps) -> Contact:
    """A tombstone: the row stays (sync sends the delete) but reads answer 404."""
    require(principal, Action.CONTACT_DELETE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        contact = await visible_contact(uow, principal, contact_id, lock=True)
        await remove_contact(uow, principal, contact, deps)
        await uow.commit()
    return contact


async def remove_contact(
    uow: UnitOfWork, principal: Principal, contact: Contact, deps: Deps
) -> None:
    require(principal, Action.CONTACT_DELETE)
    if await uow.sites.list(SiteQuery(contact_id=contact.id, limit=1)):
        raise Conflict("Delete this contact's sites first.")  # their equipment stands there
    now = deps.clock.now()
    contact.apply({"deleted_at": now, "updated_at": now})
    await uow.contacts.save(contact)
    await audit(
        uow, deps, "contact.deleted", actor=principal, entity="contact", entity_id=contact.id
    )
    await emit(uow, deps, "contact.deleted", contact)
