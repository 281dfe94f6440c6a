"""Work orders: a job at a site or on a piece of equipment, its checklist and comments.

Status moves only along ``TRANSITIONS`` (``domain.moves``), whoever sets it::

    OPEN ──► ASSIGNED ──► IN_PROGRESS ◄──► ON_HOLD
      │        │  ▲            │               │
      │        ▼  │            ▼               │
      │       OPEN (unassigned) COMPLETED      │
      └────────┴───────────────┴───────────────┴──► CANCELLED

A move the table does not have is ``InvalidStateTransition`` (409). COMPLETED and
CANCELLED are final. Completion (``complete``) is refused with a 422 naming every
required checklist item still empty; a number reading outside its item's min/max is
kept and named in ``flagged_items`` (the use case marks the equipment DEGRADED).

The checklist is copied from a template when the work order is made (``ItemSpec``s,
then each item's ``value`` as the technician fills it in, ``fill``); comments are
append-only (``comment``): author, time, text.
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

from fieldedge.domain.attachments import MAX_ATTACHMENTS, attachment_entries
from fieldedge.domain.base import Entity, field_details
from fieldedge.domain.moves import Moves
from fieldedge.errors import ValidationFailed

MAX_ITEMS = 100
MAX_COMMENTS = 500
MAX_READING = 1e15


def _text(max_length: int, min_length: int = 0) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


class WorkOrderKind(StrEnum):
    CORRECTIVE = "CORRECTIVE"
    PREVENTIVE = "PREVENTIVE"
    INSTALLATION = "INSTALLATION"
    INSPECTION = "INSPECTION"


class Priority(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    URGENT = "URGENT"


class WorkOrderStatus(StrEnum):
    OPEN = "OPEN"
    ASSIGNED = "ASSIGNED"
    IN_PROGRESS = "IN_PROGRESS"
    ON_HOLD = "ON_HOLD"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


S = WorkOrderStatus
TRANSITIONS: dict[WorkOrderStatus, frozenset[WorkOrderStatus]] = {
    S.OPEN: frozenset({S.ASSIGNED, S.CANCELLED}),
    S.ASSIGNED: frozenset({S.OPEN, S.IN_PROGRESS, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.ON_HOLD, S.COMPLETED, S.CANCELLED}),
    S.ON_HOLD: frozenset({S.IN_PROGRESS, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}
FINAL = frozenset({S.COMPLETED, S.CANCELLED})


class ItemKind(StrEnum):
    CHECK = "CHECK"  # ticked or not: true / false
    NUMBER = "NUMBER"  # a reading, with an optional min / max
    TEXT = "TEXT"
    PHOTO = "PHOTO"  # a photo taken: the stored photo's reference (text)


ItemKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,59}$")]


class ItemSpec(BaseModel):
    """One item of a checklist template, as a work order copies it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: ItemKey
    label: Annotated[str, _text(200, 1)]
    kind: ItemKind
    required: bool = False
    min: float | None = Field(default=None, allow_inf_nan=False)  # NUMBER items only
    max: float | None = Field(default=None, allow_inf_nan=False)

    @model_validator(mode="after")
    def _range(self) -> ItemSpec:
        if self.kind is not ItemKind.NUMBER and (self.min is not None or self.max is not None):
            raise ValueError("min and max are for NUMBER items only.")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is above max.")
        return self


