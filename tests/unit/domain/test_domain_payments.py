"""Payments against an order: partial and exact pass, over-payment and dead orders do not."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldedge.domain.orders import Order, OrderStatus, order_number
from fieldedge.domain.payments import Payment, PaymentMethod, apply_payment
from fieldedge.errors import Conflict, ValidationFailed

NOW = datetime(2026, 1, 3, 10, 0, tzinfo=UTC)


def order(total: int = 10_000, status: OrderStatus = OrderStatus.APPROVED) -> Order:
    return Order(
        id=uuid4(),
        company_id=uuid4(),
        number=order_number(42),
        contact_id=uuid4(),
        user_id=uuid4(),
        status=status,
        currency="INR",
        subtotal=total,
        total=total,
        created_at=NOW,
        updated_at=NOW,
    )


def test_partial_then_exact_settles_the_order() -> None:
    o = order(10_000)
    apply_payment(o, 4_000)
    assert (o.amount_paid, o.balance_due) == (4_000, 6_000)
    apply_payment(o, 6_000)
    assert (o.amount_paid, o.balance_due) == (10_000, 0)


def test_overpayment_is_a_422_and_changes_nothing() -> None:
    o = order(10_000)
    apply_payment(o, 9_000)
    with pytest.raises(ValidationFailed) as caught:
        apply_payment(o, 1_001)
    assert caught.value.status == 422
    assert caught.value.details == {"amount": ["Exceeds the balance due (1000)."]}
    assert o.amount_paid == 9_000


@pytest.mark.parametrize("status", [OrderStatus.CANCELLED, OrderStatus.REJECTED])
def test_a_dead_order_takes_no_payment(status: OrderStatus) -> None:
    o = order(10_000, status)
    with pytest.raises(Conflict) as caught:
        apply_payment(o, 100)
    assert (caught.value.status, caught.value.code) == (409, "CONFLICT")
    assert o.amount_paid == 0


@pytest.mark.parametrize(
    "status", [OrderStatus.PENDING, OrderStatus.DISPATCHED, OrderStatus.DELIVERED]
)
def test_live_orders_take_payments(status: OrderStatus) -> None:
    o = order(500, status)
    apply_payment(o, 500)
    assert o.balance_due == 0


@pytest.mark.parametrize("amount", [0, -1, 12.5])
def test_amount_must_be_positive_whole_minor_units(amount: int) -> None:
    o = order()
    with pytest.raises(ValidationFailed) as caught:
        apply_payment(o, amount)
    assert caught.value.details is not None
    assert list(caught.value.details) == ["amount"]
    assert o.amount_paid == 0


@given(st.integers(1, 10**9), st.lists(st.integers(1, 10**9), max_size=15))
def test_paid_never_exceeds_total(total: int, attempts: list[int]) -> None:
    o = order(total)
    accepted = 0
    for amount in attempts:
        try:
            apply_payment(o, amount)
        except ValidationFailed:
            assert amount > total - accepted
        else:
            accepted += amount
        assert o.amount_paid == accepted
        assert 0 <= o.balance_due == total - accepted


def test_payment_record_refuses_zero_and_unknown_methods() -> None:
    common: dict[str, Any] = {
        "id": uuid4(), "company_id": uuid4(), "order_id": uuid4(), "user_id": uuid4(),
        "received_at": NOW, "created_at": NOW, "updated_at": NOW,
    }  # fmt: skip
    # model_validate: the shape a decoded request body arrives in.
    assert (
        Payment.model_validate(common | {"amount": 1, "method": "UPI"}).method is PaymentMethod.UPI
    )
    with pytest.raises(ValidationFailed) as zero:
        Payment.model_validate(common | {"amount": 0, "method": "CASH"})
    assert "greater than 0" in str(zero.value.details["amount"])
    with pytest.raises(ValidationFailed) as method:
        Payment.model_validate(common | {"amount": 1, "method": "BITCOIN"})
    assert "CASH" in str(method.value.details["method"])
