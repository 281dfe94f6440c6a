"""Each synced entity registered once: its wire shapes and the use cases behind it.

A mutation's ``data`` is the body the entity's REST route takes (the same model, the
same errors, camelCase names), and a pulled row is what its REST route answers, so the
PWA has one shape per entity whichever way it reaches the server. A new entity joins
sync by adding its ``SyncEntity`` here (and its kind to ``SYNC_KINDS``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any
from uuid import UUID

from pydantic.alias_generators import to_camel

from fieldedge.domain.access import Principal
from fieldedge.domain.attendance import AttendanceDay
from fieldedge.domain.beats import Beat, Plan, RouteDay
from fieldedge.domain.contacts import Contact
from fieldedge.domain.expenses import ExpenseClaim
from fieldedge.domain.orders import Order, OrderStatus
from fieldedge.domain.payments import Payment
from fieldedge.domain.pricing import ItemRequest
from fieldedge.domain.targets import Target
from fieldedge.domain.territories import Territory, normalize_kind, normalize_reps
from fieldedge.domain.visits import Visit
from fieldedge.errors import NotFound, ValidationFailed
from fieldedge.http.body import validate
from fieldedge.http.routes.attendance_schemas import AttendanceOut, PunchInBody, PunchOutBody
from fieldedge.http.routes.expense_schemas import CreateExpenseBody, ExpenseOut, UpdateExpenseBody
from fieldedge.http.routes.expenses import line_input
from fieldedge.http.routes.fieldforce_schemas import (
    CheckInBody,
    CheckOutBody,
    ContactOut,
    CreateContactBody,
    PhotoOut,
    ProductOut,
    UpdateContactBody,
    VisitOut,
)
from fieldedge.http.routes.identity_schemas import UserOut
from fieldedge.http.routes.order_schemas import (
    CreateOrderBody,
    CreatePaymentBody,
    OrderOut,
    PaymentOut,
    UpdateOrderBody,
)
from fieldedge.http.routes.plan_schemas import (
    BeatOut,
    CreateBeatBody,
    CreatePlanBody,
    CreateRouteBody,
    PlanOut,
    RouteOut,
    UpdateBeatBody,
    UpdatePlanBody,
    UpdateRouteBody,
    plan_changes,
)
from fieldedge.http.routes.targets_schemas import ChangeTargetBody, SetTargetBody, TargetOut
from fieldedge.http.routes.territory_schemas import (
    CreateTerritoryBody,
    TerritoryOut,
    UpdateTerritoryBody,
)
from fieldedge.http.schemas import RequestModel, ResponseModel
from fieldedge.http.views import view_of
from fieldedge.ports.database import UnitOfWork
from fieldedge.services import (
    attendance,
    beats,
    contacts,
    expenses,
    orders,
    payments,
    plan_day,
    targets,
    territories,
    visits,
)
from fieldedge.services.deps import Deps
from fieldedge.services.sync.entities import Create, Registry, Render, Synced, SyncEntity


def _render(model: type[ResponseModel]) -> Render:
    return view_of(model).one


def _set(model: type[RequestModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` validated as ``model``: the fields sent, by their domain names."""
    body = validate(model, data)
    return body.model_dump(include=body.model_fields_set)


def _same_as(model: type[RequestModel]) -> Any:
    """A repeated create describes ``entity`` when every field it sends is as stored."""

    def same(entity: Synced, data: Mapping[str, Any]) -> bool:
        try:
            sent = _set(model, data)
        except ValidationFailed:  # data that does not validate describes nothing
            return False
        stored = entity.values()
        return all(name in stored and stored[name] == value for name, value in sent.items())

    return same


def _never(_: Synced) -> bool:
    return False


# --- contacts -----------------------------------------------------------------------


async def _load_contact(uow: UnitOfWork, principal: Principal, row_id: UUID) -> Contact | None:
    contact = await uow.contacts.get(row_id, include_deleted=True, lock=True)
    if contact is not None and not contacts.sees_contact(principal, contact):
        raise NotFound("No such contact.")
    return contact


