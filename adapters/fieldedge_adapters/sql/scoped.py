"""What every repository shares: the session and the scope it may not step outside.

A repository is built with the unit of work's ``Scope`` and adds the tenant filter to
every statement itself (``company_id = :cid``), on SQLite and Postgres alike: on
SQLite it is the only guard; on Postgres row-level security backs it up, so a forgotten
filter returns nothing rather than another company's rows. System scope adds no filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from fieldedge.ports.database import Scope
from fieldedge_adapters.sql.errors import translated

M = TypeVar("M", bound=SQLModel)
R = TypeVar("R", bound=SQLModel)


class ScopedRepository:
    def __init__(self, session: AsyncSession, scope: Scope) -> None:
        self._session = session
        self._scope = scope

    def _tenant(self, column: Any) -> list[ColumnElement[bool]]:
        """The tenant filter on ``column`` (none in system scope)."""
        if self._scope.company_id is None:
            return []
        return [col(column) == self._scope.company_id]

    def _check_owned(self, company_id: UUID | None) -> None:
        """A row written in tenant scope must belong to that tenant (Postgres' policy
        would refuse it too; SQLite has nothing else to stop it)."""
        if self._scope.company_id is not None and company_id != self._scope.company_id:
            raise RuntimeError("a tenant unit of work cannot write another tenant's row")

    async def _insert(self, row: R) -> None:
        self._session.add(row)
        with translated():
            # Flush now, so a duplicate is a Conflict here rather than at commit.
            await self._session.flush()
        # Out of the identity map: later reads go to the database, never to this object
        # (UPDATE statements of this repository would leave it stale).
        self._session.expunge(row)

    async def _all(self, statement: SelectOfScalar[R]) -> Sequence[R]:
        with translated():
            result = await self._session.exec(statement.execution_options(populate_existing=True))
            return result.all()

    async def _first(self, statement: SelectOfScalar[R]) -> R | None:
        rows = await self._all(statement.limit(1))
        return rows[0] if rows else None


def detached(model: type[M], row: SQLModel) -> M:
    """A domain copy of a row: changes go through repository methods, never through an
    ORM object the core happens to hold."""
    return model.model_validate(row.model_dump())
