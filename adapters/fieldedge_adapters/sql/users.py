"""Users in SQL: tenant-filtered reads, a keyset-paged list, a global unique email."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func, update
from sqlmodel import col, select

from fieldedge.domain.identity import Role, User
from fieldedge.errors import NotFound
from fieldedge_adapters.sql.errors import translated
from fieldedge_adapters.sql.scoped import ScopedRepository, detached
from fieldedge_adapters.sql.tables import UserRow

# ``save`` never moves a user to another company, and never changes the id.
_SAVED = tuple(name for name in User.model_fields if name not in ("id", "company_id"))


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's own wildcards escaped (the escape character is ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqlUserRepository(ScopedRepository):
    async def get(self, user_id: UUID) -> User | None:
        row = await self._first(
            select(UserRow).where(col(UserRow.id) == user_id, *self._tenant(UserRow.company_id))
        )
        return None if row is None else detached(User, row)

    async def by_email(self, email: str) -> User | None:
        row = await self._first(
            select(UserRow).where(
                col(UserRow.email) == email.strip().lower(), *self._tenant(UserRow.company_id)
            )
        )
        return None if row is None else detached(User, row)

    async def add(self, user: User) -> User:
        self._check_owned(user.company_id)
        # Emails are logins: stored lower-cased, so the unique index is case-blind.
        stored = user.model_copy(update={"email": user.email.strip().lower()})
        await self._insert(UserRow.model_validate(stored.model_dump()))  # clash: Conflict
        return stored

    async def save(self, user: User) -> User:
        values = {name: getattr(user, name) for name in _SAVED}
        values["email"] = user.email.strip().lower()
        statement = (
            update(UserRow)
            .where(col(UserRow.id) == user.id, *self._tenant(UserRow.company_id))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        with translated():
            result = await self._session.exec(statement)
        if result.rowcount != 1:
            raise NotFound("User not found.")
        return user.model_copy(update={"email": values["email"]})

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
        statement = select(UserRow).where(*self._tenant(UserRow.company_id))
        if after is not None:
            statement = statement.where(col(UserRow.id) > after)
        if manager_id is not None:
            statement = statement.where(col(UserRow.manager_id) == manager_id)
        if role is not None:
            statement = statement.where(col(UserRow.role) == role)
        if active is not None:
            statement = statement.where(col(UserRow.active) == active)
        if q:
            # lower() on both sides, in SQL: the same folding on SQLite and Postgres.
            pattern = func.lower(like_pattern(q))
            statement = statement.where(
                func.lower(col(UserRow.name)).like(pattern, escape="\\")
                | func.lower(col(UserRow.email)).like(pattern, escape="\\")
            )
        statement = statement.order_by(col(UserRow.id)).limit(limit)
        return [detached(User, row) for row in await self._all(statement)]
