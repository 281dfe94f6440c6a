"""Wire shapes of ``/api/v1/imports``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from fieldedge.http.schemas import RequestModel, ResponseModel

KINDS = (
    "products (sku,name,description,unit_price,tax_rate_bp,active) "
    "or users (email,name,role,manager)."
)


class ImportQuery(RequestModel):
    kind: Literal["products", "users"] = Field(description=KINDS)
    dry_run: bool = Field(default=False, description="Check and report; write no row.")
    file_name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="A raw CSV body's name (a multipart part has its own)."
    )


class ImportOut(ResponseModel):
    id: UUID
    kind: str
    status: Literal["QUEUED", "RUNNING", "DONE", "FAILED"]
    dry_run: bool
    file_name: str
    size_bytes: int
    rows: int = Field(description="Records read so far (the file's, once DONE).")
    created: int
    updated: int
    skipped: int = Field(description="Unchanged (a re-run) or a duplicate of an earlier row.")
    errors: int
    message: str | None = Field(description="Why the file itself FAILED (a wrong header...).")
    created_by: UUID
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    updated_at: datetime
