"""Equipment types and equipment: create, read, list (by site, type, status, or the
QR-friendly serial lookup), edit and delete.

Every role reads both (a technician needs to know what stands at a site); writing is
``EQUIPMENT_WRITE`` (MANAGER, ADMIN). A machine's ``attributes`` are checked against its
type's declarations on every write that touches them, its type or its site (a 422 naming
``attributes.<name>``); a serial number taken by live equipment is a 409. A type with
live equipment is not deleted (409). Editing a type's declarations does not rewrite
existing machines: each is checked against the new declarations on its next write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.equipment import (
    Equipment,
    EquipmentStatus,
    EquipmentType,
    check_attributes,
)
from fieldedge.errors import Conflict, ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.equipment import EquipmentQuery
from fieldedge.services.common import audit, commit_new, found, id_taken, new_id
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, after_id, page_by_id
from fieldedge.services.sites import check_site

NO_TYPE = "No such equipment type in this company."


@dataclass(frozen=True, slots=True)
class CreateType:
    name: str
    id: UUID | None = None
    attributes: Sequence[Mapping[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CreateEquipment:
    type_id: UUID
    site_id: UUID
    make: str
    model: str
    serial: str
    id: UUID | None = None
    install_date: date | None = None
    warranty_end: date | None = None
    status: EquipmentStatus = EquipmentStatus.OPERATIONAL
    status_reason: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EquipmentFilter:
    site_id: UUID | None = None
    type_id: UUID | None = None
    status: EquipmentStatus | None = None
    serial: str | None = None


# --- types ----------------------------------------------------------------------------


async def get_type(principal: Principal, type_id: UUID, deps: Deps) -> EquipmentType:
    require(principal, Action.EQUIPMENT_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return found(await uow.equipment_types.get(type_id), "equipment type")


async def list_types(principal: Principal, cursor: str | None, limit: int, deps: Deps) -> Page[Any]:
    require(principal, Action.EQUIPMENT_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        rows = await uow.equipment_types.list(after_id(cursor), limit + 1)
    return page_by_id(rows, limit)


async def create_type(principal: Principal, cmd: CreateType, deps: Deps) -> EquipmentType:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        kind = await new_type(uow, principal, cmd, deps)
        await commit_new(uow, cmd.id)
    return kind


async def new_type(
    uow: UnitOfWork, principal: Principal, cmd: CreateType, deps: Deps
) -> EquipmentType:
    require(principal, Action.EQUIPMENT_WRITE)
    if cmd.id is not None and await uow.equipment_types.get(cmd.id, include_deleted=True):
        raise id_taken()
    now = deps.clock.now()
    kind = EquipmentType(
        id=new_id(deps, cmd.id),
        company_id=principal.tenant,
        name=cmd.name,
        attributes=[dict(spec) for spec in cmd.attributes],
        created_at=now,
        updated_at=now,
    )
    await uow.equipment_types.add(kind)
    await audit(
        uow, deps, "equipment_type.created", actor=principal, entity="equipment_type",
        entity_id=kind.id, detail={"name": kind.name},
    )  # fmt: skip
    return kind


async def update_type(
    principal: Principal, type_id: UUID, changes: Mapping[str, Any], deps: Deps
) -> EquipmentType:
    require(principal, Action.EQUIPMENT_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        kind = found(await uow.equipment_types.get(type_id, lock=True), "equipment type")
        await change_type(uow, principal, kind, changes, deps)
        await uow.commit()
    return kind


async def change_type(
    uow: UnitOfWork,
    principal: Principal,
    kind: EquipmentType,
    changes: Mapping[str, Any],
    deps: Deps,
) -> None:
    require(principal, Action.EQUIPMENT_WRITE)
    kind.apply(changes)
    if not kind.changes():
        return
    kind.updated_at = deps.clock.now()
    await uow.equipment_types.save(kind)
    await audit(
        uow, deps, "equipment_type.updated", actor=principal, entity="equipment_type",
        entity_id=kind.id, detail={"fields": sorted(changes)},
    )  # fmt: skip


async def delete_type(principal: Principal, type_id: UUID, deps: Deps) -> EquipmentType:
    require(principal, Action.EQUIPMENT_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        kind = found(await uow.equipment_types.get(type_id, lock=True), "equipment type")
        await remove_type(uow, principal, kind, deps)
        await uow.commit()
    return kind


async def remove_type(
    uow: UnitOfWork, principal: Principal, kind: EquipmentType, deps: Deps
) -> None:
    require(principal, Action.EQUIPMENT_WRITE)
    if await uow.equipment.list(EquipmentQuery(type_id=kind.id, limit=1)):
        raise Conflict("Live equipment is of this type; retype or delete it first.")
    now = deps.clock.now()
    kind.apply({"deleted_at": now, "updated_at": now})
    await uow.equipment_types.save(kind)
    await audit(
        uow, deps, "equipment_type.deleted", actor=principal, entity="equipment_type",
        entity_id=kind.id,
    )  # fmt: skip


# --- equipment ------------------------------------------------------------------------


async def _type_of(uow: UnitOfWork, type_id: UUID) -> EquipmentType:
    """The live type, locked so it is not deleted under the machine; a 422 on typeId."""
    kind = await uow.equipment_types.get(type_id, lock=True)
    if kind is None:
        raise ValidationFailed(details={"typeId": [NO_TYPE]})
    return kind


async def visible_equipment(
    uow: UnitOfWork, equipment_id: UUID, *, lock: bool = False
) -> Equipment:
    return found(await uow.equipment.get(equipment_id, lock=lock), "equipment")


async def get_equipment(principal: Principal, equipment_id: UUID, deps: Deps) -> Equipment:
    require(principal, Action.EQUIPMENT_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return await visible_equipment(uow, equipment_id)


async def list_equipment(
    principal: Principal, filters: EquipmentFilter, cursor: str | None, limit: int, deps: Deps
) -> Page[Any]:
    require(principal, Action.EQUIPMENT_READ)
    query = EquipmentQuery(
        after=after_id(cursor),
        limit=limit + 1,
        site_id=filters.site_id,
        type_id=filters.type_id,
        status=filters.status,
        serial=filters.serial.strip() if filters.serial else None,
    )
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        rows = await uow.equipment.list(query)
    return page_by_id(rows, limit)


async def create_equipment(principal: Principal, cmd: CreateEquipment, deps: Deps) -> Equipment:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        equipment = await new_equipment(uow, principal, cmd, deps)
        await commit_new(uow, cmd.id)
    return equipment


async def new_equipment(
    uow: UnitOfWork, principal: Principal, cmd: CreateEquipment, deps: Deps
) -> Equipment:
    require(principal, Action.EQUIPMENT_WRITE)
    if cmd.id is not None and await uow.equipment.get(cmd.id, include_deleted=True):
        raise id_taken()
    now = deps.clock.now()
    equipment = Equipment(
        id=new_id(deps, cmd.id),
        company_id=principal.tenant,
        type_id=cmd.type_id,
        site_id=cmd.site_id,
        make=cmd.make,
        model=cmd.model,
        serial=cmd.serial,
        install_date=cmd.install_date,
        warranty_end=cmd.warranty_end,
        status=cmd.status,
        status_reason=cmd.status_reason,
        attributes=dict(cmd.attributes),
        created_at=now,
        updated_at=now,
    )
    kind = await _type_of(uow, cmd.type_id)
    await check_site(uow, cmd.site_id, "siteId")
    equipment.attributes = check_attributes(kind.specs, equipment.attributes)
    await uow.equipment.add(equipment)
    await audit(
        uow, deps, "equipment.created", actor=principal, entity="equipment",
        entity_id=equipment.id,
        detail={"serial": equipment.serial, "siteId": str(equipment.site_id)},
    )  # fmt: skip
    return equipment


async def update_equipment(
    principal: Principal, equipment_id: UUID, changes: Mapping[str, Any], deps: Deps
) -> Equipment:
    """``changes`` holds only the fields the client sent, by their domain names."""
    require(principal, Action.EQUIPMENT_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        equipment = await visible_equipment(uow, equipment_id, lock=True)
        await change_equipment(uow, principal, equipment, changes, deps)
        await uow.commit()
    return equipment


async def change_equipment(
    uow: UnitOfWork,
    principal: Principal,
    equipment: Equipment,
    changes: Mapping[str, Any],
    deps: Deps,
) -> None:
    """Apply ``changes``: a new type or attributes are checked together; a new site must
    be a live site of this company; a status change is audited with its reason."""
    require(principal, Action.EQUIPMENT_WRITE)
    before = equipment.status
    values = dict(changes)
    if "type_id" in values or "attributes" in values:
        kind = await _type_of(uow, values.get("type_id", equipment.type_id))
        values["attributes"] = check_attributes(
            kind.specs, values.get("attributes", equipment.attributes)
        )
    if "site_id" in values and values["site_id"] != equipment.site_id:
        await check_site(uow, values["site_id"], "siteId")
    status = values.pop("status", equipment.status)
    reason = values.pop("status_reason", equipment.status_reason)
    equipment.apply(values)
    if not equipment.set_status(status, reason, by=principal.user_id, at=deps.clock.now()):
        equipment.status_reason = reason
    if not equipment.changes():
        return
    equipment.updated_at = deps.clock.now()
    await uow.equipment.save(equipment)
    detail: dict[str, Any] = {"fields": sorted(changes)}
    if equipment.status != before:
        detail |= {"from": before.value, "to": equipment.status.value}
    await audit(
        uow, deps, "equipment.updated", actor=principal, entity="equipment",
        entity_id=equipment.id, detail=detail,
    )  # fmt: skip


async def delete_equipment(principal: Principal, equipment_id: UUID, deps: Deps) -> Equipment:
    """A tombstone: the serial number is free again for live equipment."""
    require(principal, Action.EQUIPMENT_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        equipment = await visible_equipment(uow, equipment_id, lock=True)
        await remove_equipment(uow, principal, equipment, deps)
        await uow.commit()
    return equipment


async def remove_equipment(
    uow: UnitOfWork, principal: Principal, equipment: Equipment, deps: Deps
) -> None:
    require(principal, Action.EQUIPMENT_WRITE)
    now = deps.clock.now()
    equipment.apply({"deleted_at": now, "updated_at": now})
    await uow.equipment.save(equipment)
    await audit(
        uow, deps, "equipment.deleted", actor=principal, entity="equipment",
        entity_id=equipment.id,
    )  # fmt: skip
