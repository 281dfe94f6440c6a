"""Contacts: the doctors, shops and wholesalers a rep is assigned to visit.

Phones are stored in E.164 so search and de-duplication see one spelling of a number
however a rep typed it; national numbers are read in the company's country (by the use
case, which knows the company), and the entity refuses anything not already E.164.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BeforeValidator, Field, StringConstraints, model_validator

from fieldedge.domain.base import Entity
from fieldedge.domain.geo import coordinate_errors
from fieldedge.errors import ValidationFailed

MAX_TAGS = 20
MAX_TAG_LENGTH = 40


class ContactType(StrEnum):
    DOCTOR = "DOCTOR"
    RETAILER = "RETAILER"
    WHOLESALER = "WHOLESALER"
    OTHER = "OTHER"


def normalize_tags(tags: Iterable[str] | None) -> list[str]:
    """Trimmed, lower-cased, de-duplicated in order, so ``?tag=`` matches how people think."""
    seen: list[str] = []
    for tag in tags or ():
        cleaned = " ".join(str(tag).split()).lower()
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


def _text(max_length: int, min_length: int = 0) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


class Contact(Entity):
    id: UUID
    company_id: UUID
    type: ContactType = ContactType.OTHER
    owner_id: UUID | None = None  # the assigned rep
    territory_id: UUID | None = None  # at most one territory (``domain.territories``)
    # Who created it (a rep's "new contacts" target counts these); None for contacts
    # made before creators were kept (migration 0010).
    created_by: UUID | None = None
    name: Annotated[str, _text(200, 1)]
    phone: Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{1,14}$")] | None = None
    email: Annotated[str, _text(254)] | None = None
    address: Annotated[str, _text(500)] | None = None
    city: Annotated[str, _text(100)] | None = None
    latitude: float | None = None
    longitude: float | None = None
    tags: Annotated[list[str], BeforeValidator(normalize_tags)] = Field(default_factory=list)
    notes: Annotated[str, _text(2000)] | None = None
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _position(self) -> Contact:
        check_location(self.latitude, self.longitude)
        return self

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
