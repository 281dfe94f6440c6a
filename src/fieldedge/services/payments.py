"""Record and read payments collected against orders.

A payment and the order's new ``amount_paid`` commit together; the order is read with
its row lock, so two collectors paying one order at once are applied one after the
other and the second sees the first's balance (no overpayment by race), while payments
against other orders of the company go on in parallel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.payments import Payment, PaymentMethod, apply_payment
from fieldedge.errors import ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.fieldforce import PaymentQuery
from fieldedge.ports.records import Record
from fieldedge.services.common import at_or_now, audit, commit_new, found, id_taken, new_id
from fieldedge.services.deps import Deps
from fieldedge.services.orders import visible_order
from fieldedge.services.pagination import Page, after_id, page_by_id
from fieldedge.services.visibility import narrowed, work_owners
from fieldedge.services.webhooks.emit import emit

# A receipt dated a little ahead is a phone clock; a day ahead is a mistake.
MAX_FUTURE = timedelta(hours=24)
# Older than a year is not a receipt being recorded but history being keyed in (or 0001).
MAX_PAST = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class RecordPayment:
    order_id: UUID
    amount: int
    method: PaymentMethod
    id: UUID | None = None  # a client-made id (offline creates)
    reference: str | None = None
    received_at: datetime | None = None  # None: now
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentFilter:
    order_id: UUID | None = None
    method: PaymentMethod | None = None
    user_id: UUID | None = None


async def record_payment(principal: Principal, cmd: RecordPayment, deps: Deps) -> Payment:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        payment = await new_payment(uow, principal, cmd, deps)
        await commit_new(uow, cmd.id)
    return payment


async def new_payment(
    uow: UnitOfWork, principal: Principal, cmd: RecordPayment, deps: Deps
) -> Payment:
    """Record ``cmd`` against its order (read with its lock) in ``uow``."""
    require(principal, Action.PAYMENT_CREATE)
    now = deps.clock.now()
    received_at = at_or_now(cmd.received_at, now, "receivedAt")
    if received_at > now + MAX_FUTURE:
        raise ValidationFailed(details={"receivedAt": ["Cannot be more than a day ahead."]})
    if received_at < now - MAX_PAST:
        raise ValidationFailed(details={"receivedAt": ["Cannot be more than a year ago."]})
    payment_id = new_id(deps, cmd.id)
    if cmd.id is not None and await uow.payments.get(cmd.id, include_deleted=True):
        raise id_taken()
    order = await visible_order(uow, principal, cmd.order_id, lock=True)
    apply_payment(order, cmd.amount)
    order.updated_at = now
    await uow.orders.save(order)
    payment = Payment(
        id=payment_id,
        company_id=principal.tenant,
        order_id=order.id,
        user_id=principal.user_id,
        amount=cmd.amount,
        method=cmd.method,
        reference=cmd.reference,
        received_at=received_at,
        notes=cmd.notes,
        created_at=now,
        updated_at=now,
    )
    await uow.payments.add(payment)
    await audit(
        uow,
        deps,
        "payment.recorded",
        actor=principal,
        entity="payment",
        entity_id=payment.id,
        detail={
            "orderId": str(order.id),
            "amount": cmd.amount,
            "method": cmd.method.value,
            "balanceDue": order.balance_due,
        },
    )
    await emit(uow, deps, "payment.recorded", payment)
    return payment


async def get_payment(principal: Principal, payment_id: UUID, deps: Deps) -> Payment:
    require(principal, Action.PAYMENT_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        payment = await uow.payments.get(payment_id)
        if payment is None or payment.user_id == principal.user_id:
            return found(payment, "payment")
        owners = await work_owners(uow, principal)
    return found(payment, "payment", visible=owners is None or payment.user_id in owners)


async def list_payments(
    principal: Principal, filters: PaymentFilter, cursor: str | None, limit: int, deps: Deps
) -> Page[Record]:
    require(principal, Action.PAYMENT_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        user_ids = narrowed(await work_owners(uow, principal), filters.user_id)
        if user_ids is not None and not user_ids:
            return page_by_id([], limit)  # a userId outside the caller's scope
        rows = await uow.payments.list(
            PaymentQuery(
                after=after_id(cursor),
                limit=limit + 1,
                user_ids=user_ids,
                order_id=filters.order_id,
                method=filters.method,
            )
        )
    return page_by_id(rows, limit)
