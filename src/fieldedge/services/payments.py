"""Record and read payments collected against orders.

A payment and the order's new ``amount_paid`` commit together; the tenant row's lock is
taken before the order is read, so two collectors paying one order at once are applied
one after the other and the second sees the first's balance (no overpayment by race).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.payments import Payment, PaymentMethod, apply_payment
from fieldedge.errors import NotFound, ValidationFailed
from fieldedge.ports.database import Scope
from fieldedge.ports.fieldforce import PaymentQuery
from fieldedge.services.common import audit, next_version
from fieldedge.services.deps import Deps
from fieldedge.services.orders import visible_order
from fieldedge.services.pagination import Page, after_id, page_by_id
from fieldedge.services.visibility import narrowed, work_owners

# A receipt dated a little ahead is a phone clock; a day ahead is a mistake.
MAX_FUTURE = timedelta(hours=24)
# Older than a year is not a receipt being recorded but history being keyed in (or 0001).
MAX_PAST = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class RecordPayment:
    order_id: UUID
    amount: int
    method: PaymentMethod
    reference: str | None = None
    received_at: datetime | None = None  # None: now
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentFilter:
    order_id: UUID | None = None
    method: PaymentMethod | None = None
    user_id: UUID | None = None


async def record_payment(principal: Principal, cmd: RecordPayment, deps: Deps) -> Payment:
    require(principal, Action.PAYMENT_CREATE)
    now = deps.clock.now()
    received_at = cmd.received_at or now
    if received_at > now + MAX_FUTURE:
        raise ValidationFailed(details={"receivedAt": ["Cannot be more than a day ahead."]})
    if received_at < now - MAX_PAST:
        raise ValidationFailed(details={"receivedAt": ["Cannot be more than a year ago."]})
    company_id = principal.tenant
    async with deps.db.unit_of_work(Scope.tenant(company_id)) as uow:
        version = await next_version(uow, company_id)  # the lock, before the balance is read
        order = await visible_order(uow, principal, cmd.order_id)
        apply_payment(order, cmd.amount)
        order.version, order.updated_at = version, now
        await uow.orders.save(order)
        payment = await uow.payments.add(
            Payment(
                id=deps.ids.new(),
                company_id=company_id,
                order_id=order.id,
                user_id=principal.user_id,
                amount=cmd.amount,
                method=cmd.method,
                reference=cmd.reference,
                received_at=received_at,
                notes=cmd.notes,
                version=version,
                created_at=now,
                updated_at=now,
            )
        )
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
        await uow.commit()
    return payment


async def get_payment(principal: Principal, payment_id: UUID, deps: Deps) -> Payment:
    require(principal, Action.PAYMENT_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        payment = await uow.payments.get(payment_id)
        owners = await work_owners(uow, principal)
    if payment is None or payment.deleted_at is not None:
        raise NotFound("No such payment.")
    if owners is not None and payment.user_id not in owners:
        raise NotFound("No such payment.")
    return payment


async def list_payments(
    principal: Principal, filters: PaymentFilter, cursor: str | None, limit: int, deps: Deps
) -> Page[Payment]:
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
