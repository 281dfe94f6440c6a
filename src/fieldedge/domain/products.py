"""The catalogue: what a rep may sell, at what price and tax rate.

Orders snapshot ``unit_price`` and ``tax_rate_bp`` per line, so a later price change
never rewrites an order already taken.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints

from fieldedge.domain.base import Entity
from fieldedge.domain.money import MAX_TAX_RATE_BP

MAX_UNIT_PRICE = 10**12  # minor units; far above any real price, far below BIGINT

# Stray spaces from a spreadsheet paste must not make a second, distinct SKU.
Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
# Money and rates are exact integers: 10.0, "10" and True are refused.
UnitPrice = Annotated[int, Field(strict=True, ge=0, le=MAX_UNIT_PRICE)]
TaxRateBp = Annotated[int, Field(strict=True, ge=0, le=MAX_TAX_RATE_BP)]


class Product(Entity):
    id: UUID
    company_id: UUID
    sku: Sku  # unique per company among live products
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    unit_price: UnitPrice  # minor units of the company currency
    tax_rate_bp: TaxRateBp = 0  # 1800 = 18 %
    active: bool = True
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    @property
    def orderable(self) -> bool:
        """Inactive or deleted products stay readable on old orders but take no new ones."""
        return self.active and self.deleted_at is None
