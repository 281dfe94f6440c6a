"""Bodies of the contact, product, visit and photo routes: what clients send and get back.

Coordinates are plain floats here and checked by the domain (``geo``), so a bad position
gets the same field message on every route. Money is a strict integer: ``10.0`` and
``"10"`` are refused, so a decimal price can never slip in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import ConfigDict, Field, StringConstraints

from fieldedge.domain.contacts import ContactType
from fieldedge.domain.money import MAX_TAX_RATE_BP
from fieldedge.domain.photos import PhotoStatus
from fieldedge.domain.products import MAX_UNIT_PRICE
from fieldedge.http.fields import (
    INTEGRAL,
    NOT_NULL_ISLAND,
    AccuracyM,
    Email,
    Latitude,
    Longitude,
    Time,
)
from fieldedge.http.schemas import PatchModel, RequestModel, ResponseModel


def _text(max_length: int, min_length: int = 0) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


Title = Annotated[str, _text(200, 1)]
Short = Annotated[str, _text(200)]
Long = Annotated[str, _text(2000)]
Phone = Annotated[str, _text(40, 1)]
Tag = Annotated[str, StringConstraints(max_length=100)]
# As the product entity takes it (domain/products.py): 1 to 64 characters.
Sku = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Price = Annotated[int, Field(strict=True, ge=0, le=MAX_UNIT_PRICE), INTEGRAL]
TaxRate = Annotated[int, Field(strict=True, ge=0, le=MAX_TAX_RATE_BP), INTEGRAL]


TERRITORY = "The contact's territory (one of this company's; null: none)."
CLIENT_ID = "Optional: the client's own UUID for the new row (an offline device's)."


class CreateContactBody(RequestModel):
    model_config = ConfigDict(json_schema_extra=NOT_NULL_ISLAND)

    id: UUID | None = Field(default=None, description=CLIENT_ID)
    type: ContactType = ContactType.OTHER
    owner_id: UUID | None = None
    territory_id: UUID | None = Field(default=None, description=TERRITORY)
    name: Title
    phone: Phone | None = None
    email: Email | None = None
    address: Annotated[str, _text(500)] | None = None
    city: Annotated[str, _text(100)] | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    tags: Annotated[list[Tag], Field(max_length=50)] = []
    notes: Long | None = None


class UpdateContactBody(PatchModel):
    type: ContactType | None = None
    owner_id: UUID | None = None
    territory_id: UUID | None = Field(default=None, description=TERRITORY)
    name: Title | None = None
    phone: Phone | None = None
    email: Email | None = None
    address: Annotated[str, _text(500)] | None = None
    city: Annotated[str, _text(100)] | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    tags: Annotated[list[Tag], Field(max_length=50)] | None = None
    notes: Long | None = None


class ContactOut(ResponseModel):
    id: UUID
    type: ContactType
    owner_id: UUID | None
    territory_id: UUID | None
    name: str
    phone: str | None
    email: str | None
    address: str | None
    city: str | None
    latitude: float | None
    longitude: float | None
    tags: list[str]
    notes: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class NearContactOut(ContactOut):
    distance_m: float = Field(description="Metres from the ?near= point (great circle).")


class CreateProductBody(RequestModel):
    sku: Sku
    name: Title
    description: Long | None = None
    unit_price: Price = Field(description="Minor units of the company currency (paise, cents).")
    tax_rate_bp: TaxRate = Field(default=0, description="Basis points: 1800 is 18 %.")
    active: bool = True


class UpdateProductBody(PatchModel):
    sku: Sku | None = None
    name: Title | None = None
    description: Long | None = None
    unit_price: Price | None = None
    tax_rate_bp: TaxRate | None = None
    active: bool | None = None


class ProductOut(ResponseModel):
    id: UUID
    sku: str
    name: str
    description: str | None
    unit_price: int
    tax_rate_bp: int
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class CheckInBody(RequestModel):
    model_config = ConfigDict(json_schema_extra=NOT_NULL_ISLAND)

    id: UUID | None = Field(default=None, description=CLIENT_ID)
    contact_id: UUID
    latitude: Latitude
    longitude: Longitude
    accuracy_m: AccuracyM
    checked_in_at: Time | None = Field(default=None, description="Defaults to now.")
    purpose: Short | None = None
    notes: Long | None = None
    mock_location: bool = Field(default=False, description="The device reports a mock GPS.")


class CheckOutBody(RequestModel):
    checked_out_at: Time | None = Field(default=None, description="Defaults to now.")
    outcome: Short | None = None
    notes: Long | None = None


class PhotoOut(ResponseModel):
    id: UUID
    visit_id: UUID
    content_type: str
    size: int | None
    sha256: str | None
    status: PhotoStatus
    captured_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class PhotoIdsBody(RequestModel):
    """A photo taken offline: the client's own id (a retried upload is the same photo)
    and when it was taken."""

    photo_id: UUID | None = None
    captured_at: Time | None = None


class VisitOut(ResponseModel):
    id: UUID
    contact_id: UUID
    user_id: UUID
    latitude: float
    longitude: float
    accuracy_m: float
    checked_in_at: datetime
    purpose: str | None
    notes: str | None
    distance_m: float | None
    verified: bool
    flags: list[str]
    checked_out_at: datetime | None
    outcome: str | None
    checkout_notes: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class VisitDetailOut(VisitOut):
    photos: list[PhotoOut] = []


class UploadUrlBody(PhotoIdsBody):
    content_type: Annotated[str, StringConstraints(max_length=100)]


class UploadUrlOut(ResponseModel):
    photo_id: UUID
    upload_url: str
    method: str
    headers: dict[str, str]
    expires_at: datetime


class PhotoRefOut(ResponseModel):
    """A photo a row holds (an expense line's receipt, a punch-in selfie); read it at the
    row's own photo route."""

    id: UUID
    content_type: str
    size: int
    sha256: str
