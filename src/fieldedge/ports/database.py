"""The database: units of work over repositories, plus what health and startup ask of it.

A unit of work is always opened for an explicit ``Scope``: one tenant (every query of
every repository filters by that ``company_id``, and on Postgres row-level security is
set to the same tenant for the transaction), or ``Scope.system()`` for the few flows that
must cross tenants before a tenant is known (login by email, refresh by token hash,
password reset, the platform admin, the outbox dispatcher).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, Self
from uuid import UUID

from fieldedge.domain.audit import AuditEntry
from fieldedge.domain.company import Company
from fieldedge.domain.idempotency import IdempotencyRecord
from fieldedge.domain.identity import PasswordResetToken, RefreshToken, Role, User
from fieldedge.domain.outbox import OutboxEvent, OutboxStatus
from fieldedge.ports.fieldforce import (
    ContactRepository,
    OrderRepository,
    PaymentRepository,
    PhotoRepository,
    ProductRepository,
    VisitRepository,
)


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


class CompanyRepository(Protocol):
    async def get(self, company_id: UUID) -> Company | None: ...

    async def add(self, company: Company) -> Company: ...

    async def save(self, company: Company) -> Company: ...

    async def list(self, *, after: UUID | None, limit: int) -> Sequence[Company]:
        """All companies by id (system scope only)."""
        ...

    async def bump_change_counter(self, company_id: UUID) -> int:
        """Lock the tenant's row, add one to its change counter and return the new value.

        Every write transaction calls this once, so commit order is version order.
        """
        ...


class UserRepository(Protocol):
    async def get(self, user_id: UUID) -> User | None: ...

    async def by_email(self, email: str) -> User | None:
        """Lower-cased exact match (system scope for login; tenant scope otherwise)."""
        ...

    async def add(self, user: User) -> User:
        """Raises ``Conflict`` when the email is taken in any company."""
        ...

    async def save(self, user: User) -> User: ...

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
    async def add(self, token: RefreshToken) -> RefreshToken: ...

    async def by_hash(self, token_hash: str) -> RefreshToken | None: ...

    async def mark_used(self, token_id: UUID, at: datetime) -> bool:
        """Atomically mark an unused token used; False when it already was (a replay)."""
        ...

    async def revoke_family(self, family_id: UUID, at: datetime) -> int: ...

    async def revoke_user(self, user_id: UUID, at: datetime) -> int:
        """Revoke every live refresh token of the user; the count revoked."""
        ...

    async def delete_expired(self, before: datetime) -> int:
        """Delete tokens that expired before ``before`` (the sweep); the count."""
        ...


class ResetTokenRepository(Protocol):
    async def add(self, token: PasswordResetToken) -> PasswordResetToken: ...

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
    async def append(
        self,
        *,
        at: datetime,
        action: str,
        actor_id: UUID | None = None,
        entity: str | None = None,
        entity_id: UUID | None = None,
        detail: dict[str, Any] | None = None,
        ip: str | None = None,
    ) -> AuditEntry:
        """Add the next entry of the tenant's chain (tenant scope only), serialised per
        tenant so two writers never fork the chain."""
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
        """Newest first, keyset by ``seq``."""
        ...

    async def chain(self, *, after_seq: int, limit: int) -> Sequence[AuditEntry]:
        """Oldest first, for verification in batches."""
        ...


class OutboxRepository(Protocol):
    """Events in, and the dispatcher's lease protocol out.

    A claim stamps ``lease_until`` on each event it returns; that value is the lease.
    Every mark is conditional on the event still being pending with that very
    ``lease_until``, so a dispatcher whose lease expired (and was taken over) marks
    nothing, and an event marked sent is never claimed again.
    """

    async def add(self, event: OutboxEvent) -> OutboxEvent: ...

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
    async def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        """Insert ``record`` (in progress) unless the user already has a live record with
        its key: ``None`` when inserted (go ahead), else the existing record. An expired
        record is replaced. When another transaction holds the key and does not finish
        within a short wait, raises ``IdempotencyInProgress``."""
        ...

    async def complete(
        self, record_id: UUID, *, status: int, headers: dict[str, str], body: bytes
    ) -> None: ...

    async def sweep(self, before: datetime) -> int:
        """Delete records that expired before ``before`` (system scope); the count."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without ``commit()`` rolls back."""

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

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def commit(self) -> None: ...


class Database(Protocol):
    @property
    def name(self) -> str:
        """``sqlite`` or ``postgresql``."""
        ...

    def unit_of_work(self, scope: Scope) -> UnitOfWork: ...

    def request_transaction(self, scope: Scope) -> AbstractAsyncContextManager[UnitOfWork]:
        """One transaction around a whole request: every ``unit_of_work`` opened inside it
        (in this task) joins it as a savepoint, and its ``commit`` only releases the
        savepoint; the request's own ``commit`` makes everything durable at once. Used by
        idempotent writes so the idempotency record and the write commit together."""
        ...

    async def ping(self) -> None: ...

    async def schema_state(self) -> SchemaState: ...

    async def close(self) -> None: ...
