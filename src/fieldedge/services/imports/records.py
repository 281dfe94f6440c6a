"""``/api/v1/imports``: an ADMIN uploads a CSV, a job applies it, the record and its
per-row report say how it went.

The upload is stored whole (``{company}/imports/{id}/upload.csv``); the record and an
outbox task of kind ``import`` commit together, so the job runs once the dispatcher
picks the task up (inline after the response on uvicorn and Cloud Run, on the schedule
on Lambda). The job reads the file in chunks from storage: a first pass checks it can be
read at all (UTF-8, CSV, the header), so a bad file FAILS with nothing written; then
batches are applied, each committing its rows, the record's counts and how far it got
in one transaction, and writing its piece of the report to storage. A job that runs
short of its lease stops at a batch boundary and queues its own continuation, which
resumes after the records already done.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import UUID

import structlog

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.imports import Import, ImportKind, ImportStatus
from fieldedge.domain.outbox import OutboxEvent
from fieldedge.domain.text import unsafe_character
from fieldedge.errors import Conflict, ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.services.common import audit, found, queue_task
from fieldedge.services.deps import Deps
from fieldedge.services.imports.apply import Counts, RowResult, Run, apply_rows
from fieldedge.services.imports.reader import read_records, stored_chunks
from fieldedge.services.imports.report import report_part
from fieldedge.services.imports.rules import HEADERS
from fieldedge.services.outbox.templates import TemplateError

KIND = "import"
NOUN = "import"
log = structlog.get_logger("fieldedge.imports")


def upload_key(company_id: UUID, import_id: UUID) -> str:
    return f"{company_id}/imports/{import_id}/upload.csv"


def may_import(principal: Principal) -> None:
    """403 before anything of the request is read, for a caller who may not import."""
    require(principal, Action.IMPORT_MANAGE)


async def start_import(
    principal: Principal,
    kind: ImportKind,
    file_name: str,
    data: bytes,
    deps: Deps,
    *,
    dry_run: bool = False,
) -> Import:
    """Store the file and queue its job; ADMIN only. The file's content is the job's to
    judge (a wrong header FAILS the import, with its message on the record)."""
    require(principal, Action.IMPORT_MANAGE)
    if not data:
        raise ValidationFailed(details={"file": ["The file is empty."]})
    if why := unsafe_character(file_name, multiline=False):
        raise ValidationFailed(details={"fileName": [why]})
    company_id, now = principal.tenant, deps.clock.now()
    record = Import(
        id=deps.ids.new(),
        company_id=company_id,
        kind=kind,
        dry_run=dry_run,
        file_name=(file_name or "upload.csv")[:200],
        file_key="",
        size_bytes=len(data),
        created_by=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    record.file_key = upload_key(company_id, record.id)
    await deps.storage.put(record.file_key, data, content_type="text/csv")
    async with deps.db.unit_of_work(Scope.tenant(company_id)) as uow:
        await uow.imports.add(record)
        await _queue(uow, deps, record)
        await audit(
            uow, deps, "import.created", actor=principal, entity=NOUN, entity_id=record.id,
            detail={"kind": kind.value, "dryRun": dry_run, "bytes": len(data)},
        )  # fmt: skip
        await uow.commit()
    return record


async def _queue(uow: UnitOfWork, deps: Deps, record: Import) -> None:
    payload = {"importId": str(record.id), "companyId": str(record.company_id)}
    await queue_task(uow, deps, company_id=record.company_id, kind=KIND, payload=payload)


async def get_import(principal: Principal, import_id: UUID, deps: Deps) -> Import:
    require(principal, Action.IMPORT_MANAGE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return found(await uow.imports.get(import_id), NOUN)


async def report_parts(principal: Principal, import_id: UUID, deps: Deps) -> AsyncIterator[bytes]:
    """The report's CSV pieces in line order (the record is read first: 404 before any
    byte); readable while the job runs, as far as it got."""
    record = await get_import(principal, import_id, deps)

    async def parts() -> AsyncIterator[bytes]:
        yield b"line,key,outcome,message\r\n"
        for part in range(record.report_parts):
            yield (await deps.storage.get(record.report_key(part))).data

    return parts()


# --- the job ---


def _ids(event: OutboxEvent) -> tuple[UUID, UUID]:
    try:
        return UUID(str(event.payload["companyId"])), UUID(str(event.payload["importId"]))
    except (KeyError, ValueError):
        raise TemplateError("an import event needs 'companyId' and 'importId'") from None


async def _claim(deps: Deps, company_id: UUID, import_id: UUID) -> Import | None:
    """The record, RUNNING under this job's lease; None when it is already finished."""
    now = deps.clock.now()
    async with deps.db.unit_of_work(Scope.tenant(company_id)) as uow:
        record = await uow.imports.get(import_id, lock=True)
        if record is None or record.finished:
            return None
        if record.lease_until is not None and record.lease_until > now:
            raise Conflict("The import is running elsewhere; retried later.")
        lease = now + timedelta(seconds=deps.settings.outbox_lease_s)
        record.apply({"status": ImportStatus.RUNNING, "lease_until": lease, "updated_at": now,
                      "started_at": record.started_at or now})  # fmt: skip
        await uow.imports.save(record)
        await uow.commit()
    return record


