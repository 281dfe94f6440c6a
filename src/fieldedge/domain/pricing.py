"""Pricing an order from catalogue snapshots, in integer minor units only.

Per line: ``line_subtotal = unit_price * quantity`` and ``line_tax`` rounded half-up
on that line (not on the order), so each line printed on an invoice adds up on its own;
the order's subtotal, tax and total are plain sums of its lines. The client never sets
a price: a ``total`` it sends is only checked against ours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from fieldedge.domain.money import tax_on
from fieldedge.domain.products import Product
from fieldedge.errors import ValidationFailed

MIN_QUANTITY = 1
MAX_QUANTITY = 100_000


class OrderLine(BaseModel):
    """One priced line; kept on the order as JSON, so it is a value, not a table."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    product_id: UUID
    sku: str
    name: str
    quantity: int
    unit_price: int
    tax_rate_bp: int
    line_subtotal: int
    line_tax: int
    line_total: int


@dataclass(frozen=True, slots=True)
class ItemRequest:
    product_id: UUID
    quantity: int


@dataclass(frozen=True, slots=True)
class PricedOrder:
    lines: tuple[OrderLine, ...]
    subtotal: int
    tax: int
    total: int


def price_line(product: Product, quantity: int) -> OrderLine:
    subtotal = product.unit_price * quantity
    tax = tax_on(subtotal, product.tax_rate_bp)
    return OrderLine(
        product_id=product.id,
        sku=product.sku,
        name=product.name,
        quantity=quantity,
        unit_price=product.unit_price,
        tax_rate_bp=product.tax_rate_bp,
        line_subtotal=subtotal,
        line_tax=tax,
        line_total=subtotal + tax,
    )


def price_items(
    items: Sequence[ItemRequest],
    catalogue: Mapping[UUID, Product],
    *,
    client_total: int | None = None,
) -> PricedOrder:
    """Price ``items`` from the tenant's ``catalogue``; every bad item is reported at once.

    ``catalogue`` must hold only the caller's company's products, so another tenant's
    product id reads as unknown, never as a price leak.
    """
    if not items:
        raise ValidationFailed(details={"items": ["An order needs at least one item."]})
    details: dict[str, list[str]] = {}
    lines: list[OrderLine] = []
    for i, item in enumerate(items):
        if type(item.quantity) is not int or not MIN_QUANTITY <= item.quantity <= MAX_QUANTITY:
            details[f"items.{i}.quantity"] = [f"Must be {MIN_QUANTITY} to {MAX_QUANTITY}."]
        product = catalogue.get(item.product_id)
        if product is None or not product.orderable:
            details[f"items.{i}.productId"] = ["No such active product."]
        if product is not None and not details:
            lines.append(price_line(product, item.quantity))
    if details:
        raise ValidationFailed(details=details)
    subtotal = sum(line.line_subtotal for line in lines)
    tax = sum(line.line_tax for line in lines)
    total = subtotal + tax
    if client_total is not None and client_total != total:
        raise ValidationFailed(
            details={"total": [f"Does not match the total computed from the catalogue ({total})."]}
        )
    return PricedOrder(lines=tuple(lines), subtotal=subtotal, tax=tax, total=total)