async def _create_contact(uow: UnitOfWork, principal: Principal, c: Create, deps: Deps) -> Synced:
    body = validate(CreateContactBody, c.data)
    cmd = contacts.CreateContact(**{**body.model_dump(), "id": c.entity_id})
    return await contacts.new_contact(uow, principal, cmd, deps)


async def _update_contact(
    uow: UnitOfWork, principal: Principal, row: Synced, values: dict[str, Any], deps: Deps
) -> None:
    assert isinstance(row, Contact)
    await contacts.change_contact(uow, principal, row, values, deps)


async def _delete_contact(uow: UnitOfWork, principal: Principal, row: Synced, deps: Deps) -> None:
    assert isinstance(row, Contact)
    await contacts.remove_contact(uow, principal, row, deps)


# --- visits -------------------------------------------------------------------------


async def _load_visit(uow: UnitOfWork, principal: Principal, row_id: UUID) -> Visit | None:
    if await uow.visits.get(row_id) is None:
        return None
    return await visits.visible_visit(uow, principal, row_id, lock=True)


async def _create_visit(uow: UnitOfWork, principal: Principal, c: Create, deps: Deps) -> Synced:
    body = validate(CheckInBody, c.data)
    cmd = visits.CheckIn(**{**body.model_dump(), "id": c.entity_id})
    return await visits.new_visit(uow, principal, cmd, deps, device_now=c.client_time)


def _check_out_changes(data: Mapping[str, Any]) -> dict[str, Any]:
    sent = _set(CheckOutBody, data)
    if "notes" in sent:  # the check-out's notes are the visit's ``checkout_notes``
        sent["checkout_notes"] = sent.pop("notes")
    return sent


async def _update_visit(
    uow: UnitOfWork, principal: Principal, row: Synced, values: dict[str, Any], deps: Deps
) -> None:
    assert isinstance(row, Visit)
    await visits.change_visit(uow, principal, row, values, deps)


def _visit_same(entity: Synced, data: Mapping[str, Any]) -> bool:
    # The server sets the time when none is sent; the rest must be as stored.
    trimmed = {k: v for k, v in data.items() if k not in ("checkedInAt", "mockLocation")}
    same: bool = _same_as(CheckInBody)(entity, trimmed)
    return same


# --- orders -------------------------------------------------------------------------


async def _load_order(uow: UnitOfWork, principal: Principal, row_id: UUID) -> Order | None:
    if await uow.orders.get(row_id, include_deleted=True) is None:
        return None
    return await orders.visible_order(uow, principal, row_id, lock=True)


async def _create_order(uow: UnitOfWork, principal: Principal, c: Create, deps: Deps) -> Synced:
    body = validate(CreateOrderBody, c.data)
    cmd = orders.CreateOrder(
        id=c.entity_id,
        contact_id=body.contact_id,
        items=[ItemRequest(item.product_id, item.quantity) for item in body.items],
        notes=body.notes,
        total=body.total,
    )
    return await orders.new_order(uow, principal, cmd, deps)


def _order_same(entity: Synced, data: Mapping[str, Any]) -> bool:
    assert isinstance(entity, Order)
    try:
        body = validate(CreateOrderBody, data)
    except ValidationFailed:  # data that does not validate describes nothing
        return False
    lines = [(UUID(str(line["product_id"])), line["quantity"]) for line in entity.items]
    asked = [(item.product_id, item.quantity) for item in body.items]
    return body.contact_id == entity.contact_id and lines == asked


async def _update_order(
    uow: UnitOfWork, principal: Principal, row: Synced, values: dict[str, Any], deps: Deps
) -> None:
    assert isinstance(row, Order)
    cmd = orders.UpdateOrder(
        status=values.get("status"),
        reason=values.get("reason"),
        notes=values.get("notes", orders.UNSET),
    )
    await orders.change_order(uow, principal, row, cmd, deps)


def _order_locked(order: Synced) -> bool:
    """Past PENDING an order takes no client edit: approved, it is the manager's."""
    assert isinstance(order, Order)
    return OrderStatus(order.status) is not OrderStatus.PENDING


