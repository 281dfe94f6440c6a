"""Contact rules: phones in E.164, positions whole or absent, tags as people search them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from fieldedge.domain.contacts import (
    Contact,
    ContactType,
    check_location,
    normalize_phone,
    normalize_tags,
)
from fieldedge.errors import ValidationFailed

NOW = datetime(2026, 1, 3, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "country", "e164"),
    [
        ("098765 43210", "IN", "+919876543210"),
        ("98765-43210", "in", "+919876543210"),
        ("+91 98765 43210", "US", "+919876543210"),  # an international number ignores country
        ("(650) 253-0000", "US", "+16502530000"),
        ("020 7946 0018", "GB", "+442079460018"),
    ],
)
def test_phones_are_stored_in_e164(raw: str, country: str, e164: str) -> None:
    assert normalize_phone(raw, country) == e164


@pytest.mark.parametrize("raw", ["12345", "not a phone", "+91 00000", ""])
def test_a_bad_phone_is_a_field_error(raw: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalize_phone(raw, "IN")
    assert caught.value.details == {"phone": ["Not a valid phone number."]}


def test_a_position_is_both_coordinates_or_none() -> None:
    check_location(None, None)
    check_location(19.076, 72.8777)
    for lat, lng, field in [(19.0, None, "longitude"), (None, 72.0, "latitude")]:
        with pytest.raises(ValidationFailed) as caught:
            check_location(lat, lng)
        assert caught.value.details is not None
        assert list(caught.value.details) == [field]
    with pytest.raises(ValidationFailed):
        check_location(0.0, 0.0)
    with pytest.raises(ValidationFailed):
        check_location(-95.0, 10.0)


def test_tags_are_trimmed_lowered_and_unique() -> None:
    assert normalize_tags(["  Key Account", "key  account", "", "cardiology", "VIP "]) == [
        "key account",
        "cardiology",
        "vip",
    ]


def test_too_many_or_too_long_tags_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        normalize_tags([f"t{i}" for i in range(21)])
    with pytest.raises(ValidationFailed):
        normalize_tags(["x" * 41])
    assert len(normalize_tags([f"t{i}" for i in range(20)] + ["T0"])) == 20


def test_location_needs_both_coordinates() -> None:
    common: dict[str, Any] = {
        "id": uuid4(),
        "company_id": uuid4(),
        "name": "Dr. Mehta",
        "created_at": NOW,
        "updated_at": NOW,
    }
    assert Contact(**common, latitude=19.0, longitude=72.8).location == (19.0, 72.8)
    assert Contact(**common).location is None
    assert Contact(**common).type is ContactType.OTHER
    with pytest.raises(ValidationFailed) as half:
        Contact(**common, latitude=19.0)
    assert half.value.details == {"longitude": ["Latitude and longitude go together."]}
    with pytest.raises(ValidationFailed) as kind:
        Contact.model_validate(common | {"type": "DENTIST"})
    assert "DOCTOR" in str(kind.value.details["type"])
