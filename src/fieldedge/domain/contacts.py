"""Contacts: the doctors, shops and wholesalers a rep is assigned to visit.

Phones are stored in E.164 so search and de-duplication see one spelling of a number
however a rep typed it; national numbers are read in the company's country.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlmodel import Field, SQLModel

from fieldedge.domain.geo import coordinate_errors
from fieldedge.errors import ValidationFailed

MAX_TAGS = 20
MAX_TAG_LENGTH = 40


class ContactType(StrEnum):
    DOCTOR = "DOCTOR"
    RETAILER = "RETAILER"
    WHOLESALER = "WHOLESALER"
    OTHER = "OTHER"


class Contact(SQLModel):
    id: UUID = Field(primary_key=True)
    company_id: UUID = Field(index=True)
    type: ContactType = ContactType.OTHER
    owner_id: UUID | None = Field(default=None, index=True)  # the assigned rep
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=16)  # E.164: '+' and <= 15 digits
    email: str | None = Field(default=None, max_length=254)
    address: str | None = Field(default=None, max_length=500)
    city: str | None = Field(default=None, max_length=100, index=True)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    tags: list[str] = Field(default_factory=list)  # normalize_tags(); a JSON column in SQL
    notes: str | None = Field(default=None, max_length=2000)
    version: int = 0
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None

    @property
    def location(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return self.latitude, self.longitude


def normalize_phone(raw: str, country: str) -> str:
    """``raw`` as E.164 (``+919876543210``), reading a national number in ``country``."""
    import phonenumbers  # imported on use: ~30 ms of cold start only paths with phones pay

    try:
        number = phonenumbers.parse(raw, country.upper())
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationFailed(details={"phone": ["Not a valid phone number."]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_location(latitude: float | None, longitude: float | None) -> None:
    """Both or neither: half a position cannot be measured against."""
    if (latitude is None) != (longitude is None):
        field = "longitude" if longitude is None else "latitude"
        raise ValidationFailed(details={field: ["Latitude and longitude go together."]})
    if (
        latitude is not None
        and longitude is not None
        and (details := coordinate_errors(latitude, longitude))
    ):
        raise ValidationFailed(details=details)


def normalize_tags(tags: Iterable[str]) -> list[str]:
    """Trimmed, lower-cased, de-duplicated in order, so ``?tag=`` matches how people think."""
    seen: list[str] = []
    for tag in tags:
        cleaned = " ".join(tag.split()).lower()
        if not cleaned:
            continue
        if len(cleaned) > MAX_TAG_LENGTH:
            raise ValidationFailed(
                details={"tags": [f"A tag is at most {MAX_TAG_LENGTH} characters."]}
            )
        if cleaned not in seen:
            seen.append(cleaned)
    if len(seen) > MAX_TAGS:
        raise ValidationFailed(details={"tags": [f"At most {MAX_TAGS} tags."]})
    return seen
