"""Contacts from a CSV file, validated like the API's, deduplicated, all or nothing.

Every row is checked first (the API's rules: known type, a phone valid in the company's
country, both or neither of latitude and longitude, tags, lengths), so a file with bad
rows writes nothing unless ``skip_invalid`` says to take the good ones. A row needs a
phone or an email: those are what duplicates are found by (against live contacts, and
within the file, first row wins), and a duplicate is skipped, never an error, so running
the same file again imports nothing new. Writes go in batches of ``BATCH``: one
transaction each, every row stamped with that transaction's tenant version, and one
``contact.imported`` audit entry per batch with its count and line range. (Two imports
of one file at the same instant can both miss a duplicate: there is no unique index on
phone; run one import per company at a time.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from pydantic import ValidationError

from fieldedge.domain.contacts import Contact
from fieldedge.errors import NotFound, ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.territories import TerritoryQuery
from fieldedge.services.common import audit, normalise_email
from fieldedge.services.contacts import OWNER_ROLES
from fieldedge.services.deps import Deps
from fieldedge.services.export import Progress, quiet
from fieldedge.services.import_rows import Row, Territories, read_rows, reason_of, to_contact
from fieldedge.services.territories import check_territory

BATCH = 200
PAGE = 500  # territories read at a time


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    reason: str


@dataclass(slots=True)
class ImportReport:
    rows: int = 0
    created: int = 0  # written, or that would be on a dry run
    duplicates: list[int] = field(default_factory=list)  # line numbers, skipped
    errors: list[RowError] = field(default_factory=list)
    written: bool = False  # False on a dry run, and when bad rows stopped the import


@dataclass(frozen=True, slots=True)
class _Setup:
    country: str  # phones are read in it
    owner_id: UUID | None
    territories: Territories


async def _territories(uow: UnitOfWork) -> Territories:
    named: list[tuple[UUID, str]] = []
    after: UUID | None = None
    while True:
        rows = await uow.territories.list(TerritoryQuery(after=after, limit=PAGE))
        named += [(row["id"], row["name"]) for row in rows]
        if len(rows) < PAGE:
            return Territories(named)
        after = rows[-1]["id"]


async def _setup(deps: Deps, company_id: UUID, owner_email: str | None) -> _Setup:
    """The company's country, the owner's id, and the territories rows may name."""
    async with deps.db.unit_of_work(Scope.tenant(company_id)) as uow:
        company = await uow.companies.get(company_id)
        if company is None:
            raise NotFound(f"No company {company_id}.")
        territories = await _territories(uow)
        if owner_email is None:
            return _Setup(company.country, None, territories)
        owner = await uow.users.by_email(normalise_email(owner_email))
    if owner is None or not owner.active or owner.role not in OWNER_ROLES:
        raise ValidationFailed(
            f"--owner {owner_email}: not an active SALES_REP or MANAGER of this company."
        )
    return _Setup(company.country, owner.id, territories)


def _keys(contact: Contact) -> set[str]:
    return {key for key in (contact.phone, contact.email) if key}


async def _fresh(
    uow: UnitOfWork, batch: list[tuple[Row, Contact]], report: ImportReport
) -> list[tuple[Row, Contact]]:
    """The batch without the rows that match a live contact (those are skipped)."""
    fresh = []
    for row, contact in batch:
        if await uow.contacts.find_duplicate(phone=contact.phone, email=contact.email):
            report.duplicates.append(row.line)
        else:
            fresh.append((row, contact))
    return fresh


async def _write(
    deps: Deps, company_id: UUID, batch: list[tuple[Row, Contact]], report: ImportReport, dry: bool
) -> None:
    async with deps.db.unit_of_work(Scope.tenant(company_id)) as uow:
        fresh = await _fresh(uow, batch, report)
        report.created += len(fresh)
        if dry or not fresh:
            return
        for territory_id in {c.territory_id for _, c in fresh} - {None}:
            assert territory_id is not None
            await check_territory(uow, territory_id, "territory")  # held: not deleted under us
        for _, contact in fresh:
            await uow.contacts.add(contact)  # the commit stamps the batch with one version
        lines = [fresh[0][0].line, fresh[-1][0].line]
        await audit(
            uow,
            deps,
            "contact.imported",
            entity="contact",
            detail={"count": len(fresh), "lines": lines},
        )
        await uow.commit()


async def import_contacts(
    company_id: UUID,
    text: str,
    deps: Deps,
    *,
    owner_email: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress = quiet,
) -> ImportReport:
    """Import the CSV ``text``; ``ValidationFailed`` (nothing read) when it is not a
    contacts CSV or the owner is wrong, ``NotFound`` when the company is."""
    rows = read_rows(text)
    setup = await _setup(deps, company_id, owner_email)
    report, good, seen = ImportReport(rows=len(rows)), [], set[str]()
    for checked, row in enumerate(rows, 1):
        try:
            contact = to_contact(row, company_id, setup.country, deps, setup.territories)
        except (ValidationFailed, ValidationError) as exc:
            report.errors.append(RowError(row.line, reason_of(exc)))
            continue
        finally:
            progress("check", checked, len(rows))
        if _keys(contact) & seen:
            report.duplicates.append(row.line)  # the file's first row with it wins
            continue
        seen |= _keys(contact)
        contact.owner_id = setup.owner_id
        good.append((row, contact))
    if report.errors and not skip_invalid:
        good = []  # all or nothing (a dry run tells the same story)
    for start in range(0, len(good), BATCH):
        await _write(deps, company_id, good[start : start + BATCH], report, dry_run)
        progress("import", min(start + BATCH, len(good)), len(good))
    report.written = not dry_run and report.created > 0
    report.duplicates.sort()
    return report
