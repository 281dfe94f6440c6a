"""Payments collected against an order: partial is fine, more than is owed is not.

A payment is recorded once and never edited in amount (sync treats it as server-owned),
so the order's ``amount_paid`` only ever grows by payments that passed these rules.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints

from fieldedge.domain.base import Entity
from fieldedge.domain.orders import Order, OrderStatus
from fieldedge.errors import Conflict, ValidationFailed

# An order in one of these states will never be fulfilled, so money taken against it
# would only have to be refunded: refuse it as a conflict with the order's state.
UNPAYABLE = frozenset({OrderStatus.CANCELLED, OrderStatus.REJECTED})


class PaymentMethod(StrEnum):
    CASH = "CASH"
    UPI = "UPI"
    CHEQUE = "CHEQUE"
    BANK_TRANSFER = "BANK_TRANSFER"
    CARD = "CARD"


def _text(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, max_length=max_length)


class Payment(Entity):
    id: UUID
    company_id: UUID
    order_id: UUID
    user_id: UUID  # who collected it
    amount: int = Field(strict=True, gt=0)  # minor units of the order's currency
    method: PaymentMethod
    reference: Annotated[str, _text(100)] | None = None  # UPI ref, cheque no.
    received_at: AwareDatetime
    notes: Annotated[str, _text(2000)] | None = None
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None


def apply_payment(order: Order, amount: int) -> None:
    """Add ``amount`` to what the order has been paid, or refuse and change nothing."""
    if type(amount) is not int or amount <= 0:
        raise ValidationFailed(
            details={"amount": ["Must be a whole number of minor units above 0."]}
        )
    if OrderStatus(order.status) in UNPAYABLE:
        raise Conflict(f"A {OrderStatus(order.status).value} order cannot take a payment.")
    if amount > order.balance_due:
        raise ValidationFailed(
            details={"amount": [f"Exceeds the balance due ({order.balance_due})."]}
        )
    order.amount_paid = order.amount_paid + amount
