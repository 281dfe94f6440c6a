"""One transaction over an ``AsyncSession``; leaving without ``commit()`` rolls back.

Each unit of work gets a fresh session (sessions are cheap; connections come from the
engine's pool). Transaction-scoped setup (``SET LOCAL …``) runs from the session's
``after_begin`` event rather than from ``__aenter__``, so it also runs for a transaction
the session begins again after a commit, and a connection is only taken when the
first statement needs one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from fieldedge_adapters.sql.companies import SqlCompanyRepository
from fieldedge_adapters.sql.engine import TransactionSetup
from fieldedge_adapters.sql.errors import translated

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


class SqlUnitOfWork:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        transaction_setup: Sequence[TransactionSetup] = (),
    ) -> None:
        self._sessions = sessions
        self._setup = tuple(transaction_setup)
        self._session: AsyncSession | None = None
        self._companies: SqlCompanyRepository | None = None

    @property
    def session(self) -> AsyncSession:
        """For repositories of this adapter only; the core never sees a session."""
        if self._session is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._session

    @property
    def companies(self) -> SqlCompanyRepository:
        if self._companies is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._companies

    async def __aenter__(self) -> Self:
        self._session = self._sessions(info={_SETUP: self._setup})
        self._companies = SqlCompanyRepository(self._session)
        return self

    async def __aexit__(self, *exc: object) -> None:
        session, self._session, self._companies = self.session, None, None
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
            await self.session.commit()
