"""A bulk import: an ADMIN's CSV of products or users, uploaded to storage and applied
by a job, with a per-row report.

The record moves QUEUED → RUNNING → DONE or FAILED (FAILED: the file itself could not
be read as that kind of CSV, or the job gave up; per-row problems never fail it). A dry
run goes the same way and writes nothing but the record and its report. ``done`` counts
the file's records already applied, so a job cut off by its lease resumes after them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints

from fieldedge.domain.base import Entity


class ImportKind(StrEnum):
    PRODUCTS = "products"
    USERS = "users"


class ImportStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"


class RowOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    SKIPPED = "skipped"  # unchanged (a re-run), or a duplicate of an earlier row
    ERROR = "error"


Count = Annotated[int, Field(ge=0)]


class Import(Entity):
    id: UUID
    company_id: UUID
    kind: ImportKind
    status: ImportStatus = ImportStatus.QUEUED
    dry_run: bool = False
    file_name: Annotated[str, StringConstraints(max_length=200)]
    file_key: str = Field(max_length=300)  # the upload in object storage
    size_bytes: Count
    rows: Count = 0  # records read so far (the file's total once DONE)
    created: Count = 0
    updated: Count = 0
    skipped: Count = 0
    errors: Count = 0
    done: Count = 0  # records applied: a resumed job skips this many
    report_parts: Count = 0  # the report's CSV pieces in storage, one per batch
    message: str | None = Field(default=None, max_length=500)  # why the file FAILED
    created_by: UUID
    lease_until: AwareDatetime | None = None  # a RUNNING job holds the record until then
    started_at: AwareDatetime | None = None
    finished_at: AwareDatetime | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    def report_key(self, part: int) -> str:
        return f"{self.company_id}/imports/{self.id}/report-{part:06d}.csv"
