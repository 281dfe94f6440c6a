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
from fieldedge.domain.contacts import (
    Contact,
    ContactType,
    check_location,
    normalize_phone,
    normalize_tags,
)
from fieldedge.domain.identity import Role
from fieldedge.errors import NotFound, ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.services.common import audit, next_version, stamp
from fieldedge.services.deps import Deps
from fieldedge.services.visibility import contact_owners

OWNER_ROLES = frozenset({Role.SALES_REP, Role.MANAGER})
# A PATCH may clear these; the others (name, type) always have a value.
_REQUIRED = ("name", "type")


@dataclass(frozen=True, slots=True)
class CreateContact:
    name: str
    type: ContactType = ContactType.OTHER
    owner_id: UUID | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    tags: list[str] = field(default_factory=list)
    notes: str | None = None


async def visible_contact(uow: UnitOfWork, principal: Principal, contact_id: UUID) -> Contact:
    """The live contact, if the caller may see it; ``NotFound`` otherwise."""
    contact = await uow.contacts.get(contact_id)
    owners = contact_owners(principal)
    if contact is None or (owners is not None and contact.owner_id not in owners):
        raise NotFound("No such contact.")
    return contact


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
    require(principal, Action.CONTACT_WRITE)
    owner_id = cmd.owner_id
    if principal.role is Role.SALES_REP:
        if owner_id not in (None, principal.user_id):
            require(principal, Action.CONTACT_ASSIGN)
        owner_id = principal.user_id  # what a rep creates is theirs
    check_location(cmd.latitude, cmd.longitude)
    tags = normalize_tags(cmd.tags)
    now = deps.clock.now()
    company_id = principal.tenant
    async with deps.db.unit_of_work(Scope.tenant(company_id)) as uow:
        phone = normalize_phone(cmd.phone, await _country(uow, company_id)) if cmd.phone else None
        if owner_id is not None and principal.role is not Role.SALES_REP:
            await _check_owner(uow, owner_id)
        contact = await uow.contacts.add(
            Contact(
                id=deps.ids.new(),
                company_id=company_id,
                type=cmd.type,
                owner_id=owner_id,
                name=cmd.name,
                phone=phone,
                email=cmd.email,
                address=cmd.address,
                city=cmd.city,
                latitude=cmd.latitude,
                longitude=cmd.longitude,
                tags=tags,
                notes=cmd.notes,
                version=await next_version(uow, company_id),
                created_at=now,
                updated_at=now,
            )
        )
        await audit(
            uow,
            deps,
            "contact.created",
            actor=principal,
            entity="contact",
            entity_id=contact.id,
            detail={"ownerId": str(owner_id) if owner_id else None},
        )
        await uow.commit()
    return contact


async def _apply(uow: UnitOfWork, contact: Contact, changes: Mapping[str, Any]) -> None:
    """Set the sent fields on ``contact``, each through its domain rule."""
    for name in _REQUIRED:
        if name in changes and changes[name] is None:
            raise ValidationFailed(details={name: ["Cannot be empty."]})
    values = dict(changes)
    if values.get("phone") is not None:
        values["phone"] = normalize_phone(values["phone"], await _country(uow, contact.company_id))
    if "tags" in values:
        values["tags"] = normalize_tags(values["tags"] or [])
    latitude = values.get("latitude", contact.latitude)
    longitude = values.get("longitude", contact.longitude)
    check_location(latitude, longitude)
    for name, value in values.items():
        setattr(contact, name, value)


async def update_contact(
    principal: Principal, contact_id: UUID, changes: Mapping[str, Any], deps: Deps
) -> Contact:
    """``changes`` holds only the fields the client sent, by their domain names."""
    require(principal, Action.CONTACT_WRITE)
    now = deps.clock.now()
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        contact = await visible_contact(uow, principal, contact_id)
        before_owner = contact.owner_id
        if "owner_id" in changes and changes["owner_id"] != before_owner:
            require(principal, Action.CONTACT_ASSIGN)
            if changes["owner_id"] is not None:
                await _check_owner(uow, changes["owner_id"])
        await _apply(uow, contact, changes)
        await stamp(uow, principal.tenant, contact, now)
        await uow.contacts.save(contact)
        reassigned = contact.owner_id != before_owner
        await audit(
            uow,
            deps,
            "contact.reassigned" if reassigned else "contact.updated",
            actor=principal,
            entity="contact",
            entity_id=contact.id,
            detail={"fields": sorted(changes)},
        )
        await uow.commit()
    return contact


async def delete_contact(principal: Principal, contact_id: UUID, deps: Deps) -> Contact:
    """A tombstone: the row stays (sync sends the delete) but reads answer 404."""
    require(principal, Action.CONTACT_DELETE)
    now = deps.clock.now()
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        contact = await visible_contact(uow, principal, contact_id)
        contact.deleted_at = now
        await stamp(uow, principal.tenant, contact, now)
        await uow.contacts.save(contact)
        await audit(
            uow, deps, "contact.deleted", actor=principal, entity="contact", entity_id=contact.id
        )
        await uow.commit()
    return contact