def normalize_items(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each item checked (``ItemSpec``, plus its ``value`` on a work order) and stored as
    plain JSON, each key once; a 422 names ``items.<index>.<field>``."""
    items: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        spec_part = {k: v for k, v in item.items() if k != "value"}
        try:
            spec = ItemSpec.model_validate(spec_part)
        except ValidationError as exc:
            details = {f"items.{index}.{k}": v for k, v in field_details(exc).items()}
            raise ValidationFailed(details=details) from None
        if any(seen["key"] == spec.key for seen in items):
            raise ValidationFailed(details={f"items.{index}.key": ["Listed twice."]})
        items.append({**spec.model_dump(mode="json"), "value": item.get("value")})
    return items


Items = Annotated[
    list[dict[str, Any]], Field(max_length=MAX_ITEMS), AfterValidator(normalize_items)
]


class ChecklistTemplate(Entity):
    id: UUID
    company_id: UUID
    name: Annotated[str, _text(200, 1)]
    items: Items = Field(default_factory=list)
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None


def _answer(item: Mapping[str, Any], value: Any) -> str | None:
    """Why ``value`` does not answer ``item`` (None: it does, or it clears the item)."""
    if value is None:
        return None
    kind = ItemKind(item["kind"])
    if kind is ItemKind.CHECK:
        return None if isinstance(value, bool) else "Must be true or false."
    if kind is ItemKind.NUMBER:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and abs(value) <= MAX_READING and not math.isnan(value):
            return None
        return "Must be a number (a reading)."
    if isinstance(value, str) and 0 < len(value.strip()) <= 2000:
        return None
    return "Must be text (1 to 2000 characters)." if kind is ItemKind.TEXT else (
        "Must be the taken photo's reference (text)."
    )  # fmt: skip


def out_of_range(item: Mapping[str, Any]) -> bool:
    value = item.get("value")
    if item["kind"] != ItemKind.NUMBER or value is None:
        return False
    low, high = item.get("min"), item.get("max")
    return (low is not None and value < low) or (high is not None and value > high)


class WorkOrder(Moves):
    transitions, noun = TRANSITIONS, "A work order"

    id: UUID
    company_id: UUID
    site_id: UUID
    equipment_id: UUID | None = None
    kind: WorkOrderKind = WorkOrderKind.CORRECTIVE
    priority: Priority = Priority.MEDIUM
    title: Annotated[str, _text(200, 1)]
    description: Annotated[str, _text(2000)] | None = None
    due_at: AwareDatetime | None = None
    assignee_id: UUID | None = None
    status: WorkOrderStatus = WorkOrderStatus.OPEN
    hold_reason: Annotated[str, _text(500)] | None = None
    template_id: UUID | None = None  # the checklist's template (copied, not linked)
    checklist: Items = Field(default_factory=list)
    comments: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_COMMENTS)
    flagged_items: list[str] = Field(default_factory=list)  # readings out of range
    attachments: Annotated[
        list[dict[str, Any]], Field(max_length=MAX_ATTACHMENTS), AfterValidator(attachment_entries)
    ] = Field(default_factory=list)  # photos and PDFs (``domain.attachments``)
    created_by: UUID | None = None
    started_at: AwareDatetime | None = None
    completed_at: AwareDatetime | None = None
    completed_by: UUID | None = None
    cancelled_at: AwareDatetime | None = None
    # Made by a maintenance schedule: its occurrence (1, 2, …) on this machine, planned
    # for a day (calendar) or a meter reading (METER). Server-owned.
    schedule_id: UUID | None = None
    occurrence: int | None = None
    planned_on: date | None = None
    planned_reading: float | None = None
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    @property
    def final(self) -> bool:
        return self.status in FINAL

    def assign(self, assignee_id: UUID | None) -> None:
        """A new assignee: an OPEN work order becomes ASSIGNED, an ASSIGNED one without
        an assignee OPEN again; later on, only the person changes."""
        if self.final:
            self._check_move(WorkOrderStatus.ASSIGNED)  # raises: final
        if assignee_id is not None and self.status is WorkOrderStatus.OPEN:
            self._move(WorkOrderStatus.ASSIGNED, assignee_id=assignee_id)
        elif assignee_id is None and self.status is WorkOrderStatus.ASSIGNED:
            self._move(WorkOrderStatus.OPEN, assignee_id=None)
        elif assignee_id is None and self.status is not WorkOrderStatus.OPEN:
            raise ValidationFailed(
                details={"assigneeId": ["Work under way keeps an assignee; cancel it instead."]}
            )
        else:
            self.assignee_id = assignee_id

    def move_to(
        self, target: WorkOrderStatus, *, by: UUID, at: datetime, reason: str | None = None
    ) -> None:
        """One entry for ``{"status": …}``: each move with its stamps."""
        target = WorkOrderStatus(target)
        if target is WorkOrderStatus.ASSIGNED and self.assignee_id is None:
            raise ValidationFailed(details={"assigneeId": ["Assign someone to assign it."]})
        if target is WorkOrderStatus.COMPLETED:
            self.complete(by, at)
        elif target is WorkOrderStatus.IN_PROGRESS:
            stamps = {} if self.started_at else {"started_at": at}
            self._move(target, hold_reason=None, **stamps)
        elif target is WorkOrderStatus.ON_HOLD:
            self._move(target, hold_reason=reason)
        elif target is WorkOrderStatus.CANCELLED:
            self._move(target, cancelled_at=at)
        elif target is WorkOrderStatus.OPEN:
            self._move(target, assignee_id=None)
        else:
            self._move(target)

    def fill(self, answers: Mapping[str, Any]) -> None:
        """Set checklist values by item key (null clears one); a 422 names each key that
        is not an item or whose value does not answer it, and nothing is set."""
        if self.final:
            raise ValidationFailed(
                details={"answers": ["A finished work order's checklist is kept."]}
            )
        by_key = {item["key"]: item for item in self.checklist}
        details: dict[str, list[str]] = {}
        for key, value in answers.items():
            if key not in by_key:
                details[f"answers.{key}"] = ["Not an item of this checklist."]
            elif (why := _answer(by_key[key], value)) is not None:
                details[f"answers.{key}"] = [why]
        if details:
            raise ValidationFailed(details=details)
        self.checklist = [
            {**item, "value": answers[item["key"]]} if item["key"] in answers else item
            for item in self.checklist
        ]

    def missing(self) -> list[str]:
        """The required items still empty."""
        return [
            item["key"] for item in self.checklist if item["required"] and item["value"] is None
        ]

    def complete(self, by: UUID, at: datetime) -> None:
        self._check_move(WorkOrderStatus.COMPLETED)  # a move the machine lacks: 409 first
        if empty := self.missing():
            raise ValidationFailed(
                details={f"checklist.{key}": ["Required before completion."] for key in empty}
            )
        flagged = [item["key"] for item in self.checklist if out_of_range(item)]
        self._move(
            WorkOrderStatus.COMPLETED, completed_at=at, completed_by=by, flagged_items=flagged
        )

    def comment(self, comment_id: UUID, author_id: UUID, at: datetime, text: str) -> dict[str, Any]:
        cleaned = " ".join(text.split()) if text else ""
        if not cleaned or len(text) > 2000:
            raise ValidationFailed(details={"text": ["1 to 2000 characters."]})
        entry = {"id": str(comment_id), "author_id": str(author_id), "at": at.isoformat(),
                 "text": text.strip()}  # fmt: skip
        self.comments = [*self.comments, entry]
        return entry

    def readings(self) -> Sequence[Mapping[str, Any]]:
        """The NUMBER items with a value (a completed work order's readings)."""
        return [
            i for i in self.checklist if i["kind"] == ItemKind.NUMBER and i["value"] is not None
        ]
