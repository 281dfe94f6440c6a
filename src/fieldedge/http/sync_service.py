"""The field-service entities' sync registrations (sites, equipment types, equipment,
checklist templates, work orders), joined to ``sync_entities.registry``.

Every replica of the company holds all of them (every role reads them: ``EVERYONES``);
pushing a create, update or delete runs the REST use case, so a technician's replica
pushes no site or machine (``SITE_WRITE`` and ``EQUIPMENT_WRITE`` are MANAGER and ADMIN:
the 403 is in its mutation's result) but does fill in and complete its own work orders
offline."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic.alias_generators import to_camel

from fieldedge.domain.access import Principal
from fieldedge.domain.equipment import Equipment, EquipmentType
from fieldedge.domain.sites import Site
from fieldedge.domain.work_orders import ChecklistTemplate, WorkOrder
from fieldedge.http.body import validate
from fieldedge.http.routes.equipment_schemas import (
    CreateEquipmentBody,
    CreateTypeBody,
    EquipmentOut,
    TypeOut,
    UpdateEquipmentBody,
    UpdateTypeBody,
)
from fieldedge.http.routes.site_schemas import CreateSiteBody, SiteOut, UpdateSiteBody
from fieldedge.http.routes.work_order_schemas import (
    CreateTemplateBody,
    CreateWorkOrderBody,
    TemplateOut,
    UpdateTemplateBody,
    UpdateWorkOrderBody,
    WorkOrderOut,
)
from fieldedge.http.sync_entities import _never, _render, _same_as, _set
from fieldedge.ports.database import UnitOfWork
from fieldedge.services import equipment, sites, work_orders
from fieldedge.services.deps import Deps
from fieldedge.services.sync.entities import Create, Synced, SyncEntity

# --- sites ----------------------------------------------------------------------------


async def _load_site(uow: UnitOfWork, _: Principal, row_id: UUID) -> Site | None:
    return await uow.sites.get(row_id, include_deleted=True, lock=True)  # all see all


async def _create_site(uow: UnitOfWork, principal: Principal, c: Create, deps: Deps) -> Synced:
    body = validate(CreateSiteBody, c.data)
    cmd = sites.CreateSite(**{**body.model_dump(), "id": c.entity_id})
    return await sites.new_site(uow, principal, cmd, deps)


async def _update_site(
    uow: UnitOfWork, principal: Principal, row: Synced, values: dict[str, Any], deps: Deps
) -> None:
    assert isinstance(row, Site)
    await sites.change_site(uow, principal, row, values, deps)


async def _delete_site(uow: UnitOfWork, principal: Principal, row: Synced, deps: Deps) -> None:
    assert isinstance(row, Site)
    await sites.remove_site(uow, principal, row, deps)


# --- equipment types ------------------------------------------------------------------


async def _load_type(uow: UnitOfWork, _: Principal, row_id: UUID) -> EquipmentType | None:
    return await uow.equipment_types.get(row_id, include_deleted=True, lock=True)


async def _create_type(uow: UnitOfWork, principal: Principal, c: Create, deps: Deps) -> Synced:
    body = validate(CreateTypeBody, c.data)
    cmd = equipment.CreateType(**{**body.model_dump(), "id": c.entity_id})
    return await equipment.new_type(uow, principal, cmd, deps)


async def _update_type(
    uow: UnitOfWork, principal: Principal, row: Synced, values: dict[str, Any], deps: Deps
) -> None:
    assert isinstance(row, EquipmentType)
    await equipment.change_type(uow, principal, row, values, deps)


async def _delete_type(uow: UnitOfWork, principal: Principal, row: Synced, deps: Deps) -> None:
    assert isinstance(row, EquipmentType)
    await equipment.remove_type(uow, principal, row, deps)


# --- equipment ------------------------------------------------------------------------


async def _load_equipment(uow: UnitOfWork, _: Principal, row_id: UUID) -> Equipment | None:
    return await uow.equipment.get(row_id, include_deleted=True, lock=True)


async def _create_equipment(uow: UnitOfWork, principal: Principal, c: Create, deps: Deps) -> Synced:
    body = validate(CreateEquipmentBody, c.data)
    cmd = equipment.CreateEquipment(**{**body.model_dump(), "id": c.entity_id})
    return await equipment.new_equipment(uow, principal, cmd, deps)


async def _update_equipment(
    uow: UnitOfWork, principal: Principal, row: Synced, values: dict[str, Any], deps: Deps
) -> None:
    assert isinstance(row, Equipment)
    await equipment.change_equipment(uow, principal, row, values, deps)


async def _delete_equipment(uow: UnitOfWork, principal: Principal, row: Synced, deps: Deps) -> None:
    assert isinstance(row, Equipment)
    await equipment.remove_equipment(uow, principal, row, deps)


# --- checklist templates and work orders ---------------------------------------------


async def _load_template(uow: UnitOfWork, _: Principal, row_id: UUID) -> ChecklistTemplate | None:
    return await uow.checklist_templates.get(row_id, include_deleted=True, lock=True)


async def _create_template(uow: UnitOfWork, principal: Principal, c: Create, deps: Deps) -> Synced:
    body = validate(CreateTemplateBody, c.data)
    cmd = work_orders.CreateTemplate(**{**body.model_dump(), "id": c.entity_id})
    return await work_orders.new_template(uow, principal, cmd, deps)


async def _update_template(
    uow: UnitOfWork, principal: Principal, row: Synced, values: dict[str, Any], deps: Deps
) -> None:
    assert isinstance(row, ChecklistTemplate)
    await work_orders.update_template_in(uow, principal, row, values, deps)


async def _load_work_order(uow: UnitOfWork, _: Principal, row_id: UUID) -> WorkOrder | None:
    return await uow.work_orders.get(row_id, include_deleted=True, lock=True)


async def _create_work_order(
    uow: UnitOfWork, principal: Principal, c: Create, deps: Deps
) -> Synced:
    body = validate(CreateWorkOrderBody, c.data)
    cmd = work_orders.CreateWorkOrder(**{**body.model_dump(), "id": c.entity_id})
    return await work_orders.new_work_order(uow, principal, cmd, deps)


async def _update_work_order(
    uow: UnitOfWork, principal: Principal, row: Synced, values: dict[str, Any], deps: Deps
) -> None:
    """A technician's offline "fill in the checklist and complete" arrives here as one
    update (``answers`` then ``status``), under the REST edit's rules."""
    assert isinstance(row, WorkOrder)
    await work_orders.change_work_order(uow, principal, row, values, deps)