# --- payments -----------------------------------------------------------------------


async def _load_payment(uow: UnitOfWork, principal: Principal, row_id: UUID) -> Payment | None:
    payment = await uow.payments.get(row_id, include_deleted=True)
    if payment is not None:
        await orders.visible_order(uow, principal, payment.order_id)  # NotFound if unseen
    return payment


async def _create_payment(uow: UnitOfWork, principal: Principal, c: Create, deps: Deps) -> Synced:
    body = validate(CreatePaymentBody, c.data)
    cmd = payments.RecordPayment(**{**body.model_dump(), "id": c.entity_id})
    return await payments.new_payment(uow, principal, cmd, deps)


def _always(_: Synced) -> bool:
    return True  # a recorded payment is money received: never edited, never deleted


# --- attendance ---------------------------------------------------------------------


async def _load_day(uow: UnitOfWork, principal: Principal, row_id: UUID) -> AttendanceDay | None:
    if await uow.attendance.get(row_id) is None:
        return None
    return await attendance.visible_day(uow, principal, row_id, lock=True)


async def _create_day(uow: UnitOfWork, principal: Principal, c: Create, deps: Deps) -> Synced:
    body = validate(PunchInBody, c.data)
    cmd = attendance.PunchIn(**{**body.model_dump(), "id": c.entity_id})
    return await attendance.start_day(uow, principal, cmd, deps, device_now=c.client_time)


def _punch_out_changes(data: Mapping[str, Any]) -> dict[str, Any]:
    """A day's one edit is its punch-out: the whole punch, by the day's field names."""
    body = validate(PunchOutBody, data)
    return {
        "punched_out_at": body.punched_out_at,
        "out_latitude": body.latitude,
        "out_longitude": body.longitude,
        "out_accuracy_m": body.accuracy_m,
        "mock_location": body.mock_location,
    }


async def _update_day(
    uow: UnitOfWork, principal: Principal, row: Synced, values: dict[str, Any], deps: Deps
) -> None:
    assert isinstance(row, AttendanceDay)
    cmd = attendance.PunchOut(
        latitude=values["out_latitude"],
        longitude=values["out_longitude"],
        accuracy_m=values["out_accuracy_m"],
        punched_out_at=values.get("punched_out_at"),
        mock_location=bool(values.get("mock_location")),
    )
    await attendance.end_day(uow, principal, row, cmd, deps)


def _day_same(entity: Synced, data: Mapping[str, Any]) -> bool:
    assert isinstance(entity, AttendanceDay)
    try:
        body = validate(PunchInBody, data)
    except ValidationFailed:  # data that does not validate describes nothing
        return False
    return (body.latitude, body.longitude, body.accuracy_m) == (
        entity.in_latitude,
        entity.in_longitude,
        entity.in_accuracy_m,
    )


def _day_closed(day: Synced) -> bool:
    """A punched-out day takes no client edit: its summary is the record of the day."""
    assert isinstance(day, AttendanceDay)
    return not day.is_open


# --- expense claims -----------------------------------------------------------------


async def _load_claim(uow: UnitOfWork, principal: Principal, row_id: UUID) -> ExpenseClaim | None:
    if await uow.expenses.get(row_id, include_deleted=True) is None:
        return None
    return await expenses.visible_claim(uow, principal, row_id, lock=True)


async def _create_claim(uow: UnitOfWork, principal: Principal, c: Create, deps: Deps) -> Synced:
    body = validate(CreateExpenseBody, c.data)
    cmd = expenses.CreateClaim(
        title=body.title,
        note=body.note,
        lines=[line_input(line) for line in body.lines],
        id=c.entity_id,
    )
    return await expenses.new_claim(uow, principal, cmd, deps)


