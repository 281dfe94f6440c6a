"""Users in SQL: tenant-filtered reads, a keyset-paged list, a global unique email, and
the two one-statement reads the hot paths need (login, the revocation fallback)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.company import CompanyStatus
from fieldedge.domain.identity import Role, User
from fieldedge.ports.database import LoginView, SessionState
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of, tenant_filter
from fieldedge_adapters.sql.statements import contains_text, like_pattern
from fieldedge_adapters.sql.tables import CompanyRow, RefreshTokenRow, UserRow

T = table_of(UserRow)
COMPANIES = table_of(CompanyRow)
TOKENS = table_of(RefreshTokenRow)


@shape
def _by_email(tenant: bool) -> Any:
    return sa.select(T).where(T.c.email == sa.bindparam("email"), *tenant_filter(T, tenant))


@shape
def _for_login(tenant: bool) -> Any:
    return (
        sa.select(T, COMPANIES.c.status.label("company_status"))
        .select_from(T.outerjoin(COMPANIES, COMPANIES.c.id == T.c.company_id))
        .where(T.c.email == sa.bindparam("email"), *tenant_filter(T, tenant))
    )


@shape
def _session(tenant: bool) -> Any:
    revoked = sa.exists().where(
        TOKENS.c.family_id == sa.bindparam("family"),
        TOKENS.c.revoked_at.is_not(None),
        *tenant_filter(TOKENS, tenant),
    )
    return (
        sa.select(
            T.c.active,
            T.c.deleted_at,
            T.c.role,
            T.c.sessions_valid_after,
            COMPANIES.c.status.label("company_status"),
            revoked.label("revoked"),
        )
        .select_from(T.outerjoin(COMPANIES, COMPANIES.c.id == T.c.company_id))
        .where(T.c.id == sa.bindparam("id"), *tenant_filter(T, tenant))
    )


@shape
def _team(tenant: bool) -> Any:
    return sa.select(T.c.id).where(
        sa.or_(T.c.id == sa.bindparam("manager"), T.c.manager_id == sa.bindparam("manager")),
        *tenant_filter(T, tenant),
    )


@shape
def _list(after: bool, manager: bool, role: bool, active: bool, q: bool, tenant: bool) -> Any:
    statement = sa.select(T).where(*tenant_filter(T, tenant))
    if after:
        statement = statement.where(T.c.id > sa.bindparam("after"))
    if manager:
        statement = statement.where(T.c.manager_id == sa.bindparam("manager"))
    if role:
        statement = statement.where(T.c.role == sa.bindparam("role"))
    if active:
        statement = statement.where(T.c.active == sa.bindparam("active"))
    if q:
        statement = statement.where(contains_text("q", T.c.name, T.c.email))
    return statement.order_by(T.c.id).limit(limit_param())


class SqlUserRepository(Repository[User]):
    table, model, soft_delete = T, User, False

    async def get(self, user_id: UUID) -> User | None:
        return await self._get(user_id)

    async def by_email(self, email: str) -> User | None:
        return await self._one(_by_email(self._tenant), email=email.strip().lower())

    async def for_login(self, email: str) -> LoginView | None:
        rows = await self._rows(_for_login(self._tenant), email=email.strip().lower())
        if not rows:
            return None
        row = dict(rows[0])
        status = row.pop("company_status")
        return LoginView(self._entity(row), CompanyStatus(status) if status else None)

    async def session(self, user_id: UUID, family_id: UUID) -> SessionState | None:
        rows = await self._rows(_session(self._tenant), id=user_id, family=family_id)
        if not rows:
            return None
        row = rows[0]
        status = row["company_status"]
        return SessionState(
            user_active=bool(row["active"]) and row["deleted_at"] is None,
            role=Role(row["role"]),
            sessions_valid_after=row["sessions_valid_after"],
            company_status=CompanyStatus(status) if status else None,
            session_revoked=bool(row["revoked"]),
        )

    async def team(self, manager_id: UUID) -> frozenset[UUID]:
        rows = await self._rows(_team(self._tenant), manager=manager_id)
        return frozenset({manager_id, *(row["id"] for row in rows)})

    async def add(self, user: User) -> None:
        self._add(user)  # a taken email is a Conflict when the row is written

    async def save(self, user: User) -> None:
        self._save(user)

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
        statement = _list(
            after is not None,
            manager_id is not None,
            role is not None,
            active is not None,
            bool(q),
            self._tenant,
        )
        return await self._many(
            statement,
            after=after,
            manager=manager_id,
            role=role,
            active=active,
            q=like_pattern(q) if q else None,
            limit=limit,
        )
