"""Tax rounding and order pricing: integers in, integers out, half-up like an accountant."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldedge.domain.money import round_half_up_div, tax_on
from fieldedge.domain.pricing import ItemRequest, price_items
from fieldedge.domain.products import Product
from fieldedge.errors import ValidationFailed

NOW = datetime(2026, 1, 3, 10, 0, tzinfo=UTC)
COMPANY = uuid4()


def product(unit_price: int, tax_rate_bp: int, *, active: bool = True) -> Product:
    return Product(
        id=uuid4(),
        company_id=COMPANY,
        sku=f"SKU-{unit_price}-{tax_rate_bp}",
        name="Paracetamol 500 mg",
        unit_price=unit_price,
        tax_rate_bp=tax_rate_bp,
        active=active,
        created_at=NOW,
        updated_at=NOW,
    )


def oracle_half_up(numerator: int, denominator: int) -> int:
    exact = Decimal(numerator) / Decimal(denominator)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@given(st.integers(-(10**15), 10**15), st.integers(1, 10**6))
def test_round_half_up_matches_decimal(numerator: int, denominator: int) -> None:
    assert round_half_up_div(numerator, denominator) == oracle_half_up(numerator, denominator)


@given(st.integers(0, 10**13), st.integers(0, 10_000))
def test_tax_is_never_negative_nor_above_the_amount(amount: int, rate_bp: int) -> None:
    tax = tax_on(amount, rate_bp)
    assert type(tax) is int
    assert 0 <= tax <= amount
    assert tax == oracle_half_up(amount * rate_bp, 10_000)


def test_ties_round_up_not_to_even() -> None:
    assert tax_on(5, 1000) == 1  # 0.5 → 1 (banker's rounding would give 0)
    assert tax_on(25, 1000) == 3  # 2.5 → 3
    assert tax_on(14, 1000) == 1  # 1.4 → 1
    assert tax_on(5997, 1800) == 1079  # 1079.46


@pytest.mark.parametrize("bad", [1.5, Decimal("1.5"), True])
def test_non_integer_money_is_refused(bad: object) -> None:
    with pytest.raises(TypeError):
        tax_on(bad, 1800)  # type: ignore[arg-type]


item_lists = st.lists(
    st.tuples(st.integers(0, 10**7), st.integers(0, 10_000), st.integers(1, 100_000)),
    min_size=1,
    max_size=20,
)


@given(item_lists)
def test_order_totals_are_sums_of_half_up_lines(specs: list[tuple[int, int, int]]) -> None:
    products = [product(price, rate) for price, rate, _ in specs]
    catalogue = {p.id: p for p in products}
    items = [ItemRequest(p.id, qty) for p, (_, _, qty) in zip(products, specs, strict=True)]
    priced = price_items(items, catalogue)
    for line, (price, rate, qty) in zip(priced.lines, specs, strict=True):
        assert line.line_subtotal == price * qty
        assert line.line_tax == oracle_half_up(price * qty * rate, 10_000)
        assert line.line_total == line.line_subtotal + line.line_tax
        assert (line.unit_price, line.tax_rate_bp, line.quantity) == (price, rate, qty)
    assert priced.subtotal == sum(line.line_subtotal for line in priced.lines)
    assert priced.tax == sum(line.line_tax for line in priced.lines)
    assert priced.total == priced.subtotal + priced.tax
    assert priced.tax >= 0
    assert all(type(v) is int for v in (priced.subtotal, priced.tax, priced.total))
    # The client's own total, when right, is accepted as is.
    assert price_items(items, catalogue, client_total=priced.total) == priced


def test_a_client_total_that_disagrees_is_refused() -> None:
    p = product(1999, 1800)
    with pytest.raises(ValidationFailed) as caught:
        price_items([ItemRequest(p.id, 3)], {p.id: p}, client_total=7000)
    assert caught.value.status == 422
    assert caught.value.details is not None
    assert "7076" in caught.value.details["total"][0]  # 5997 + 1079


@pytest.mark.parametrize("quantity", [0, -1, 100_001])
def test_quantity_outside_1_to_100000_is_refused(quantity: int) -> None:
    good, p = product(100, 0), product(250, 500)
    items = [ItemRequest(good.id, 1), ItemRequest(p.id, quantity)]
    with pytest.raises(ValidationFailed) as caught:
        price_items(items, {good.id: good, p.id: p})
    assert caught.value.details == {"items.1.quantity": ["Must be 1 to 100000."]}


@pytest.mark.parametrize("quantity", [1, 100_000])
def test_quantity_bounds_are_accepted(quantity: int) -> None:
    p = product(250, 500)
    assert price_items([ItemRequest(p.id, quantity)], {p.id: p}).subtotal == 250 * quantity


def test_unknown_and_inactive_products_are_reported_together() -> None:
    inactive = product(100, 0, active=False)
    unknown = UUID(int=7)
    items = [ItemRequest(unknown, 1), ItemRequest(inactive.id, 2), ItemRequest(unknown, 0)]
    with pytest.raises(ValidationFailed) as caught:
        price_items(items, {inactive.id: inactive})
    assert caught.value.details == {
        "items.0.productId": ["No such active product."],
        "items.1.productId": ["No such active product."],
        "items.2.quantity": ["Must be 1 to 100000."],
        "items.2.productId": ["No such active product."],
    }


def test_an_order_needs_an_item() -> None:
    with pytest.raises(ValidationFailed) as caught:
        price_items([], {})
    assert caught.value.details == {"items": ["An order needs at least one item."]}


@pytest.mark.parametrize(
    ("price", "rate", "fields"),
    [
        (-1, 0, {"unitPrice"}),
        (0, -1, {"taxRateBp"}),
        (1, 10_001, {"taxRateBp"}),
        (-5, 20_000, {"unitPrice", "taxRateBp"}),
        (1.5, 0, {"unitPrice"}),
        (True, 0, {"unitPrice"}),
    ],
)
def test_negative_price_or_rate_out_of_range_is_refused(
    price: int, rate: int, fields: set[str]
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        product(price, rate)
    assert caught.value.details is not None
    assert set(caught.value.details) == fields
    good = product(100, 0)
    with pytest.raises(ValidationFailed):
        good.apply({"unit_price": price, "tax_rate_bp": rate})
    assert (good.unit_price, good.tax_rate_bp) == (100, 0)  # the entity is as it was


def test_free_product_at_full_tax_rate_is_a_valid_price() -> None:
    p = product(0, 10_000)
    assert price_items([ItemRequest(p.id, 5)], {p.id: p}).total == 0
