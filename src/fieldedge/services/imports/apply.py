"""An import's records applied in batches: each row created, updated, skipped or
refused, with a message; the same for the CLI and the job.

A row is found by its natural key (a product's SKU among live products, a user's email
across the platform, as logins are), so running a file again changes nothing and reports
every row ``skipped``: unchanged. A key seen earlier in the file is a duplicate of that
line (the first wins). Each batch is one transaction: its writes, one audit entry with
its count and line range, and whatever the caller adds (the job's progress) commit
together; a dry run reads the same and writes no row. A bad row never stops the others.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from pydantic import ValidationError

from fieldedge.domain.access import Principal
from fieldedge.domain.identity import Role, User
from fieldedge.domain.imports import ImportKind, RowOutcome
from fieldedge.domain.products import Product
from fieldedge.errors import ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.services import catalogue_cache
from fieldedge.services.auth.password_reset import issue_reset_token
from fieldedge.services.common import audit
from fieldedge.services.deps import Deps
from fieldedge.services.import_rows import Row
from fieldedge.services.imports.rules import ProductRow, UserRow, product_row, reason, user_row

BATCH = 500


@dataclass(frozen=True, slots=True)
class RowResult:
    line: int
    key: str
    outcome: RowOutcome
    message: str = ""


@dataclass(slots=True)
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: int = 0

    def add(self, results: Sequence[RowResult]) -> None:
        self.rows += len(results)
        for result in results:
            name = "errors" if result.outcome is RowOutcome.ERROR else result.outcome.value
            setattr(self, name, getattr(self, name) + 1)


@dataclass(slots=True)
class Run:
    """What an import knows across batches."""

    kind: ImportKind
    company_id: UUID
    actor: Principal | None  # None: the operator's CLI
    actor_id: UUID | None = None
    dry_run: bool = False
    seen: dict[str, int] = field(default_factory=dict)  # key -> the line that had it first
    managers: dict[str, UUID] = field(default_factory=dict)  # MANAGERs made by this run
    known: dict[str, User] = field(default_factory=dict)  # the batch's emails with a login


Parsed = ProductRow | UserRow
KEY_COLUMN = {ImportKind.PRODUCTS: "sku", ImportKind.USERS: "email"}
# Called inside each batch's transaction, before its commit, with the batch's results
# and how many records are done after it.
OnBatch = Callable[[UnitOfWork, list[RowResult], int], Awaitable[None]]


class _Kind(Protocol):
    async def __call__(
        self, uow: UnitOfWork, run: Run, batch: list[tuple[Row, Any]], deps: Deps
    ) -> list[RowResult]: ...


def _parse(kind: ImportKind, row: Row) -> Parsed:
    return product_row(row) if kind is ImportKind.PRODUCTS else user_row(row)


def _checked(run: Run, rows: list[Row]) -> tuple[list[RowResult], list[tuple[Row, Any]]]:
    """Row rules and duplicates within the file: the refused, and the rows to apply."""
    refused: list[RowResult] = []
    good: list[tuple[Row, Any]] = []
    for row in rows:
        try:
            parsed = _parse(run.kind, row)
        except (ValidationFailed, ValidationError) as exc:
            key = (row.cells.get(KEY_COLUMN[run.kind]) or "").strip()[:254]
            refused.append(RowResult(row.line, key, RowOutcome.ERROR, reason(exc)))
            continue
        first = run.seen.setdefault(parsed.key, row.line)
        if first != row.line:
            note = f"Duplicate of line {first} (the first row wins)."
            refused.append(RowResult(row.line, parsed.key, RowOutcome.SKIPPED, note))
            continue
        good.append((row, parsed))
    return refused, good


async def _products(
    uow: UnitOfWork, run: Run, batch: list[tuple[Row, Any]], deps: Deps
) -> list[RowResult]:
    existing = {p.sku: p for p in await uow.products.by_skus([p.sku for _, p in batch])}
    now = deps.clock.now()
    results, fresh = [], []
    for row, parsed in batch:
        product = existing.get(parsed.sku)
        if product is None:
            fresh.append(Product(id=deps.ids.new(), company_id=run.company_id, sku=parsed.sku,
                                 created_at=now, updated_at=now, **parsed.fields))  # fmt: skip
            results.append(RowResult(row.line, parsed.sku, RowOutcome.CREATED))
            continue
        changed = sorted(k for k, v in parsed.fields.items() if getattr(product, k) != v)
        if not changed:
            results.append(RowResult(row.line, parsed.sku, RowOutcome.SKIPPED, "Unchanged."))
            continue
        results.append(
            RowResult(row.line, parsed.sku, RowOutcome.UPDATED, f"Changed: {', '.join(changed)}.")
        )
        if not run.dry_run:
            product.apply({**{k: parsed.fields[k] for k in changed}, "updated_at": now})
            await uow.products.save(product)
    if not run.dry_run:
        await uow.products.add_many(fresh)
    return results


async def _manager(uow: UnitOfWork, run: Run, email: str) -> UUID:
    if email in run.managers:
        return run.managers[email]
    manager = await uow.users.by_email(email)
    if manager is None or manager.role is not Role.MANAGER or not manager.active:
        raise ValidationFailed(details={"manager": [f"{email}: not an active MANAGER here."]})
    return manager.id


async def _elsewhere(deps: Deps, emails: list[str]) -> dict[str, User]:
    """The batch's emails that already have a login, in any company (system scope)."""
    async with deps.db.unit_of_work(Scope.system()) as uow:
        found = [await uow.users.by_email(email) for email in emails]
    return {user.email: user for user in found if user is not None}