def _claim_same(entity: Synced, data: Mapping[str, Any]) -> bool:
    assert isinstance(entity, ExpenseClaim)
    try:
        body = validate(CreateExpenseBody, data)
    except ValidationFailed:  # data that does not validate describes nothing
        return False
    # A computed line's amount is the server's: its category and date describe it.
    sent = [(line.category, line.date, None if line.from_attendance else line.amount)
            for line in body.lines]  # fmt: skip
    stored = [
        (item.category, item.date, None if item.distance_m is not None else item.amount)
        for item in entity.items
    ]
    return (body.title, body.note, sent) == (entity.title, entity.note, stored)


async def _update_claim(
    uow: UnitOfWork, principal: Principal, row: Synced, values: dict[str, Any], deps: Deps
) -> list[str]:
    assert isinstance(row, ExpenseClaim)
    if "lines" in values:  # the lines as ``_set`` left them: LineBody values by field name
        values = {**values, "lines": [expenses.LineInput(**line) for line in values["lines"]]}
    return await expenses.change_claim(uow, principal, row, values, deps)  # dropped receipts


def _claim_current(row: Synced) -> dict[str, Any]:
    # The lines as the wire shows them (a receipt's storage key is not the client's).
    return {**row.values(), "lines": _render(ExpenseOut)(row)["lines"]}


def _claim_locked(claim: Synced) -> bool:
    """Past DRAFT a claim takes no client edit: it is the reviewer's now."""
    assert isinstance(claim, ExpenseClaim)
    return claim.is_locked


# --- territories --------------------------------------------------------------------


async def _load_territory(uow: UnitOfWork, _: Principal, row_id: UUID) -> Territory | None:
    return await uow.territories.get(row_id, include_deleted=True, lock=True)  # all see all


async def _create_territory(uow: UnitOfWork, principal: Principal, c: Create, deps: Deps) -> Synced:
    body = validate(CreateTerritoryBody, c.data)
    cmd = territories.CreateTerritory(**{**body.model_dump(), "id": c.entity_id})
    return await territories.new_territory(uow, principal, cmd, deps)


def _as_stored(values: dict[str, Any]) -> dict[str, Any]:
    """Sent values as the territory stores them (reps as UUID text, the level lower-cased),
    so comparing them with the row's is like with like."""
    if "rep_ids" in values:
        values["rep_ids"] = normalize_reps(values["rep_ids"])
    if "kind" in values:
        values["kind"] = normalize_kind(values["kind"])
    return values


def _territory_same(entity: Synced, data: Mapping[str, Any]) -> bool:
    try:
        sent = _as_stored(_set(CreateTerritoryBody, data))
    except ValidationFailed:  # data that does not validate describes nothing
        return False
    stored = entity.values()
    return all(stored.get(name) == value for name, value in sent.items() if name != "id")


async def _update_territory(
    uow: UnitOfWork, principal: Principal, row: Synced, values: dict[str, Any], deps: Deps
) -> None:
    assert isinstance(row, Territory)
    await territories.change_territory(uow, principal, row, values, deps)


async def _delete_territory(uow: UnitOfWork, principal: Principal, row: Synced, deps: Deps) -> None:
    assert isinstance(row, Territory)
    await territories.remove_territory(uow, principal, row, deps)


# --- targets ------------------------------------------------------------------------


async def _load_target(uow: UnitOfWork, principal: Principal, row_id: UUID) -> Target | None:
    return await targets.visible_target(uow, principal, row_id, lock=True)


async def _create_target(uow: UnitOfWork, principal: Principal, c: Create, deps: Deps) -> Synced:
    body = validate(SetTargetBody, c.data)
    cmd = targets.SetTarget(**{**body.model_dump(), "id": c.entity_id})
    return await targets.new_target(uow, principal, cmd, deps)


async def _update_target(
    uow: UnitOfWork, principal: Principal, row: Synced, values: dict[str, Any], deps: Deps
) -> None:
    assert isinstance(row, Target)
    await targets.change_target(uow, principal, row, values, deps)


# --- beats and plans ----------------------------------------------------------------


async def _load_beat(uow: UnitOfWork, principal: Principal, row_id: UUID) -> Beat | None:
    if await uow.beats.get(row_id, include_deleted=True) is None:
        return None
    return await beats.visible_beat(uow, principal, row_id, lock=True)


