"""The role x action table as the use cases enforce it: for every ``Action`` one use case
that needs it, called by each role. A role the table allows gets through; any other is
``Forbidden`` and nothing is written (a SUPER_ADMIN acts in no company)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest
from contract.world import store, user

from fieldedge.domain.access import PERMISSIONS, Action, Principal
from fieldedge.domain.expenses import ExpenseCategory
from fieldedge.domain.identity import Role
from fieldedge.domain.imports import ImportKind
from fieldedge.domain.orders import OrderStatus
from fieldedge.domain.payments import PaymentMethod
from fieldedge.domain.pricing import ItemRequest
from fieldedge.errors import Forbidden
from fieldedge.http.sync_entities import registry
from fieldedge.ports.database import Scope
from fieldedge.services import (
    api_keys,
    attendance,
    beats,
    contacts,
    equipment,
    equipment_history,
    expense_review,
    expenses,
    orders,
    payments,
    plan_day,
    products,
    reports,
    sites,
    targets,
    territories,
    visits,
    work_orders,
)
from fieldedge.services.company import audit_log, platform, settings
from fieldedge.services.contact_search import ContactFilter, list_contacts
from fieldedge.services.equipment_health import equipment_health
from fieldedge.services.export_event import request_export
from fieldedge.services.imports import records as import_records
from fieldedge.services.outbox.admin import list_outbox
from fieldedge.services.sync.pull import pull
from fieldedge.services.users import manage
from fieldedge.services.webhooks import endpoints as webhook_endpoints

from .world import PUNE, World

Act = Callable[[World, Principal], Awaitable[Any]]


def _claim() -> expenses.CreateClaim:
    line = expenses.LineInput(ExpenseCategory.FOOD, date(2026, 3, 2), 900)
    return expenses.CreateClaim("Lunch", lines=[line])


async def _decide(world: World, p: Principal, *, approved: bool) -> Any:
    """rep_a2's claim (not the caller's own: nobody decides those), submitted, then
    approved by p; or, ``approved`` already by their manager, reimbursed by p."""
    rep = world.as_("rep_a2")
    claim = await expenses.create_claim(rep, _claim(), world.deps)
    await expense_review.submit_claim(rep, claim.id, world.deps)
    if not approved:
        return await expense_review.decide_claim(p, claim.id, True, None, world.deps)
    await expense_review.decide_claim(world.as_("mgr_a"), claim.id, True, None, world.deps)
    return await expense_review.reimburse_claim(p, claim.id, None, world.deps)


async def _order(world: World, status: OrderStatus = OrderStatus.PENDING) -> orders.Order:
    """An order rep_a1 took, moved to ``status`` by their manager."""
    contact = await world.contact("rep_a1")
    item = ItemRequest((await world.product()).id, 2)
    order = await orders.create_order(
        world.as_("rep_a1"), orders.CreateOrder(contact.id, [item]), world.deps
    )
    if status is not OrderStatus.PENDING:
        await orders.update_order(
            world.as_("mgr_a"), order.id, orders.UpdateOrder(status=status), world.deps
        )
    return order


async def _move(world: World, p: Principal, status: OrderStatus, before: OrderStatus) -> Any:
    order = await _order(world, before)
    return await orders.update_order(p, order.id, orders.UpdateOrder(status=status), world.deps)


async def _check_in(world: World, p: Principal) -> Any:
    contact = await world.contact("rep_a1")
    cmd = visits.CheckIn(contact_id=contact.id, latitude=PUNE[0], longitude=PUNE[1], accuracy_m=9)
    return await visits.check_in(p, cmd, world.deps)


async def _reassign(world: World, p: Principal) -> Any:
    contact = await world.contact("rep_a1")
    owner = {"owner_id": world.people["rep_a2"].id}
    return await contacts.update_contact(p, contact.id, owner, world.deps)


async def _delete_contact(world: World, p: Principal) -> Any:
    contact = await world.contact("rep_a1")
    return await contacts.delete_contact(p, contact.id, world.deps)


async def _pay(world: World, p: Principal) -> Any:
    order = await _order(world)
    cmd = payments.RecordPayment(order_id=order.id, amount=100, method=PaymentMethod.CASH)
    return await payments.record_payment(p, cmd, world.deps)


async def _create_order(world: World, p: Principal) -> Any:
    contact = await world.contact("rep_a1")
    item = ItemRequest((await world.product()).id, 1)
    return await orders.create_order(p, orders.CreateOrder(contact.id, [item]), world.deps)


async def _beat(world: World, p: Principal) -> Any:
    contact = await world.contact("rep_a1")
    cmd = beats.CreateBeat(name="Route", contact_ids=[contact.id], user_id=_rep(world))
    return await beats.create_beat(p, cmd, world.deps)


async def _site(world: World, p: Principal) -> Any:
    customer = await world.contact()
    return await sites.create_site(p, sites.CreateSite(customer.id, "Plant"), world.deps)


async def _machine(world: World) -> Any:
    admin = world.as_("admin")
    site = await _site(world, admin)
    kind = await equipment.create_type(admin, equipment.CreateType(name="Pump"), world.deps)
    cmd = equipment.CreateEquipment(kind.id, site.id, "Grundfos", "CR", "S-1")
    return await equipment.create_equipment(admin, cmd, world.deps)


async def _shutdown(world: World, p: Principal) -> Any:
    machine = await _machine(world)
    return await equipment_history.shutdown(p, machine.id, "Tripped", world.deps)


async def _comment(world: World, p: Principal) -> Any:
    machine = await _machine(world)
    cmd = work_orders.CreateWorkOrder("Fix", equipment_id=machine.id, assignee_id=_rep(world))
    made = await work_orders.create_work_order(world.as_("admin"), cmd, world.deps)
    return await work_orders.add_comment(p, made.id, "On my way", world.deps)


def _rep(world: World) -> Any:
    return world.people["rep_a1"].id


ACTS: dict[Action, Act] = {
    Action.USER_LIST: lambda w, p: manage.list_users(p, manage.UserFilter(), None, 20, w.deps),
    Action.USER_READ: lambda w, p: manage.get_user(p, _rep(w), w.deps),
    Action.USER_CREATE: lambda w, p: manage.create_user(
        p, manage.CreateUser(name="New Rep", email="new@example.com", role=Role.SALES_REP), w.deps
    ),
    Action.USER_UPDATE: lambda w, p: manage.update_user(
        p, _rep(w), manage.UpdateUser(name="Renamed Rep"), w.deps
    ),
    Action.USER_DEACTIVATE: lambda w, p: manage.deactivate_user(p, w.people["rep_b1"].id, w.deps),
    Action.COMPANY_READ: lambda w, p: settings.get_company(p, w.deps),
    Action.COMPANY_UPDATE: lambda w, p: settings.update_company(
        p, settings.UpdateCompany(name="Renamed"), w.deps
    ),
    Action.COMPANY_EXPORT: lambda w, p: request_export(p, w.deps),
    Action.AUDIT_READ: lambda w, p: audit_log.list_audit(
        p, audit_log.AuditFilter(), None, 20, w.deps
    ),
    Action.OUTBOX_READ: lambda w, p: list_outbox(p, None, None, 20, w.deps),
    Action.PLATFORM_COMPANIES: lambda w, p: platform.list_companies(p, None, 20, w.deps),
    Action.CONTACT_READ: lambda w, p: list_contacts(p, ContactFilter(), None, 20, w.deps),
    Action.CONTACT_WRITE: lambda w, p: contacts.create_contact(
        p, contacts.CreateContact(name="Dr. New"), w.deps
    ),
    Action.CONTACT_DELETE: _delete_contact,
    Action.CONTACT_ASSIGN: _reassign,
    Action.VISIT_READ: lambda w, p: visits.list_visits(p, visits.VisitFilter(), None, 20, w.deps),
    Action.VISIT_WRITE: _check_in,
    Action.PRODUCT_READ: lambda w, p: products.list_products(p, None, None, None, 20, w.deps),
    Action.PRODUCT_WRITE: lambda w, p: products.create_product(
        p, products.CreateProduct(sku="NEW-1", name="New", unit_price=100), w.deps
    ),
    Action.ORDER_READ: lambda w, p: orders.list_orders(p, orders.OrderFilter(), None, 20, w.deps),
    Action.ORDER_CREATE: _create_order,
    Action.ORDER_APPROVE: lambda w, p: _move(w, p, OrderStatus.APPROVED, OrderStatus.PENDING),
    Action.ORDER_FULFIL: lambda w, p: _move(w, p, OrderStatus.DISPATCHED, OrderStatus.APPROVED),
    Action.ORDER_CANCEL: lambda w, p: _move(w, p, OrderStatus.CANCELLED, OrderStatus.PENDING),
    Action.PAYMENT_READ: lambda w, p: payments.list_payments(
        p, payments.PaymentFilter(), None, 20, w.deps
    ),
    Action.PAYMENT_CREATE: _pay,
    Action.ATTENDANCE_READ: lambda w, p: attendance.list_days(
        p, attendance.DayFilter(), None, 20, w.deps
    ),
    Action.ATTENDANCE_WRITE: lambda w, p: attendance.punch_in(
        p, attendance.PunchIn(latitude=PUNE[0], longitude=PUNE[1], accuracy_m=9), w.deps
    ),
    Action.EXPENSE_READ: lambda w, p: expenses.list_claims(
        p, expenses.ClaimFilter(), None, 20, w.deps
    ),
    Action.EXPENSE_WRITE: lambda w, p: expenses.create_claim(p, _claim(), w.deps),
    Action.EXPENSE_APPROVE: lambda w, p: _decide(w, p, approved=False),
    Action.EXPENSE_REIMBURSE: lambda w, p: _decide(w, p, approved=True),
    Action.TERRITORY_READ: lambda w, p: territories.list_territories(
        p, territories.TerritoryFilter(), None, 20, w.deps
    ),
    Action.TERRITORY_WRITE: lambda w, p: territories.create_territory(
        p, territories.CreateTerritory(name="West", kind="region"), w.deps
    ),
    Action.TARGET_READ: lambda w, p: targets.my_month(p, None, w.deps),
    Action.TARGET_TEAM: lambda w, p: targets.team_month(p, None, None, w.deps),
    Action.TARGET_WRITE: lambda w, p: targets.set_target(
        p, targets.SetTarget(_rep(w), "2026-03", 100, 100, 10, 1), w.deps
    ),
    Action.PLAN_READ: lambda w, p: beats.list_beats(p, None, None, 20, w.deps),
    Action.PLAN_WRITE: _beat,
    Action.PLAN_COMPLIANCE: lambda w, p: plan_day.compliance(
        p, date(2026, 1, 1), date(2026, 1, 31), None, w.deps
    ),
    Action.SYNC: lambda w, p: pull(p, None, 50, registry(), w.deps),
    Action.SITE_READ: lambda w, p: sites.list_sites(p, sites.SiteFilter(), None, 20, w.deps),
    Action.SITE_WRITE: _site,
    Action.EQUIPMENT_READ: lambda w, p: equipment.list_types(p, None, 20, w.deps),
    Action.EQUIPMENT_WRITE: lambda w, p: equipment.create_type(
        p, equipment.CreateType(name="Pump"), w.deps
    ),
    Action.EQUIPMENT_SHUTDOWN: _shutdown,
    Action.WORK_ORDER_READ: lambda w, p: work_orders.list_templates(p, None, 20, w.deps),
    Action.WORK_ORDER_WRITE: lambda w, p: work_orders.create_template(
        p, work_orders.CreateTemplate(name="Check"), w.deps
    ),
    Action.WORK_ORDER_WORK: _comment,
    Action.API_KEY_MANAGE: lambda w, p: api_keys.list_keys(p, None, 20, w.deps),
    Action.WEBHOOK_MANAGE: lambda w, p: webhook_endpoints.list_endpoints(p, None, 20, w.deps),
    Action.EQUIPMENT_HEALTH: lambda w, p: equipment_health(p, w.deps),
    Action.IMPORT_MANAGE: lambda w, p: import_records.start_import(
        p, ImportKind.PRODUCTS, "a.csv", b"sku,name,unit_price\n", w.deps
    ),
    Action.REPORT_READ: lambda w, p: reports.daily_report(p, None, w.deps),
}

# Who plays each role: rep_a1 is mgr_a's, so "own" and "team" rules let them through.
PLAYER = {Role.ADMIN: "admin", Role.MANAGER: "mgr_a", Role.SALES_REP: "rep_a1"}


def test_every_action_has_a_row() -> None:
    assert set(ACTS) == set(Action) == set(PERMISSIONS)


async def _principal(world: World, role: Role) -> Principal:
    if role is Role.SUPER_ADMIN:
        root = user(None, role=Role.SUPER_ADMIN)
        await store(world.deps.db, Scope.system(), root)
        return Principal(user_id=root.id, company_id=None, role=role)
    return world.as_(PLAYER[role])


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
async def test_each_role_may_do_exactly_what_the_table_says(
    world: World, action: Action, role: Role
) -> None:
    principal = await _principal(world, role)
    if role in PERMISSIONS[action]:
        await ACTS[action](world, principal)
        return
    with pytest.raises(Forbidden):
        await ACTS[action](world, principal)


@pytest.mark.parametrize("action", [a for a in Action if Role.SALES_REP not in PERMISSIONS[a]])
async def test_a_refused_call_writes_nothing(world: World, action: Action) -> None:
    rep = world.as_("rep_a1")
    with pytest.raises(Forbidden):
        await ACTS[action](world, rep)
    set_up = {"order.created"}  # the rep's order a refused move was tried on
    written = [e.action for e in world.audit() if e.actor_id == rep.user_id]
    assert [action for action in written if action not in set_up] == []
    set_up_mail = ("order_approved", "expense_approved")  # the set-up's own approvals
    assert [e for e in world.events() if e.payload.get("template") not in set_up_mail] == []