async def _user(
    uow: UnitOfWork, run: Run, row: Row, parsed: UserRow, known: User | None, deps: Deps
) -> RowResult:
    if known is not None and known.company_id != run.company_id:
        return RowResult(row.line, parsed.email, RowOutcome.ERROR,
                         "email: Another account already uses this email.")  # fmt: skip
    manager_id = await _manager(uow, run, parsed.manager) if parsed.manager else None
    if known is not None:
        if known.role is not parsed.role or known.manager_id != manager_id:
            return RowResult(row.line, parsed.email, RowOutcome.ERROR,
                             f"role: The user is a {known.role.value} with another manager or "
                             "role: change roles and teams in the app.")  # fmt: skip
        if known.name == parsed.name:
            return RowResult(row.line, parsed.email, RowOutcome.SKIPPED, "Unchanged.")
        if not run.dry_run:
            known.apply({"name": parsed.name, "updated_at": deps.clock.now()})
            await uow.users.save(known)
        return RowResult(row.line, parsed.email, RowOutcome.UPDATED, "Changed: name.")
    now = deps.clock.now()
    user = User(id=deps.ids.new(), company_id=run.company_id, email=parsed.email,
                name=parsed.name, role=parsed.role, manager_id=manager_id,
                created_at=now, updated_at=now)  # fmt: skip
    if parsed.role is Role.MANAGER:
        run.managers[parsed.email] = user.id
    if not run.dry_run:
        await uow.users.add(user)
        await issue_reset_token(uow, deps, user, purpose="invite")  # the ADMIN invite's mail
    return RowResult(row.line, parsed.email, RowOutcome.CREATED, "Invited.")


async def _users(
    uow: UnitOfWork, run: Run, batch: list[tuple[Row, Any]], deps: Deps
) -> list[RowResult]:
    results = []
    for row, parsed in batch:
        try:
            known = run.known.get(parsed.email)
            results.append(await _user(uow, run, row, parsed, known, deps))
        except ValidationFailed as exc:
            results.append(RowResult(row.line, parsed.email, RowOutcome.ERROR, reason(exc)))
    return results


KINDS: dict[ImportKind, _Kind] = {ImportKind.PRODUCTS: _products, ImportKind.USERS: _users}
NOUN = {ImportKind.PRODUCTS: "product", ImportKind.USERS: "user"}


async def _batch(run: Run, rows: list[Row], done: int, deps: Deps, on_batch: OnBatch) -> None:
    refused, good = _checked(run, rows)
    if run.kind is ImportKind.USERS:  # before the batch's transaction (SQLite: one writer)
        run.known = await _elsewhere(deps, [parsed.email for _, parsed in good])
    async with deps.db.unit_of_work(Scope.tenant(run.company_id)) as uow:
        applied = await KINDS[run.kind](uow, run, good, deps) if good else []
        results = sorted([*refused, *applied], key=lambda r: r.line)
        written = [r.line for r in applied if r.outcome in (RowOutcome.CREATED, RowOutcome.UPDATED)]
        if written and not run.dry_run:
            await audit(
                uow, deps, f"{NOUN[run.kind]}.imported", actor=run.actor, actor_id=run.actor_id,
                entity=NOUN[run.kind], detail={"count": len(written), "lines": [written[0],
                                                                                 written[-1]]},
            )  # fmt: skip
        await on_batch(uow, results, done)
        await uow.commit()
    if written and not run.dry_run and run.kind is ImportKind.PRODUCTS:
        await catalogue_cache.invalidate(deps.kv, run.company_id)


async def apply_rows(
    run: Run,
    rows: AsyncIterator[Row],
    deps: Deps,
    on_batch: OnBatch,
    *,
    skip: int = 0,
    more: Callable[[], bool] = lambda: True,
    batch_size: int = BATCH,
) -> bool:
    """Apply ``rows`` after the first ``skip`` (a resumed run: those are only read again,
    to know their keys); False when ``more`` said stop before the end (resume later)."""
    pending: list[Row] = []
    done = 0
    async for row in rows:
        if done < skip:
            done += 1
            with contextlib.suppress(ValidationFailed, ValidationError):
                run.seen.setdefault(_parse(run.kind, row).key, row.line)
            continue
        pending.append(row)
        if len(pending) == batch_size:
            if not more():
                return False
            done += len(pending)
            await _batch(run, pending, done, deps, on_batch)
            pending = []
    if pending:
        done += len(pending)
        await _batch(run, pending, done, deps, on_batch)
    return True
