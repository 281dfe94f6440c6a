"""The catalogue: what a rep may sell, at what price and tax rate.

Orders snapshot ``unit_price`` and ``tax_rate_bp`` per line, so a later price change
never rewrites an order already taken.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlmodel import Field, SQLModel

from fieldedge.domain.money import MAX_TAX_RATE_BP
from fieldedge.errors import ValidationFailed

MAX_UNIT_PRICE = 10**12  # minor units; far above any real price, far below BIGINT


class Product(SQLModel):
    id: UUID = Field(primary_key=True)
    company_id: UUID = Field(index=True)
    sku: str = Field(min_length=1, max_length=64)  # unique per company
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    unit_price: int = Field(ge=0, le=MAX_UNIT_PRICE)  # minor units of the company currency
    tax_rate_bp: int = Field(default=0, ge=0, le=MAX_TAX_RATE_BP)  # 1800 = 18 %
    active: bool = True
    version: int = 0
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None

    @property
    def orderable(self) -> bool:
        """Inactive or deleted products stay readable on old orders but take no new ones."""
        return self.active and self.deleted_at is None


def check_pricing(unit_price: int, tax_rate_bp: int) -> None:
    """The price rules, for writes that bypass model validation (PATCH, sync, table rows)."""
    details: dict[str, list[str]] = {}
    if type(unit_price) is not int or not 0 <= unit_price <= MAX_UNIT_PRICE:
        details["unitPrice"] = ["Must be a whole number of minor units, 0 or more."]
    if type(tax_rate_bp) is not int or not 0 <= tax_rate_bp <= MAX_TAX_RATE_BP:
        details["taxRateBp"] = ["Must be a whole number of basis points within 0..10000."]
    if details:
        raise ValidationFailed(details=details)


def normalize_sku(sku: str) -> str:
    """Stray spaces from a spreadsheet paste must not make a second, distinct SKU."""
    cleaned = sku.strip()
    if not cleaned or len(cleaned) > 64:
        raise ValidationFailed(details={"sku": ["Must be 1 to 64 characters."]})
    return cleaned