async def _create_beat(uow: UnitOfWork, principal: Principal, c: Create, deps: Deps) -> Synced:
    body = validate(CreateBeatBody, c.data)
    cmd = beats.CreateBeat(**{**body.model_dump(), "id": c.entity_id})
    return await beats.new_beat(uow, principal, cmd, deps)


async def _update_beat(
    uow: UnitOfWork, principal: Principal, row: Synced, values: dict[str, Any], deps: Deps
) -> None:
    assert isinstance(row, Beat)
    await beats.change_beat(uow, principal, row, values, deps)


async def _delete_beat(uow: UnitOfWork, principal: Principal, row: Synced, deps: Deps) -> None:
    assert isinstance(row, Beat)
    await beats.remove_beat(uow, principal, row, deps)


async def _load_plan(uow: UnitOfWork, principal: Principal, row_id: UUID) -> Plan | None:
    if await uow.plans.get(row_id, include_deleted=True) is None:
        return None
    return await beats.visible_plan(uow, principal, row_id, lock=True)


async def _create_plan(uow: UnitOfWork, principal: Principal, c: Create, deps: Deps) -> Synced:
    body = validate(CreatePlanBody, c.data)
    values = {**body.model_dump(), "id": c.entity_id}
    values["weekdays"] = values["weekdays"] or []
    return await beats.new_plan(uow, principal, beats.CreatePlan(**values), deps)


async def _update_plan(
    uow: UnitOfWork, principal: Principal, row: Synced, values: dict[str, Any], deps: Deps
) -> None:
    assert isinstance(row, Plan)
    await beats.change_plan(uow, principal, row, values, deps)


async def _delete_plan(uow: UnitOfWork, principal: Principal, row: Synced, deps: Deps) -> None:
    assert isinstance(row, Plan)
    await beats.remove_plan(uow, principal, row, deps)


async def _load_route(uow: UnitOfWork, principal: Principal, row_id: UUID) -> RouteDay | None:
    return await plan_day.visible_route(uow, principal, row_id)


async def _create_route(uow: UnitOfWork, principal: Principal, c: Create, deps: Deps) -> Synced:
    body = validate(CreateRouteBody, c.data)
    if body.day < await plan_day.today_of(uow, principal, deps):
        raise ValidationFailed(details={"day": ["That day is over."]})
    chosen = await uow.routes.on_day(principal.user_id, body.day, lock=True)
    if chosen is not None:  # one route per rep and day: the device updates that one
        why = f"This day already has a route ({chosen.id}): update it."
        raise ValidationFailed(details={"day": [why]})
    return await plan_day.new_route(uow, principal, body.day, body.contact_ids, deps,
                                    route_id=c.entity_id)  # fmt: skip


async def _update_route(
    uow: UnitOfWork, principal: Principal, row: Synced, values: dict[str, Any], deps: Deps
) -> None:
    assert isinstance(row, RouteDay)
    if values.get("contact_ids") is None:
        raise ValidationFailed(details={"contactIds": ["Required."]})
    await plan_day.change_route(uow, principal, row, values["contact_ids"], deps)


