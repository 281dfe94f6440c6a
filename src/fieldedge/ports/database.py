"""The database: units of work over repositories, plus what health and startup ask of it.

A unit of work is always opened for an explicit ``Scope``: one tenant (every query of
every repository filters by that ``company_id``, and on Postgres row-level security is
set to the same tenant for the transaction), or ``Scope.system()`` for the few flows that
must cross tenants before a tenant is known (login by email, refresh by token hash,
password reset, the platform admin, the outbox dispatcher, the jobs).

Writes. ``add`` and ``save`` (a delete is a ``save`` of a tombstone) reach the database
before the unit of work's next read and at ``commit``, never later, so a use case always
reads what it wrote. ``save`` writes only the fields the entity says changed
(``Entity.changes``). At ``commit`` every synced row written in the unit of work gets one
new value of the tenant's change counter as its ``version`` (and each new order its
number), taken in one statement at the very end, so the tenant's counter lock is held
only for that statement and the commit: writers of one company queue for a moment,
not for a whole transaction. The written entities carry their ``version`` (and
``number``) once ``commit`` returns. Commit order is version order, which sync relies on.

Audit entries and outbox events are appended to the transaction and written by
``commit`` too. A row a use case must read and then change without a concurrent writer
slipping in between (an order's balance, its status) is read with ``lock=True``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, Self
from uuid import UUID

from fieldedge.domain.audit import AuditEntry
from fieldedge.domain.company import Company, CompanyStatus
from fieldedge.domain.idempotency import IdempotencyRecord
from fieldedge.domain.identity import PasswordResetToken, RefreshToken, Role, User
from fieldedge.domain.outbox import OutboxEvent, OutboxStatus
from fieldedge.domain.sync import ScopeChange, SyncClient
from fieldedge.ports.api_keys import ApiKeyRepository
from fieldedge.ports.beats import BeatRepository, PlanRepository, RouteRepository
from fieldedge.ports.equipment import EquipmentRepository, EquipmentTypeRepository
from fieldedge.ports.expenses import ExpenseRepository
from fieldedge.ports.fieldday import AttendanceRepository
from fieldedge.ports.fieldforce import (
    ContactRepository,
    OrderRepository,
    PaymentRepository,
    PhotoRepository,
    ProductRepository,
    VisitRepository,
)
from fieldedge.ports.imports import ImportRepository
from fieldedge.ports.maintenance import MaintenanceScheduleRepository
from fieldedge.ports.records import Record
from fieldedge.ports.reports import ReportRepository
from fieldedge.ports.sites import SiteRepository
from fieldedge.ports.targets import TargetRepository
from fieldedge.ports.territories import TerritoryRepository
from fieldedge.ports.webhooks import WebhookRepository
from fieldedge.ports.work_orders import ChecklistTemplateRepository, WorkOrderRepository


@dataclass(frozen=True, slots=True)
class SchemaState:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


@dataclass(frozen=True, slots=True)
class Scope:
    company_id: UUID | None

    @classmethod
    def tenant(cls, company_id: UUID) -> Scope:
        return cls(company_id)

    @classmethod
    def system(cls) -> Scope:
        return cls(None)

    @property
    def is_system(self) -> bool:
        return self.company_id is None


@dataclass(frozen=True, slots=True)
class SessionState:
    """What a token's holder is, as the database says now (the revocation fallback)."""

    user_active: bool
    role: Role
    sessions_valid_after: datetime | None
    company_status: CompanyStatus | None  # None for SUPER_ADMIN
    session_revoked: bool


@dataclass(frozen=True, slots=True)
class LoginView:
    """A user found by email for login, with their company's status, in one read."""

    user: User
    company_status: CompanyStatus | None


class CompanyRepository(Protocol):
    async def get(self, company_id: UUID) -> Company | None: ...

    async def add(self, company: Company) -> None: ...

    async def save(self, company: Company) -> None: ...

    async def list(self, *, after: UUID | None, limit: int) -> Sequence[Company]:
        """All companies by id (system scope only)."""
        ...

    async def change_counter(self) -> int:
        """The tenant's change counter as last committed: every version at or below it
        belongs to a committed write (the sync pull reads it first)."""
        ...


