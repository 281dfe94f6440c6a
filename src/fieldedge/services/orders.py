"""Take, read and move orders: priced by the server, numbered without gaps, approved by
the rep's manager or an ADMIN.

Visibility first, then permission, then the status machine: an order outside the
caller's scope is ``NotFound`` (never a hint it exists), a move the caller's role may
not make is ``Forbidden``, and a move the order's state does not allow is the entity's
``InvalidStateTransition``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.identity import Role
from fieldedge.domain.orders import Order, OrderStatus
from fieldedge.domain.pricing import ItemRequest, price_items
from fieldedge.errors import Conflict, Forbidden, ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.fieldforce import OrderQuery
from fieldedge.ports.records import Record
from fieldedge.services.common import audit, commit_new, found, id_taken, new_id, queue_email
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, after_id, page_by_id
from fieldedge.services.visibility import contact_owners, narrowed, work_owners
from fieldedge.services.webhooks.emit import emit

UNSET = object()
_APPROVALS = frozenset({OrderStatus.APPROVED, OrderStatus.REJECTED})
_FULFILMENT = frozenset({OrderStatus.DISPATCHED, OrderStatus.DELIVERED})
_WITH_REASON = frozenset({OrderStatus.REJECTED, OrderStatus.CANCELLED})


@dataclass(frozen=True, slots=True)
class CreateOrder:
    contact_id: UUID
    items: Sequence[ItemRequest]
    id: UUID | None = None  # a client-made id (offline creates)
    notes: str | None = None
    total: int | None = None  # the client's idea of the total: checked, never stored


@dataclass(frozen=True, slots=True)
class UpdateOrder:
    status: OrderStatus | None = None
    reason: str | None = None
    notes: str | object | None = UNSET


@dataclass(frozen=True, slots=True)
class OrderFilter:
    status: OrderStatus | None = None
    contact_id: UUID | None = None
    user_id: UUID | None = None
    with_balance: bool | None = None


# ISO 4217 minor-unit exponents that are not 2; everything else shows two decimals.
_EXPONENT = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3}


def format_money(minor: int, currency: str) -> str:
    """``INR 1,250.00`` for an email: integer arithmetic only, never a float."""
    exponent = _EXPONENT.get(currency, 2)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**exponent)
    text = f"{whole:,}" + (f".{frac:0{exponent}d}" if exponent else "")
    return f"{currency} {sign}{text}"


def order_link(deps: Deps, order: Order) -> str:
    return f"{deps.settings.app_base_url.rstrip('/')}/orders/{order.id}"


async def visible_order(
    uow: UnitOfWork, principal: Principal, order_id: UUID, *, lock: bool = False
) -> Order:
    """The order if the caller may see it; ``NotFound`` otherwise (same as missing).
    ``lock`` holds it against concurrent writers (a payment, a status move)."""
    order = await uow.orders.get(order_id, lock=lock)
    if order is None or order.user_id == principal.user_id:
        return found(order, "order")
    owners = await work_owners(uow, principal)
    return found(order, "order", visible=owners is None or order.user_id in owners)


async def create_order(principal: Principal, cmd: CreateOrder, deps: Deps) -> Order:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        order = await new_order(uow, principal, cmd, deps)
        await commit_new(uow, cmd.id)
    return order


async def new_order(uow: UnitOfWork, principal: Principal, cmd: CreateOrder, deps: Deps) -> Order:
    """The order ``cmd`` describes, priced from the catalogue and added to ``uow``."""
    require(principal, Action.ORDER_CREATE)
    company_id = principal.tenant
    now = deps.clock.now()
    order_id = new_id(deps, cmd.id)
    if cmd.id is not None and await uow.orders.get(cmd.id, include_deleted=True):
        raise id_taken()
    contact = await uow.contacts.get(cmd.contact_id)
    owners = contact_owners(principal)
    if contact is None or (owners is not None and contact.owner_id not in owners):
        raise ValidationFailed(details={"contactId": ["No such contact."]})
    ids = {item.product_id for item in cmd.items}
    catalogue = {p.id: p for p in await uow.products.by_ids(ids)}
    priced = price_items(cmd.items, catalogue, client_total=cmd.total)
    company = found(await uow.companies.get(company_id), "company")
    order = Order(
        id=order_id,
        company_id=company_id,
        contact_id=contact.id,
        user_id=principal.user_id,
        currency=company.currency,
        notes=cmd.notes,
        created_at=now,
        updated_at=now,
    )
    order.set_pricing(priced)
    await uow.orders.add(order)  # numbered at commit
    await audit(
        uow,
        deps,
        "order.created",
        actor=principal,
        entity="order",
        entity_id=order.id,
        detail={"total": order.total, "lines": len(priced.lines)},
    )
    await emit(uow, deps, "order.created", order)
    return order


async def get_order(principal: Principal, order_id: UUID, deps: Deps) -> Order:
    require(principal, Action.ORDER_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return await visible_order(uow, principal, order_id)


async def list_orders(
    principal: Principal, filters: OrderFilter, cursor: str | None, limit: int, deps: Deps
) -> Page[Record]:
    require(principal, Action.ORDER_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        user_ids = narrowed(await work_owners(uow, principal), filters.user_id)
        if user_ids is not None and not user_ids:
            return page_by_id([], limit)  # a userId outside the caller's scope
        rows = await uow.orders.list(
            OrderQuery(
                after=after_id(cursor),
                limit=limit + 1,
                user_ids=user_ids,
                contact_id=filters.contact_id,
                status=filters.status,
                with_balance=filters.with_balance,
            )
        )
    return page_by_id(rows, limit)


async def _check_move(uow: UnitOfWork, principal: Principal, order: Order, to: OrderStatus) -> None:
    """May this caller make this move? (Whether the order allows it is the entity's call.)"""
    if to in _APPROVALS:
        require(principal, Action.ORDER_APPROVE)
        if principal.role is Role.MANAGER:
            rep = await uow.users.get(order.user_id)
            if rep is None or rep.manager_id != principal.user_id:
                raise Forbidden("Only the rep's own manager or an ADMIN may decide this order.")
    elif to in _FULFILMENT:
        require(principal, Action.ORDER_FULFIL)
    else:  # CANCELLED, or PENDING which the entity refuses
        require(principal, Action.ORDER_CANCEL)
        if principal.role is Role.SALES_REP and order.user_id != principal.user_id:
            raise Forbidden("A rep may cancel only their own orders.")


async def update_order(principal: Principal, order_id: UUID, cmd: UpdateOrder, deps: Deps) -> Order:
    require(principal, Action.ORDER_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        # The order's own lock, so two moves of one order run one after the other.
        order = await visible_order(uow, principal, order_id, lock=True)
        await change_order(uow, principal, order, cmd, deps)
        await uow.commit()
    return order


async def change_order(
    uow: UnitOfWork, principal: Principal, order: Order, cmd: UpdateOrder, deps: Deps
) -> None:
    """Move or edit ``order`` (read with its lock) under the rules of an edit."""
    require(principal, Action.ORDER_READ)
    if cmd.reason is not None and cmd.status not in _WITH_REASON:
        raise ValidationFailed(details={"reason": ["Only a rejection or cancellation has one."]})
    now = deps.clock.now()
    before = OrderStatus(order.status)
    if cmd.notes is not UNSET:
        if order.user_id != principal.user_id:
            raise Forbidden("Only the rep who took the order may edit its notes.")
        if before is not OrderStatus.PENDING:
            raise Conflict(f"A {before.value} order is locked; its notes cannot change.")
        order.notes = cmd.notes  # type: ignore[assignment]
    if cmd.status is not None:
        await _check_move(uow, principal, order, cmd.status)
        order.move_to(cmd.status, by=principal.user_id, at=now, reason=cmd.reason)
    if not order.changes():
        return  # notes set to what they were: nothing to write, nothing to audit
    order.updated_at = now
    await uow.orders.save(order)
    after = OrderStatus(order.status)
    action = f"order.{after.value.lower()}" if after is not before else "order.updated"
    detail = {"number": order.number, "from": before.value, "to": after.value}
    await audit(
        uow, deps, action, actor=principal, entity="order", entity_id=order.id, detail=detail
    )
    if after is not before:
        await emit(uow, deps, "order.status_changed", order)
    if after is OrderStatus.APPROVED and before is not OrderStatus.APPROVED:
        await _queue_approval_emails(uow, deps, order)


async def _queue_approval_emails(uow: UnitOfWork, deps: Deps, order: Order) -> None:
    """To the rep who took it and, when it has an email, the contact it is for."""
    rep = await uow.users.get(order.user_id)
    contact = await uow.contacts.get(order.contact_id, include_deleted=True)
    context = {
        "orderNumber": order.number,
        "total": format_money(order.total, order.currency),
        "totalMinor": order.total,
        "currency": order.currency,
        "contactName": contact.name if contact else "",
        "repName": rep.name if rep else "",
        "link": order_link(deps, order),
    }
    people = [(rep.name, rep.email)] if rep is not None else []
    if contact is not None and contact.email:
        people.append((contact.name, contact.email))
    for name, email in people:
        await queue_email(
            uow,
            deps,
            company_id=order.company_id,
            template="order_approved",
            to=[email],
            context={**context, "name": name},
        )