@cache
def registry() -> Registry:
    # Imported here: that module builds on this one's helpers (a cycle at import time).
    from fieldedge.http.sync_maintenance import maintenance_entities
    from fieldedge.http.sync_service import service_entities

    entities = (
        SyncEntity(
            name="contact",
            kind="contacts",
            render=_render(ContactOut),
            wire=to_camel,
            load=_load_contact,
            create=_create_contact,
            same=_same_as(CreateContactBody),
            locked=_never,
            ops=("create", "update", "delete"),
            changes=lambda data: _set(UpdateContactBody, data),
            current=lambda row: row.values(),
            update=_update_contact,
            delete=_delete_contact,
        ),
        SyncEntity(
            name="visit",
            kind="visits",
            render=_render(VisitOut),
            wire=to_camel,
            load=_load_visit,
            create=_create_visit,
            same=_visit_same,
            locked=_never,
            ops=("create", "update"),
            changes=_check_out_changes,
            current=lambda row: row.values(),
            update=_update_visit,
        ),
        SyncEntity(
            name="order",
            kind="orders",
            render=_render(OrderOut),
            wire=to_camel,
            load=_load_order,
            create=_create_order,
            same=_order_same,
            locked=_order_locked,
            ops=("create", "update"),
            changes=lambda data: _set(UpdateOrderBody, data),
            current=lambda row: row.values(),
            update=_update_order,
        ),
        SyncEntity(
            name="payment",
            kind="payments",
            render=_render(PaymentOut),
            wire=to_camel,
            load=_load_payment,
            create=_create_payment,
            same=_same_as(CreatePaymentBody),
            locked=_always,
            ops=("create", "update", "delete"),
        ),
        SyncEntity(
            name="attendance",
            kind="attendance",
            render=_render(AttendanceOut),
            wire=to_camel,
            load=_load_day,
            create=_create_day,
            same=_day_same,
            locked=_day_closed,
            ops=("create", "update"),
            changes=_punch_out_changes,
            current=lambda row: row.values(),
            update=_update_day,
        ),
        SyncEntity(
            name="expense",
            kind="expenses",
            render=_render(ExpenseOut),
            wire=to_camel,
            load=_load_claim,
            create=_create_claim,
            same=_claim_same,
            locked=_claim_locked,
            ops=("create", "update"),
            changes=lambda data: _set(UpdateExpenseBody, data),
            current=_claim_current,
            update=_update_claim,
        ),
        SyncEntity(
            name="territory",
            kind="territories",
            render=_render(TerritoryOut),
            wire=to_camel,
            load=_load_territory,
            create=_create_territory,
            same=_territory_same,
            locked=_never,
            ops=("create", "update", "delete"),
            changes=lambda data: _as_stored(_set(UpdateTerritoryBody, data)),
            current=lambda row: row.values(),
            update=_update_territory,
            delete=_delete_territory,
        ),
        SyncEntity(
            name="target",
            kind="targets",
            render=_render(TargetOut),
            wire=to_camel,
            load=_load_target,
            create=_create_target,
            same=_same_as(SetTargetBody),
            locked=_never,
            ops=("create", "update"),
            changes=lambda data: _set(ChangeTargetBody, data),
            current=lambda row: row.values(),
            update=_update_target,
        ),
        SyncEntity(
            name="beat",
            kind="beats",
            render=_render(BeatOut),
            wire=to_camel,
            load=_load_beat,
            create=_create_beat,
            same=_same_as(CreateBeatBody),
            locked=_never,
            ops=("create", "update", "delete"),
            changes=lambda data: _set(UpdateBeatBody, data),
            current=lambda row: row.values(),
            update=_update_beat,
            delete=_delete_beat,
        ),
        SyncEntity(
            name="plan",
            kind="plans",
            render=_render(PlanOut),
            wire=to_camel,
            load=_load_plan,
            create=_create_plan,
            same=_same_as(CreatePlanBody),
            locked=_never,
            ops=("create", "update", "delete"),
            changes=lambda data: plan_changes(validate(UpdatePlanBody, data)),
            current=lambda row: row.values(),
            update=_update_plan,
            delete=_delete_plan,
        ),
        SyncEntity(
            name="route",
            kind="routes",
            render=_render(RouteOut),
            wire=to_camel,
            load=_load_route,
            create=_create_route,
            same=_same_as(CreateRouteBody),
            locked=_never,
            ops=("create", "update"),
            changes=lambda data: _set(UpdateRouteBody, data),
            current=lambda row: row.values(),
            update=_update_route,
        ),
        *service_entities(),
        *maintenance_entities(),
    )
    renderers = {entity.kind: entity.render for entity in entities}
    renderers |= {
        "users": _render(UserOut),
        "photos": _render(PhotoOut),
        "products": _render(ProductOut),
    }
    return Registry({entity.name: entity for entity in entities}, renderers)