class UserRepository(Protocol):
    async def get(self, user_id: UUID) -> User | None: ...

    async def by_email(self, email: str) -> User | None:
        """Lower-cased exact match (system scope for login; tenant scope otherwise)."""
        ...

    async def for_login(self, email: str) -> LoginView | None:
        """The user with this email and their company's status, in one read (system)."""
        ...

    async def session(self, user_id: UUID, family_id: UUID) -> SessionState | None:
        """The user's standing and whether session ``family_id`` was revoked, in one
        read: how a token is checked when the KV cannot say."""
        ...

    async def team(self, manager_id: UUID) -> frozenset[UUID]:
        """The manager and every user who reports to them, in one read."""
        ...

    async def add(self, user: User) -> None:
        """Raises ``Conflict`` when the email is taken in any company."""
        ...

    async def save(self, user: User) -> None: ...

    async def list(
        self,
        *,
        after: UUID | None,
        limit: int,
        manager_id: UUID | None = None,
        role: Role | None = None,
        active: bool | None = None,
        q: str | None = None,
    ) -> Sequence[User]:
        """Keyset page by id; ``q`` matches name or email, case-insensitively."""
        ...


class RefreshTokenRepository(Protocol):
    async def add(self, token: RefreshToken) -> None: ...

    async def by_hash(self, token_hash: str) -> RefreshToken | None: ...

    async def mark_used(self, token_id: UUID, at: datetime) -> bool:
        """Atomically mark an unused token used; False when it already was (a replay)."""
        ...

    async def revoke_family(self, family_id: UUID, at: datetime) -> int: ...

    async def revoke_user(self, user_id: UUID, at: datetime) -> list[UUID]:
        """Revoke every live refresh token of the user; the families (sessions) ended."""
        ...

    async def delete_expired(self, before: datetime) -> int:
        """Delete tokens that expired before ``before`` (the sweep); the count."""
        ...


class ResetTokenRepository(Protocol):
    async def add(self, token: PasswordResetToken) -> None: ...

    async def by_hash(self, token_hash: str) -> PasswordResetToken | None: ...

    async def mark_used(self, token_id: UUID, at: datetime) -> bool:
        """Atomically mark an unused token used; False when it already was."""
        ...

    async def invalidate_user(self, user_id: UUID, at: datetime) -> int:
        """Mark every unused token of the user used (a newer one supersedes them)."""
        ...

    async def delete_spent(self, now: datetime) -> int:
        """Delete used tokens and tokens expired at ``now`` (the sweep); the count."""
        ...


