"""Field types shared by request models, so every route validates them the same way."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    StringConstraints,
)


@cache
def _zones() -> frozenset[str]:
    """The IANA names this machine knows, read on first use (never at import)."""
    return frozenset(available_timezones())


def _timezone(name: str) -> str:
    if name not in _zones():
        raise ValueError("Not an IANA time zone (e.g. Asia/Kolkata).")
    return name


def _zone_enum(schema: dict[str, Any]) -> None:
    """The document lists exactly the names the server takes."""
    schema["enum"] = sorted(_zones())


_NUMBER = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*")
_TIME_HINT = "an RFC 3339 time with a time zone, e.g. 2026-01-03T10:00:00Z"


def _no_unix_time(value: Any) -> Any:
    """pydantic would read ``1767434400`` (or ``"1767434400"``) as Unix seconds: refuse."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError(f"Not a number: send {_TIME_HINT}.")
    return value


def _utc(value: datetime) -> datetime:
    """The same instant in UTC; one that has no UTC form (``0001-01-01T00:00:00+05:00``
    is before year 1 in UTC) is refused, never left to overflow later."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("Out of range: the time has no UTC equivalent.") from None


def _lower(value: str) -> str:
    return value.lower()


# No control character in any part, as domain/text.py refuses them: the document says so.
_PART = r"[^@\s\x00-\x1f\x7f-\x9f]+"
_EMAIL_PATTERN = rf"^{_PART}@{_PART}\.{_PART}$"
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=_EMAIL_PATTERN),
    AfterValidator(_lower),
]
# Long enough for any passphrase, short enough that hashing it costs nothing extra; the
# password policy gives the real limits (10 to 128) as field errors.
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
# A password being set: the document gives the policy's lengths (10 to 128); the policy
# (services/security/passwords.py) refuses the rest, a common password among them.
NewPassword = Annotated[Password, Field(json_schema_extra={"minLength": 10, "maxLength": 128})]
# A point as domain/geo.py takes it: the document carries the ranges it checks.
Latitude = Annotated[float, Field(json_schema_extra={"minimum": -90, "maximum": 90})]
Longitude = Annotated[float, Field(json_schema_extra={"minimum": -180, "maximum": 180})]
AccuracyM = Annotated[float, Field(json_schema_extra={"minimum": 0})]
# (0, 0) is a phone without a fix, refused with the point (domain/geo.py): on a body that
# sends both, the document says so.
NOT_NULL_ISLAND: dict[str, Any] = {
    "not": {
        "required": ["latitude", "longitude"],
        "properties": {"latitude": {"const": 0}, "longitude": {"const": 0}},
    }
}
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
CompanyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Timezone = Annotated[
    str,
    StringConstraints(max_length=64),
    AfterValidator(_timezone),
    Field(json_schema_extra=_zone_enum),
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
# A token the server issued: blank (only spaces) is no token, as the document says.
Token = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=512)]
GeofenceRadius = Annotated[int, Field(ge=10, le=10_000)]
Limit = Annotated[int, Field(ge=1, le=100)]
# Every time a client sends, in a body or a query: RFC 3339 with a zone (a naive time is a
# 422), never Unix seconds, converted to UTC at the edge.
Time = Annotated[
    AwareDatetime,
    BeforeValidator(_no_unix_time),
    AfterValidator(_utc),
    Field(description=f"{_TIME_HINT[0].upper()}{_TIME_HINT[1:]}."),
]


def _integral(value: Any) -> Any:
    """JSON Schema calls ``1.0`` an integer, so the API does: an integral float is its int;
    ``1.5``, a string or a boolean is still refused by the strict int behind it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An integer in a JSON body: 1 or 1.0, never "1", true or 1.5. Written last in the
# Annotated (``Annotated[StrictInt, Field(ge=1), INTEGRAL]``) so the bounds stay on the int
# and the document keeps its minimum and maximum.
INTEGRAL = BeforeValidator(_integral)
