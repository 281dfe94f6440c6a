"""Refresh and password-reset tokens in SQL, looked up by hash, used exactly once.

"Used once" is one conditional UPDATE (``… WHERE used_at IS NULL``) and its row count,
so two concurrent uses of one token cannot both win: the second waits for the first's
row lock, then finds ``used_at`` set and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.identity import PasswordResetToken, RefreshToken
from fieldedge_adapters.sql.repo import Repository, shape, table_of, tenant_filter
from fieldedge_adapters.sql.tables import PasswordResetTokenRow, RefreshTokenRow

REFRESH = table_of(RefreshTokenRow)
RESET = table_of(PasswordResetTokenRow)


@shape
def _by_hash(table: sa.Table, tenant: bool) -> Any:
    return sa.select(table).where(
        table.c.token_hash == sa.bindparam("hash"), *tenant_filter(table, tenant)
    )


@shape
def _use(table: sa.Table, tenant: bool) -> Any:
    return (
        sa.update(table)
        .where(
            table.c.id == sa.bindparam("w_id"),
            table.c.used_at.is_(None),
            *tenant_filter(table, tenant),
        )
        .values(used_at=sa.bindparam("at"))
    )


@shape
def _revoke(by: str, tenant: bool) -> Any:
    column = REFRESH.c.family_id if by == "family" else REFRESH.c.user_id
    return (
        sa.update(REFRESH)
        .where(column == sa.bindparam("key"), REFRESH.c.revoked_at.is_(None))
        .where(*tenant_filter(REFRESH, tenant))
        .values(revoked_at=sa.bindparam("at"))
        .returning(REFRESH.c.family_id)
    )


@shape
def _invalidate(tenant: bool) -> Any:
    return (
        sa.update(RESET)
        .where(
            RESET.c.user_id == sa.bindparam("user"),
            RESET.c.used_at.is_(None),
            *tenant_filter(RESET, tenant),
        )
        .values(used_at=sa.bindparam("at"))
    )


@shape
def _delete_expired(tenant: bool) -> Any:
    return sa.delete(REFRESH).where(
        REFRESH.c.expires_at < sa.bindparam("before"), *tenant_filter(REFRESH, tenant)
    )


@shape
def _delete_spent(tenant: bool) -> Any:
    return sa.delete(RESET).where(
        sa.or_(RESET.c.used_at.is_not(None), RESET.c.expires_at < sa.bindparam("now")),
        *tenant_filter(RESET, tenant),
    )


class SqlRefreshTokenRepository(Repository[RefreshToken]):
    table, model, soft_delete = REFRESH, RefreshToken, False

    async def add(self, token: RefreshToken) -> None:
        self._add(token)

    async def by_hash(self, token_hash: str) -> RefreshToken | None:
        return await self._one(_by_hash(REFRESH, self._tenant), hash=token_hash)

    async def mark_used(self, token_id: UUID, at: datetime) -> bool:
        return await self._run(_use(REFRESH, self._tenant), w_id=token_id, at=at) == 1

    async def revoke_family(self, family_id: UUID, at: datetime) -> int:
        rows = await self._rows(_revoke("family", self._tenant), key=family_id, at=at)
        return len(rows)

    async def revoke_user(self, user_id: UUID, at: datetime) -> list[UUID]:
        rows = await self._rows(_revoke("user", self._tenant), key=user_id, at=at)
        return sorted({row["family_id"] for row in rows})

    async def delete_expired(self, before: datetime) -> int:
        return await self._run(_delete_expired(self._tenant), before=before)


class SqlResetTokenRepository(Repository[PasswordResetToken]):
    table, model, soft_delete = RESET, PasswordResetToken, False

    async def add(self, token: PasswordResetToken) -> None:
        self._add(token)

    async def by_hash(self, token_hash: str) -> PasswordResetToken | None:
        return await self._one(_by_hash(RESET, self._tenant), hash=token_hash)

    async def mark_used(self, token_id: UUID, at: datetime) -> bool:
        return await self._run(_use(RESET, self._tenant), w_id=token_id, at=at) == 1

    async def invalidate_user(self, user_id: UUID, at: datetime) -> int:
        return await self._run(_invalidate(self._tenant), user=user_id, at=at)

    async def delete_spent(self, now: datetime) -> int:
        return await self._run(_delete_spent(self._tenant), now=now)