class AuditRepository(Protocol):
    async def append(self, entry: AuditEntry) -> None:
        """Write ``entry`` (unlinked) with this transaction; the linker links it after."""
        ...

    async def list(
        self,
        *,
        before_seq: int | None,
        limit: int,
        action: str | None = None,
        actor_id: UUID | None = None,
        entity: str | None = None,
        entity_id: UUID | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Sequence[AuditEntry]:
        """Linked entries, newest first, keyset by ``seq``."""
        ...

    async def chain(self, *, after_seq: int, limit: int) -> Sequence[AuditEntry]:
        """Linked entries oldest first, for verification in batches."""
        ...

    async def link(self, *, limit: int) -> int:
        """Link up to ``limit`` committed, unlinked entries of the scope's chain (the
        tenant's, or in system scope the platform's) after its head, oldest first, under
        the chain head's lock (one linker at a time per chain); how many were linked."""
        ...

    async def unlinked_chains(self, *, limit: int) -> Sequence[UUID | None]:
        """Companies (None: the platform) with entries waiting to be linked (system)."""
        ...


class OutboxRepository(Protocol):
    """Events in, and the dispatcher's lease protocol out.

    A claim stamps ``lease_until`` on each event it returns; that value is the lease.
    Every mark is conditional on the event still being pending with that very
    ``lease_until``, so a dispatcher whose lease expired (and was taken over) marks
    nothing, and an event marked sent is never claimed again.
    """

    async def add(self, event: OutboxEvent) -> None:
        """Written by this transaction's commit (events are written, not read back, by
        the use case that makes them)."""
        ...

    async def claim_due(
        self, *, now: datetime, lease_until: datetime, limit: int
    ) -> Sequence[OutboxEvent]:
        """Lease up to ``limit`` pending events due at ``now`` whose lease is free or
        expired, oldest due first (system scope). Concurrent claimers never get the same
        event (``FOR UPDATE SKIP LOCKED`` on Postgres; one writer at a time on SQLite)."""
        ...

    async def mark_sent(self, event_id: UUID, *, lease_until: datetime, at: datetime) -> bool:
        """Pending -> sent while the lease is ours; False when it is not any more."""
        ...

    async def mark_failed(
        self,
        event_id: UUID,
        *,
        lease_until: datetime,
        attempts: int,
        next_attempt_at: datetime,
        last_error: str,
        dead: bool,
    ) -> bool:
        """Record a failed attempt and release the lease (or end the event ``dead``)."""
        ...

    async def list(
        self, *, status: OutboxStatus | None, after: UUID | None, limit: int
    ) -> Sequence[OutboxEvent]:
        """Keyset page by id (time-ordered ids: oldest first)."""
        ...

    async def revive_dead(self, *, event_id: UUID | None, now: datetime) -> int:
        """Dead -> pending, attempts reset, due ``now``: one event, or all when ``None``."""
        ...

    async def delete_sent(self, before: datetime) -> int:
        """Delete events sent before ``before`` (the sweep); the count."""
        ...


class IdempotencyRepository(Protocol):
    async def find(self, user_id: UUID, key: str, *, now: datetime) -> IdempotencyRecord | None:
        """The user's live (unexpired) record for ``key``."""
        ...

    async def record(self, record: IdempotencyRecord) -> bool:
        """Write the completed record now, in this transaction; False when the user's key
        is already held: by a committed record (replay it), or by a transaction still
        running (on Postgres this waits for it, within the request's lock wait bound)."""
        ...

    async def sweep(self, before: datetime) -> int:
        """Delete records that expired before ``before`` (system scope); the count."""
        ...


# The kinds of row a replica holds, in the order a pull walks them.
SYNC_KINDS = (
    "users", "contacts", "visits", "photos", "products", "orders", "payments", "attendance",
    "expenses", "territories", "targets", "beats", "plans", "routes",
    "sites", "equipment_types", "equipment", "checklist_templates", "work_orders",
    "maintenance_schedules",
)  # fmt: skip
# The kinds whose rows are one user's work (their ``user_id``): they follow that user in
# and out of a replica's scope.
USER_KINDS = (
    "orders", "payments", "attendance", "expenses", "targets", "beats", "plans", "routes",
)  # fmt: skip
# The kinds every replica of the company holds whole (every role reads them all).
EVERYONES = (
    "sites", "equipment_types", "equipment", "checklist_templates", "work_orders",
    "maintenance_schedules",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Reach:
    """Which of the tenant's rows one user's replica holds, per kind of row.

    ``contact_owners``: contacts whose ``owner_id`` is in it (None: all). ``work_owners``:
    visits, orders, payments, attendance days, expense claims, targets, beats and plans
    whose ``user_id`` is in it (None: all), and visits at contacts owned by ``contacts_of``
    too. Photos follow their visit. ``active_products``: only live, active products.
    ``users``: those users (None: all). Territories: every replica holds the whole tree
    (every role reads it)."""

    contact_owners: frozenset[UUID] | None
    work_owners: frozenset[UUID] | None
    contacts_of: UUID | None = None
    active_products: bool = False
    users: frozenset[UUID] | None = None


class SyncRepository(Protocol):
    """What the sync protocol keeps, and the reads a pull is made of (tenant scope)."""

    async def client(self, client_id: UUID, *, lock: bool = False) -> SyncClient | None:
        """The device's client record, whoever's it is (the caller checks the user)."""
        ...

    async def add_client(self, client: SyncClient) -> None: ...

    async def save_client(self, client: SyncClient) -> None: ...

    async def result(self, client_id: UUID, mutation_id: int) -> dict[str, Any] | None:
        """The result a mutation got when it was applied (None once swept), its
        ``version`` of 0 read as the version its push was stamped with."""
        ...

    async def add_result(
        self, client_id: UUID, mutation_id: int, result: dict[str, Any], at: datetime
    ) -> None:
        """Keep a mutation's result; the row is stamped with its push's version."""
        ...

    async def log_scope(self, change: ScopeChange) -> None:
        """Record a row moving between users' scopes (stamped with the write's version)."""
        ...

    async def scope_changes(
        self, user_id: UUID, *, after: int, until: int
    ) -> Sequence[ScopeChange]:
        """Changes that took a row from or gave one to ``user_id``, version in
        (after, until], in version order."""
        ...

    async def field_versions(self, kind: str, row_id: UUID) -> dict[str, int]:
        """The row's per-field versions, resolved (contacts, visits, orders)."""
        ...

    async def changed(
        self,
        kind: str,
        reach: Reach,
        *,
        after: int,
        until: int,
        key: tuple[int, UUID] | None,
        limit: int,
    ) -> Sequence[Record]:
        """Rows of ``kind`` in ``reach`` whose version is in (after, until], tombstones
        included, ordered by (version, id), after ``key``."""
        ...

    async def snapshot(
        self, kind: str, reach: Reach, *, until: int, after: UUID | None, limit: int
    ) -> Sequence[Record]:
        """Live rows of ``kind`` in ``reach`` at or below version ``until``, by id."""
        ...

    async def belonging(
        self,
        kind: str,
        reach: Reach,
        *,
        contacts: Collection[UUID] = (),
        users: Collection[UUID] = (),
        skip: tuple[int, int],
        after: UUID | None,
        limit: int,
    ) -> Sequence[Record]:
        """Live rows of ``kind`` in ``reach`` that belong to ``contacts`` (visits at
        them, their photos) or to ``users`` (the user rows, their visits, photos, orders,
        payments), by id, leaving out those whose version is in ``skip`` (the changes a
        pull already hands out)."""
        ...

    async def sweep(self, before: datetime) -> int:
        """Delete results and scope changes written before ``before``; the count."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without ``commit()`` rolls back; ``commit``
    stamps and writes what is pending (see the module's docstring), then commits."""

    @property
    def scope(self) -> Scope: ...

    @property
    def companies(self) -> CompanyRepository: ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def refresh_tokens(self) -> RefreshTokenRepository: ...

    @property
    def reset_tokens(self) -> ResetTokenRepository: ...

    @property
    def audit(self) -> AuditRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def idempotency(self) -> IdempotencyRepository: ...

    @property
    def contacts(self) -> ContactRepository: ...

    @property
    def visits(self) -> VisitRepository: ...

    @property
    def photos(self) -> PhotoRepository: ...

    @property
    def products(self) -> ProductRepository: ...

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def payments(self) -> PaymentRepository: ...

    @property
    def attendance(self) -> AttendanceRepository: ...

    @property
    def expenses(self) -> ExpenseRepository: ...

    @property
    def territories(self) -> TerritoryRepository: ...

    @property
    def targets(self) -> TargetRepository: ...

    @property
    def beats(self) -> BeatRepository: ...

    @property
    def plans(self) -> PlanRepository: ...

    @property
    def routes(self) -> RouteRepository: ...

    @property
    def api_keys(self) -> ApiKeyRepository: ...

    @property
    def webhooks(self) -> WebhookRepository: ...

    @property
    def sync(self) -> SyncRepository: ...

    @property
    def sites(self) -> SiteRepository: ...

    @property
    def equipment_types(self) -> EquipmentTypeRepository: ...

    @property
    def equipment(self) -> EquipmentRepository: ...

    @property
    def checklist_templates(self) -> ChecklistTemplateRepository: ...

    @property
    def work_orders(self) -> WorkOrderRepository: ...

    @property
    def maintenance_schedules(self) -> MaintenanceScheduleRepository: ...

    @property
    def imports(self) -> ImportRepository: ...

    @property
    def reports(self) -> ReportRepository: ...

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """A section of the unit of work that, left on an error, undoes its own writes
        only (its queued writes, versions and audit entries too); the error goes on."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def commit(self) -> None: ...

    async def commit_recording(self, record: IdempotencyRecord) -> bool:
        """``idempotency.record(record)`` then ``commit()``, as one step (on Postgres one
        round trip: the record's write travels with the ``COMMIT``). False, with nothing
        committed, when the user's key is already held, as ``record`` answers."""
        ...


class Database(Protocol):
    @property
    def name(self) -> str:
        """``sqlite`` or ``postgresql``."""
        ...

    def unit_of_work(self, scope: Scope) -> UnitOfWork: ...

    def request_transaction(self, scope: Scope) -> AbstractAsyncContextManager[UnitOfWork]:
        """One transaction around a whole request: every ``unit_of_work`` of the same
        scope opened inside it (in this task) joins it; a joined ``commit`` stamps and
        writes what is pending but commits nothing, and an error in it leaves the whole
        request transaction to roll back. The request's own ``commit`` makes everything
        durable at once. Used by idempotent writes, so the idempotency record and the
        write commit together. A unit of work of another scope runs in a transaction of
        its own, except where the database has one writer at a time (SQLite): there a
        transaction of its own would wait on the request's lock, so it joins too."""
        ...

    async def ping(self) -> None: ...

    async def schema_state(self) -> SchemaState: ...

    async def close(self) -> None: ...
