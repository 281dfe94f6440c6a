"""A tenant's data as JSON Lines, one file per table, zipped into object storage.

Rows are read in keyset batches, each batch in a short read transaction of its own (an
export never holds a connection or a snapshot for minutes, which PgBouncer and Lambda
would both punish), and written straight into the zip, which spools to a temp file once
it outgrows memory. Only the finished zip is read back whole, because the object store
port takes bytes. Users leave without their password hashes. Soft-deleted contacts and
products stay out, as they do from every list. The zip also holds ``manifest.json``
(company, time, row counts) so a reader can check it is complete.

``request_export`` is the API's way in: it only queues an outbox event of kind
``export``; the dispatcher runs ``run_export_event`` (see ``export_event``), so the work
survives a Lambda timeout and is retried with backoff.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from fieldedge import wire
from fieldedge.errors import NotFound
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.fieldforce import (
    ContactQuery,
    OrderQuery,
    PaymentQuery,
    ProductQuery,
    VisitQuery,
)
from fieldedge.ports.territories import TerritoryQuery
from fieldedge.services.common import audit
from fieldedge.services.company.audit_log import link_chain
from fieldedge.services.deps import Deps

BATCH = 500
LINK_TTL_S = 3600
CONTENT_TYPE = "application/zip"
_SPOOL_BYTES = 8 * 1024 * 1024  # in memory up to here, then a temp file
_SECRET_FIELDS = {"users": {"password_hash"}}


class Progress(Protocol):
    """Told how far a long operation is: a stage name, items done, the total if known."""

    def __call__(self, stage: str, done: int, total: int | None = None) -> None: ...


def quiet(stage: str, done: int, total: int | None = None) -> None:
    """A ``Progress`` that shows nothing (the dispatcher's exports)."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    key: str
    url: str
    counts: dict[str, int]
    size: int


Page = Callable[[UnitOfWork, Any], Awaitable[Sequence[Any]]]


async def _batches(
    deps: Deps, scope: Scope, page: Page, cursor: Callable[[Any], Any]
) -> AsyncIterator[Sequence[Any]]:
    """Keyset pages, each read in a transaction of its own."""
    after: Any = None
    while True:
        async with deps.db.unit_of_work(scope) as uow:
            rows = await page(uow, after)
        if rows:
            yield rows
        if len(rows) < BATCH:
            return
        after = cursor(rows[-1])


def _by_id(row: Any) -> Any:
    return row["id"] if isinstance(row, Mapping) else row.id


def _tables(deps: Deps, scope: Scope) -> dict[str, AsyncIterator[Sequence[Any]]]:
    """Every table of the tenant as a stream of batches, in the order they are zipped.
    Generators start lazily, so each one reads only when its file is being written."""

    async def photos() -> AsyncIterator[Sequence[Any]]:
        # Photos are listed per visit: walk the visits again and ask for each one's.
        visits = _batches(deps, scope, lambda u, a: u.visits.list(VisitQuery(a, BATCH)), _by_id)
        async for batch in visits:
            async with deps.db.unit_of_work(scope) as uow:
                found = [p for v in batch for p in await uow.photos.for_visit(_by_id(v))]
            if found:
                yield found

    def keyset(page: Page) -> AsyncIterator[Sequence[Any]]:
        return _batches(deps, scope, page, _by_id)

    return {
        "users": keyset(lambda u, a: u.users.list(after=a, limit=BATCH)),
        "contacts": keyset(lambda u, a: u.contacts.list(ContactQuery(a, BATCH))),
        "visits": keyset(lambda u, a: u.visits.list(VisitQuery(a, BATCH))),
        "visit_photos": photos(),
        "products": keyset(lambda u, a: u.products.list(ProductQuery(a, BATCH))),
        "orders": keyset(lambda u, a: u.orders.list(OrderQuery(a, BATCH))),
        "payments": keyset(lambda u, a: u.payments.list(PaymentQuery(a, BATCH))),
        "territories": keyset(lambda u, a: u.territories.list(TerritoryQuery(a, BATCH))),
        "audit_log": _batches(
            deps,
            scope,
            lambda u, a: u.audit.chain(after_seq=a or 0, limit=BATCH),
            lambda entry: entry.seq,
        ),
    }


def _line(row: Any, exclude: set[str]) -> bytes:
    """One JSON line: a stored row (a list's record) or an entity, as the API writes JSON."""
    data = dict(row) if isinstance(row, Mapping) else row.values()
    return wire.dumps({k: v for k, v in data.items() if k not in exclude}) + b"\n"


async def _write_zip(
    deps: Deps, company_id: UUID, spool: Any, progress: Progress
) -> dict[str, int]:
    scope = Scope.tenant(company_id)
    await link_chain(company_id, deps)  # the export holds every committed audit entry
    async with deps.db.unit_of_work(scope) as uow:
        company = await uow.companies.get(company_id)
    if company is None:
        raise NotFound("No such company.")
    counts: dict[str, int] = {"company": 1}
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("company.jsonl", _line(company, set()))
        for table, batches in _tables(deps, scope).items():
            counts[table] = 0
            progress(table, 0)
            with archive.open(f"{table}.jsonl", "w", force_zip64=True) as out:
                async for batch in batches:
                    for row in batch:
                        out.write(_line(row, _SECRET_FIELDS.get(table, set())))
                    counts[table] += len(batch)
                    progress(table, counts[table])
        manifest = {
            "companyId": str(company_id),
            "exportedAt": deps.clock.now().isoformat().replace("+00:00", "Z"),
            "format": "jsonl",
            "counts": counts,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2) + "\n")
    return counts


async def export_company(
    company_id: UUID,
    deps: Deps,
    *,
    progress: Progress = quiet,
    actor_id: UUID | None = None,
    link_ttl_s: int = LINK_TTL_S,
) -> ExportResult:
    """Zip every table of one tenant into ``{companyId}/exports/{timestamp}-{id}.zip``
    (the id makes two exports in one second two objects) and return a signed download
    link; ``NotFound`` when the company does not exist."""
    stamp = deps.clock.now().strftime("%Y%m%dT%H%M%SZ")
    key = f"{company_id}/exports/{stamp}-{deps.ids.new()}.zip"
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
        counts = await _write_zip(deps, company_id, spool, progress)
        spool.seek(0)
        data = spool.read()
    progress("upload", 0, len(data))
    await deps.storage.put(key, data, content_type=CONTENT_TYPE)
    progress("upload", len(data), len(data))
    url = await deps.storage.presign_get(key, expires_s=link_ttl_s)
    async with deps.db.unit_of_work(Scope.tenant(company_id)) as uow:
        await audit(
            uow,
            deps,
            "company.exported",
            actor_id=actor_id,
            entity="company",
            entity_id=company_id,
            detail={"key": key, "counts": counts},
        )
        await uow.commit()
    return ExportResult(key=key, url=url, counts=counts, size=len(data))