def _finished(row: Synced) -> bool:
    return isinstance(row, WorkOrder) and row.final


def service_entities() -> tuple[SyncEntity, ...]:
    return (
        SyncEntity(
            name="site",
            kind="sites",
            render=_render(SiteOut),
            wire=to_camel,
            load=_load_site,
            create=_create_site,
            same=_same_as(CreateSiteBody),
            locked=_never,
            ops=("create", "update", "delete"),
            changes=lambda data: _set(UpdateSiteBody, data),
            current=lambda row: row.values(),
            update=_update_site,
            delete=_delete_site,
        ),
        SyncEntity(
            name="equipment_type",
            kind="equipment_types",
            render=_render(TypeOut),
            wire=to_camel,
            load=_load_type,
            create=_create_type,
            same=_same_as(CreateTypeBody),
            locked=_never,
            ops=("create", "update", "delete"),
            changes=lambda data: _set(UpdateTypeBody, data),
            current=lambda row: row.values(),
            update=_update_type,
            delete=_delete_type,
        ),
        SyncEntity(
            name="equipment",
            kind="equipment",
            render=_render(EquipmentOut),
            wire=to_camel,
            load=_load_equipment,
            create=_create_equipment,
            same=_same_as(CreateEquipmentBody),
            locked=_never,
            ops=("create", "update", "delete"),
            changes=lambda data: _set(UpdateEquipmentBody, data),
            current=lambda row: row.values(),
            update=_update_equipment,
            delete=_delete_equipment,
        ),
        SyncEntity(
            name="checklist_template",
            kind="checklist_templates",
            render=_render(TemplateOut),
            wire=to_camel,
            load=_load_template,
            create=_create_template,
            same=_same_as(CreateTemplateBody),
            locked=_never,
            ops=("create", "update"),
            changes=lambda data: _set(UpdateTemplateBody, data),
            current=lambda row: row.values(),
            update=_update_template,
        ),
        SyncEntity(
            name="work_order",
            kind="work_orders",
            render=_render(WorkOrderOut),
            wire=to_camel,
            load=_load_work_order,
            create=_create_work_order,
            same=_same_as(CreateWorkOrderBody),
            locked=_finished,
            ops=("create", "update"),
            changes=lambda data: _set(UpdateWorkOrderBody, data),
            current=lambda row: row.values(),
            update=_update_work_order,
        ),
    )