def _storable(message: str | None) -> str | None:
    """A file's problem as the record keeps it: it may quote the file (a header cell),
    so no control character, and at most 500 characters."""
    if message is None:
        return None
    clean = "".join(c if unsafe_character(c, multiline=False) is None else "?" for c in message)
    return clean if len(clean) <= 500 else clean[:499] + "…"


async def _finish(deps: Deps, record: Import, status: ImportStatus, message: str | None) -> None:
    message = _storable(message)
    now = deps.clock.now()
    async with deps.db.unit_of_work(Scope.tenant(record.company_id)) as uow:
        stored = found(await uow.imports.get(record.id, lock=True), NOUN)
        stored.apply({"status": status, "message": message, "lease_until": None,
                      "finished_at": now, "updated_at": now})  # fmt: skip
        await uow.imports.save(stored)
        detail = {"status": status.value, "rows": stored.rows, "created": stored.created,
                  "updated": stored.updated, "skipped": stored.skipped, "errors": stored.errors,
                  "dryRun": stored.dry_run}  # fmt: skip
        await audit(uow, deps, "import.finished", actor_id=stored.created_by, entity=NOUN,
                    entity_id=stored.id, detail=detail)  # fmt: skip
        await uow.commit()


async def _readable(deps: Deps, record: Import) -> str | None:
    """Why the file cannot be read as this kind's CSV (the first pass), or None."""
    try:
        async for _ in read_records(stored_chunks(deps.storage, record.file_key),
                                    HEADERS[record.kind]):  # fmt: skip
            pass
    except ValidationFailed as exc:
        return exc.message
    return None


async def run_import_event(event: OutboxEvent, deps: Deps) -> None:
    company_id, import_id = _ids(event)
    record = await _claim(deps, company_id, import_id)
    if record is None:
        return
    try:
        await _run(deps, record)
    except BaseException:
        await _release(deps, record)  # the outbox retries it: let that retry claim it
        raise


async def _release(deps: Deps, record: Import) -> None:
    try:
        async with deps.db.unit_of_work(Scope.tenant(record.company_id)) as uow:
            stored = await uow.imports.get(record.id, lock=True)
            if stored is not None and not stored.finished:
                stored.apply({"lease_until": None, "updated_at": deps.clock.now()})
                await uow.imports.save(stored)
                await uow.commit()
    except Exception as exc:  # the lease then simply runs out
        log.warning("import.release_failed", import_id=str(record.id), error=str(exc)[:200])


async def _run(deps: Deps, record: Import) -> None:
    if record.done == 0 and (problem := await _readable(deps, record)) is not None:
        await _finish(deps, record, ImportStatus.FAILED, problem)
        return
    run = Run(record.kind, record.company_id, None, actor_id=record.created_by,
              dry_run=record.dry_run)  # fmt: skip
    counts = Counts(record.rows, record.created, record.updated, record.skipped, record.errors)
    part = record.report_parts
    # Stop at a batch boundary with half the lease left: a batch must never outlive it.
    stop_at = time.monotonic() + deps.settings.outbox_lease_s / 2

    async def on_batch(uow: UnitOfWork, results: list[RowResult], done: int) -> None:
        nonlocal part
        stored = found(await uow.imports.get(record.id, lock=True), NOUN)
        await deps.storage.put(stored.report_key(part), report_part(results),
                               content_type="text/csv")  # fmt: skip
        part += 1
        counts.add(results)
        lease = deps.clock.now() + timedelta(seconds=deps.settings.outbox_lease_s)
        stored.apply({"rows": counts.rows, "created": counts.created, "updated": counts.updated,
                      "skipped": counts.skipped, "errors": counts.errors, "done": done,
                      "report_parts": part, "lease_until": lease,
                      "updated_at": deps.clock.now()})  # fmt: skip
        await uow.imports.save(stored)

    rows = read_records(stored_chunks(deps.storage, record.file_key), HEADERS[record.kind])
    try:
        complete = await apply_rows(
            run, rows, deps, on_batch, skip=record.done, more=lambda: time.monotonic() < stop_at
        )
    except ValidationFailed as exc:  # the file changed under us; the first pass read it
        await _finish(deps, record, ImportStatus.FAILED, exc.message)
        return
    if complete:
        await _finish(deps, record, ImportStatus.DONE, None)
        return
    async with deps.db.unit_of_work(Scope.tenant(record.company_id)) as uow:
        stored = found(await uow.imports.get(record.id, lock=True), NOUN)
        stored.apply({"lease_until": None, "updated_at": deps.clock.now()})
        await uow.imports.save(stored)
        await _queue(uow, deps, stored)  # the continuation: resumes after ``done``
        await uow.commit()
