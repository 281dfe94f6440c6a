"""The order status machine, exactly as the contract draws it, and order numbering."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldedge.domain.orders import Order, OrderStatus, can_transition, order_number
from fieldedge.domain.pricing import ItemRequest, price_items
from fieldedge.domain.products import Product
from fieldedge.errors import InvalidStateTransition

NOW = datetime(2026, 1, 3, 10, 0, tzinfo=UTC)
MANAGER = uuid4()

# Written out from api.md, independently of the module's own table.
ALLOWED = {
    ("PENDING", "APPROVED"),
    ("PENDING", "REJECTED"),
    ("PENDING", "CANCELLED"),
    ("APPROVED", "DISPATCHED"),
    ("APPROVED", "CANCELLED"),
    ("DISPATCHED", "DELIVERED"),
}
STATUSES = [s.value for s in OrderStatus]


def order(status: str = "PENDING", total: int = 10_000) -> Order:
    return Order(
        id=uuid4(),
        company_id=uuid4(),
        number=order_number(1),
        contact_id=uuid4(),
        user_id=uuid4(),
        status=OrderStatus(status),
        currency="INR",
        subtotal=total,
        total=total,
        created_at=NOW,
        updated_at=NOW,
    )


def test_the_statuses_are_the_contracts() -> None:
    assert set(STATUSES) == {
        "PENDING", "APPROVED", "REJECTED", "DISPATCHED", "DELIVERED", "CANCELLED"
    }  # fmt: skip


@pytest.mark.parametrize(("current", "target"), list(itertools.product(STATUSES, STATUSES)))
def test_a_move_is_allowed_iff_the_contract_lists_it(current: str, target: str) -> None:
    o = order(current)
    allowed = (current, target) in ALLOWED
    assert can_transition(OrderStatus(current), OrderStatus(target)) is allowed
    if allowed:
        o.move_to(OrderStatus(target), by=MANAGER, at=NOW, reason="why")
        assert o.status == target
    else:
        with pytest.raises(InvalidStateTransition) as caught:
            o.move_to(OrderStatus(target), by=MANAGER, at=NOW)
        assert caught.value.status == 409
        assert caught.value.code == "INVALID_STATE_TRANSITION"
        assert o.status == current  # nothing changed


@given(st.lists(st.sampled_from(list(OrderStatus)), max_size=12))
def test_any_walk_stays_inside_the_table(targets: list[OrderStatus]) -> None:
    o = order()
    for target in targets:
        before = o.status
        try:
            o.move_to(target, by=MANAGER, at=NOW)
        except InvalidStateTransition:
            assert (before, target.value) not in ALLOWED
            assert o.status == before
        else:
            assert (before, target.value) in ALLOWED
        assert o.is_locked is (o.status != "PENDING")


def test_each_move_records_who_and_when() -> None:
    later = NOW + timedelta(hours=2)
    o = order()
    o.approve(MANAGER, NOW)
    assert (o.approved_by, o.approved_at, o.is_locked) == (MANAGER, NOW, True)
    o.dispatch(later)
    o.deliver(later + timedelta(days=1))
    assert (o.status, o.dispatched_at, o.delivered_at) == (
        "DELIVERED",
        later,
        later + timedelta(days=1),
    )

    rejected = order()
    rejected.reject(MANAGER, NOW, "Credit limit exceeded")
    assert (rejected.rejected_by, rejected.rejected_at) == (MANAGER, NOW)
    assert rejected.rejection_reason == "Credit limit exceeded"

    cancelled = order("APPROVED")
    cancelled.cancel(MANAGER, NOW, "Customer withdrew")
    assert (cancelled.status, cancelled.cancelled_by, cancelled.cancel_reason) == (
        "CANCELLED",
        MANAGER,
        "Customer withdrew",
    )


def test_status_given_as_text_is_understood() -> None:
    o = order()
    o.move_to("APPROVED", by=MANAGER, at=NOW)  # type: ignore[arg-type]
    assert o.status is OrderStatus.APPROVED
    assert o.approved_by == MANAGER


def test_pricing_is_kept_as_json_ready_lines() -> None:
    p = Product(
        id=uuid4(), company_id=uuid4(), sku="AMOX-250", name="Amoxicillin 250",
        unit_price=1250, tax_rate_bp=1200, created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    o = order(total=0)
    o.set_pricing(price_items([ItemRequest(p.id, 4)], {p.id: p}))
    assert (o.subtotal, o.tax, o.total, o.balance_due) == (5000, 600, 5600, 5600)
    assert o.items[0]["product_id"] == str(p.id)  # JSON-ready, as the column returns it
    [line] = o.lines
    assert (line.product_id, line.sku, line.quantity, line.line_total) == (
        p.id,
        "AMOX-250",
        4,
        5600,
    )


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "ORD-000001"), (123, "ORD-000123"), (999_999, "ORD-999999"), (1_234_567, "ORD-1234567")],
)
def test_order_numbers(n: int, text: str) -> None:
    assert order_number(n) == text


@pytest.mark.parametrize("n", [0, -3])
def test_order_numbers_start_at_one(n: int) -> None:
    with pytest.raises(ValueError, match="start at 1"):
        order_number(n)


@given(st.integers(1, 10**9))
def test_order_numbers_read_back_and_keep_six_digits(n: int) -> None:
    text = order_number(n)
    assert text.startswith("ORD-")
    assert len(text) >= 10
    assert int(text.removeprefix("ORD-")) == n


@given(st.integers(1, 999_998))
def test_order_numbers_below_a_million_sort_as_text(n: int) -> None:
    assert order_number(n) < order_number(n + 1)
