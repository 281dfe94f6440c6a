"""Wire shapes of ``/api/v1/checklist-templates``, ``/api/v1/work-orders`` and a
machine's shutdown and history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints

from fieldedge.domain.work_orders import (
    MAX_ITEMS,
    ItemSpec,
    Priority,
    WorkOrderKind,
    WorkOrderStatus,
)
from fieldedge.http.fields import Time
from fieldedge.http.routes.equipment_schemas import EquipmentOut
from fieldedge.http.routes.fieldforce_schemas import CLIENT_ID, Title
from fieldedge.http.schemas import PatchModel, RequestModel, ResponseModel

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Specs = Annotated[list[ItemSpec], Field(max_length=MAX_ITEMS)]

ITEMS = (
    "The checklist: key (a letter, then letters, digits or _), label, kind (CHECK, NUMBER, "
    "TEXT, PHOTO), required, and min / max for a NUMBER item only (min not above max). On "
    "PATCH the whole list."
)
DUE = "When it is due (with its zone, as every time the API takes)."
ANSWERS = (
    "Checklist values by item key (null clears one): true/false for CHECK, a number for "
    "NUMBER, text for TEXT, the taken photo's reference for PHOTO. The assignee's work."
)
STATUS = (
    "A move of the status machine (OPEN → ASSIGNED → IN_PROGRESS ⇄ ON_HOLD; IN_PROGRESS → "
    "COMPLETED; any open status → CANCELLED); another is 409."
)


class CreateTemplateBody(RequestModel):
    id: UUID | None = Field(default=None, description=CLIENT_ID)
    name: Title
    items: Specs = Field(default=[], description=ITEMS)


class UpdateTemplateBody(PatchModel):
    name: Title | None = None
    items: Specs | None = Field(default=None, description=ITEMS)


class ItemOut(ResponseModel):
    key: str
    label: str
    kind: str
    required: bool
    min: float | None
    max: float | None


class TemplateOut(ResponseModel):
    id: UUID
    name: str
    items: list[ItemOut]
    version: int
    created_at: datetime
    updated_at: datetime


class CreateWorkOrderBody(RequestModel):
    id: UUID | None = Field(default=None, description=CLIENT_ID)
    title: Title
    site_id: UUID | None = Field(default=None, description="Default: the equipment's site.")
    equipment_id: UUID | None = None
    kind: WorkOrderKind = WorkOrderKind.CORRECTIVE
    priority: Priority = Priority.MEDIUM
    description: Text | None = None
    due_at: Time | None = Field(default=None, description=DUE)
    assignee_id: UUID | None = Field(default=None, description="Makes it ASSIGNED.")
    template_id: UUID | None = Field(default=None, description="Its checklist is copied.")


class UpdateWorkOrderBody(PatchModel):
    title: Title | None = None
    description: Text | None = None
    kind: WorkOrderKind | None = None
    priority: Priority | None = None
    due_at: Time | None = Field(default=None, description=DUE)
    assignee_id: UUID | None = None
    status: WorkOrderStatus | None = Field(default=None, description=STATUS)
    reason: Reason | None = Field(default=None, description="Why ON_HOLD (with that status).")
    answers: dict[str, Any] | None = Field(default=None, description=ANSWERS)


class CommentBody(RequestModel):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class ShutdownBody(RequestModel):
    reason: Reason


class ChecklistItemOut(ItemOut):
    value: Any


class CommentOut(ResponseModel):
    id: UUID
    author_id: UUID
    at: datetime
    text: str


class AttachmentOut(ResponseModel):
    id: UUID
    content_type: str = Field(description="Detected from the bytes: image/* or application/pdf.")
    size: int
    sha256: str
    uploaded_by: UUID
    at: datetime


class WorkOrderOut(ResponseModel):
    id: UUID
    site_id: UUID
    equipment_id: UUID | None
    kind: WorkOrderKind
    priority: Priority
    title: str
    description: str | None
    due_at: datetime | None
    assignee_id: UUID | None
    status: WorkOrderStatus
    hold_reason: str | None
    template_id: UUID | None
    checklist: list[ChecklistItemOut]
    comments: list[CommentOut]
    flagged_items: list[str] = Field(description="NUMBER items read outside min/max.")
    attachments: list[AttachmentOut] = Field(
        description="Photos and PDFs: upload, read and delete under /attachments."
    )
    created_by: UUID | None
    started_at: datetime | None
    completed_at: datetime | None
    completed_by: UUID | None
    cancelled_at: datetime | None
    schedule_id: UUID | None = Field(description="The maintenance schedule that made it.")
    occurrence: int | None = Field(description="Its occurrence of the schedule on the machine.")
    planned_on: date | None = Field(description="The occurrence's plan date (calendar).")
    planned_reading: float | None = Field(description="The occurrence's due reading (METER).")
    version: int
    created_at: datetime
    updated_at: datetime


class ShutdownOut(ResponseModel):
    equipment: EquipmentOut
    work_order: WorkOrderOut


class HistoryEventOut(ResponseModel):
    at: datetime
    type: str = Field(
        description="STATUS_CHANGED, WORK_ORDER_OPENED, READING, WORK_ORDER_COMPLETED or "
        "WORK_ORDER_CANCELLED."
    )
    work_order_id: UUID | None
    title: str | None
    detail: dict[str, Any]
