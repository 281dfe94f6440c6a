"""One transaction over an ``AsyncSession``; leaving without ``commit()`` rolls back.

Each unit of work gets a fresh session (sessions are cheap; connections come from the
engine's pool). Transaction-scoped setup (``SET LOCAL …``) runs from the session's
``after_begin`` event rather than from ``__aenter__``, so it also runs for a transaction
the session begins again after a commit, and a connection is only taken when the
first statement needs one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from fieldedge.ports.database import Scope
from fieldedge_adapters.sql.audit import SqlAuditRepository
from fieldedge_adapters.sql.companies import SqlCompanyRepository
from fieldedge_adapters.sql.contacts import SqlContactRepository
from fieldedge_adapters.sql.engine import TransactionSetup
from fieldedge_adapters.sql.errors import translated
from fieldedge_adapters.sql.idempotency import SqlIdempotencyRepository
from fieldedge_adapters.sql.orders import SqlOrderRepository
from fieldedge_adapters.sql.outbox import SqlOutboxRepository
from fieldedge_adapters.sql.payments import SqlPaymentRepository
from fieldedge_adapters.sql.photos import SqlPhotoRepository
from fieldedge_adapters.sql.products import SqlProductRepository
from fieldedge_adapters.sql.request_tx import Ambient, Rescope, joinable
from fieldedge_adapters.sql.tokens import SqlRefreshTokenRepository, SqlResetTokenRepository
from fieldedge_adapters.sql.users import SqlUserRepository
from fieldedge_adapters.sql.visits import SqlVisitRepository

_SETUP = "fieldedge_transaction_setup"


class _Session(Session):
    """Our sync session class, so the listener below touches only our sessions."""


@event.listens_for(_Session, "after_begin")
def _run_transaction_setup(session: Session, _transaction: Any, connection: Connection) -> None:
    for setup in session.info.get(_SETUP, ()):
        setup(connection)


def session_factory(engine: Any) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        engine, class_=AsyncSession, sync_session_class=_Session, expire_on_commit=False
    )


@dataclass(frozen=True, slots=True)
class _Repositories:
    """Every repository of one unit of work, all built with its scope: none exists
    without one, so none can forget the tenant filter."""

    companies: SqlCompanyRepository
    users: SqlUserRepository
    refresh_tokens: SqlRefreshTokenRepository
    reset_tokens: SqlResetTokenRepository
    audit: SqlAuditRepository
    outbox: SqlOutboxRepository
    idempotency: SqlIdempotencyRepository
    contacts: SqlContactRepository
    visits: SqlVisitRepository
    photos: SqlPhotoRepository
    products: SqlProductRepository
    orders: SqlOrderRepository
    payments: SqlPaymentRepository

    @classmethod
    def build(cls, session: AsyncSession, scope: Scope) -> _Repositories:
        return cls(
            SqlCompanyRepository(session, scope),
            SqlUserRepository(session, scope),
            SqlRefreshTokenRepository(session, scope),
            SqlResetTokenRepository(session, scope),
            SqlAuditRepository(session, scope),
            SqlOutboxRepository(session, scope),
            SqlIdempotencyRepository(session, scope),
            SqlContactRepository(session, scope),
            SqlVisitRepository(session, scope),
            SqlPhotoRepository(session, scope),
            SqlProductRepository(session, scope),
            SqlOrderRepository(session, scope),
            SqlPaymentRepository(session, scope),
        )


class SqlUnitOfWork:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        scope: Scope,
        transaction_setup: Sequence[TransactionSetup] = (),
        *,
        rescope: Rescope | None = None,
        join: bool = True,
    ) -> None:
        self._sessions = sessions
        self._scope = scope
        self._setup = tuple(transaction_setup)
        self._rescope = rescope  # sets this scope on a connection shared with others
        self._join = join  # False for the request transaction itself
        self._session: AsyncSession | None = None
        self._repos: _Repositories | None = None
        self._ambient: Ambient | None = None
        self._savepoint: Any = None

    @property
    def scope(self) -> Scope:
        return self._scope

    @property
    def session(self) -> AsyncSession:
        """For repositories of this adapter only; the core never sees a session."""
        if self._session is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._session

    @property
    def _r(self) -> _Repositories:
        if self._repos is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._repos

    @property
    def companies(self) -> SqlCompanyRepository:
        return self._r.companies

    @property
    def users(self) -> SqlUserRepository:
        return self._r.users

    @property
    def refresh_tokens(self) -> SqlRefreshTokenRepository:
        return self._r.refresh_tokens

    @property
    def reset_tokens(self) -> SqlResetTokenRepository:
        return self._r.reset_tokens

    @property
    def audit(self) -> SqlAuditRepository:
        return self._r.audit

    @property
    def outbox(self) -> SqlOutboxRepository:
        return self._r.outbox

    @property
    def idempotency(self) -> SqlIdempotencyRepository:
        return self._r.idempotency

    @property
    def contacts(self) -> SqlContactRepository:
        return self._r.contacts

    @property
    def visits(self) -> SqlVisitRepository:
        return self._r.visits

    @property
    def photos(self) -> SqlPhotoRepository:
        return self._r.photos

    @property
    def products(self) -> SqlProductRepository:
        return self._r.products

    @property
    def orders(self) -> SqlOrderRepository:
        return self._r.orders

    @property
    def payments(self) -> SqlPaymentRepository:
        return self._r.payments

    async def __aenter__(self) -> Self:
        ambient = joinable() if self._join else None
        if ambient is not None:
            self._ambient = ambient
            self._session = ambient.session
            with translated():
                self._savepoint = await self._session.begin_nested()
                if self._rescope is not None and self._scope != ambient.scope:
                    await self._rescope(self._session)
        else:
            self._session = self._sessions(info={_SETUP: self._setup})
        self._repos = _Repositories.build(self._session, self._scope)
        return self

    async def _leave_savepoint(self, ambient: Ambient, savepoint: Any) -> None:
        with translated():
            if savepoint.is_active:
                await savepoint.rollback()
            rescoped = self._scope != ambient.scope
            if rescoped and ambient.rescope is not None and ambient.session.in_transaction():
                await ambient.rescope(ambient.session)

    async def __aexit__(self, *exc: object) -> None:
        if self._ambient is not None:
            ambient, savepoint = self._ambient, self._savepoint
            self._session, self._repos, self._ambient, self._savepoint = None, None, None, None
            await self._leave_savepoint(ambient, savepoint)
            return
        session, self._session, self._repos = self.session, None, None
        try:
            with translated():
                await session.rollback()  # a no-op after commit()
        except Exception:
            # Leaving on an error already: that error is the one to report, and a
            # failed rollback on a broken connection discards the transaction anyway.
            if exc[0] is None:
                raise
        finally:
            await session.close()

    async def commit(self) -> None:
        with translated():
            if self._savepoint is not None:
                await self._savepoint.commit()  # durable only when the request commits
            else:
                await self.session.commit()
