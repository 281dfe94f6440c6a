"""Equipment: the machines a company services, what type each is, and where it stands.

A type (``EquipmentType``, a per-company list) declares the custom attributes its
equipment carries: each has a name, a kind (string, number, boolean, date) and whether
it is required. A piece of equipment's ``attributes`` is a JSON object checked against
its type's declarations by ``check_attributes`` (an unknown name, a missing required
one, or a value of the wrong kind is a 422 naming ``attributes.<name>``).

``status`` is OPERATIONAL, DEGRADED (working, but a reading was out of range), DOWN (a
shutdown, with its reason) or RETIRED. The serial number is unique per company among
live (not deleted) equipment: the repository refuses a taken one with a 409.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from fieldedge.domain.base import Entity, field_details
from fieldedge.errors import ValidationFailed

MAX_ATTRIBUTES = 50
MAX_LOG = 200  # status changes kept on the row
MAX_NUMBER = 1e15  # a number attribute's magnitude (JSON allows any)
SERIAL_TAKEN = "Live equipment with this serial number already exists."


def _text(max_length: int, min_length: int = 0) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


class AttributeKind(StrEnum):
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"


class EquipmentStatus(StrEnum):
    OPERATIONAL = "OPERATIONAL"
    DEGRADED = "DEGRADED"
    DOWN = "DOWN"
    RETIRED = "RETIRED"


AttributeName = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z][A-Za-z0-9_]{0,59}$")
]


class AttributeSpec(BaseModel):
    """One declared attribute of a type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: AttributeName
    kind: AttributeKind
    required: bool = False


def normalize_specs(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each declaration checked (``AttributeSpec``) and stored as plain JSON, each name
    once; a 422 names ``attributes.<index>.<field>``."""
    specs: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        try:
            spec = AttributeSpec.model_validate(item)
        except ValidationError as exc:
            details = {f"attributes.{index}.{k}": v for k, v in field_details(exc).items()}
            raise ValidationFailed(details=details) from None
        if any(seen["name"] == spec.name for seen in specs):
            raise ValidationFailed(
                details={f"attributes.{index}.name": ["Declared twice in this type."]}
            )
        specs.append(spec.model_dump(mode="json"))
    return specs


class EquipmentType(Entity):
    id: UUID
    company_id: UUID
    name: Annotated[str, _text(200, 1)]
    # The declarations as JSON (what the row stores); ``specs`` reads them typed.
    attributes: Annotated[
        list[dict[str, Any]], Field(max_length=MAX_ATTRIBUTES), AfterValidator(normalize_specs)
    ] = Field(default_factory=list)
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    @property
    def specs(self) -> list[AttributeSpec]:
        return [AttributeSpec.model_validate(spec) for spec in self.attributes]


def _fits(kind: AttributeKind, value: Any) -> bool:
    if kind is AttributeKind.STRING:
        return isinstance(value, str) and 0 < len(value) <= 500
    if kind is AttributeKind.NUMBER:
        # bool is an int in Python: True is not a number a technician typed. A JSON
        # integer may be any size: past MAX_NUMBER it is no reading anyone took.
        if not isinstance(value, int | float) or isinstance(value, bool):
            return False
        return abs(value) <= MAX_NUMBER and not math.isnan(value)
    if kind is AttributeKind.BOOLEAN:
        return isinstance(value, bool)
    if not isinstance(value, str):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10  # YYYY-MM-DD only, not the other forms fromisoformat reads


_EXPECTED = {
    AttributeKind.STRING: "Must be text (1 to 500 characters).",
    AttributeKind.NUMBER: "Must be a number (at most 1e15 either way).",
    AttributeKind.BOOLEAN: "Must be true or false.",
    AttributeKind.DATE: "Must be a date (YYYY-MM-DD).",
}


def check_attributes(specs: Sequence[AttributeSpec], values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` if they fit ``specs``; else a 422 naming every attribute that does not:
    unknown, required and missing (a null is missing), or of the wrong kind."""
    declared = {spec.name: spec for spec in specs}
    details: dict[str, list[str]] = {}
    for name in values:
        if name not in declared:
            details[f"attributes.{name}"] = ["Not an attribute of this equipment type."]
    for spec in specs:
        value = values.get(spec.name)
        if value is None:
            if spec.required:
                details[f"attributes.{spec.name}"] = ["Required by this equipment type."]
        elif not _fits(spec.kind, value):
            details[f"attributes.{spec.name}"] = [_EXPECTED[spec.kind]]
    if details:
        raise ValidationFailed(details=details)
    return {name: value for name, value in values.items() if value is not None}


class Equipment(Entity):
    id: UUID
    company_id: UUID
    type_id: UUID
    site_id: UUID
    make: Annotated[str, _text(100, 1)]
    model: Annotated[str, _text(100, 1)]
    serial: Annotated[str, _text(100, 1)]
    install_date: date | None = None
    warranty_end: date | None = None
    status: EquipmentStatus = EquipmentStatus.OPERATIONAL
    status_reason: Annotated[str, _text(500)] | None = None  # why it is DOWN or DEGRADED
    attributes: dict[str, Any] = Field(default_factory=dict)
    # Each status change, oldest first (the history's status changes), the last MAX_LOG.
    status_log: list[dict[str, Any]] = Field(default_factory=list)
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _warranty_after_install(self) -> Equipment:
        if (
            self.install_date is not None
            and self.warranty_end is not None
            and self.warranty_end < self.install_date
        ):
            raise ValidationFailed(details={"warrantyEnd": ["Before the install date."]})
        return self

    def set_status(
        self, status: EquipmentStatus, reason: str | None, *, by: UUID | None, at: datetime
    ) -> bool:
        """Change the status with its reason, logged; False when it already was."""
        status = EquipmentStatus(status)
        if status is self.status:
            return False
        entry = {"at": at.isoformat(), "from": self.status.value, "to": status.value,
                 "reason": reason, "by": str(by) if by else None}  # fmt: skip
        self.apply(
            {"status": status, "status_reason": reason,
             "status_log": [*self.status_log, entry][-MAX_LOG:]}
        )  # fmt: skip
        return True
