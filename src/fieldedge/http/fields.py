"""Field types shared by request models, so every route validates them the same way."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, StringConstraints


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("Not an IANA time zone (e.g. Asia/Kolkata).") from None
    return name


def _lower(value: str) -> str:
    return value.lower()


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    AfterValidator(_lower),
]
# Long enough for any passphrase, short enough that hashing it costs nothing extra; the
# password policy gives the real limits (10 to 128) as field errors.
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
CompanyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Timezone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_timezone)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Token = Annotated[str, StringConstraints(min_length=1, max_length=512)]
GeofenceRadius = Annotated[int, Field(ge=10, le=10_000)]
Limit = Annotated[int, Field(ge=1, le=100)]
