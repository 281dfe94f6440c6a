"""Refresh and password-reset tokens in SQL, looked up by hash, used exactly once.

"Used once" is one conditional UPDATE (``… WHERE used_at IS NULL``) and its row count,
so two concurrent uses of one token cannot both win: the second waits for the first's
row lock, then finds ``used_at`` set and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, or_, update
from sqlmodel import col, select

from fieldedge.domain.identity import PasswordResetToken, RefreshToken
from fieldedge_adapters.sql.errors import translated
from fieldedge_adapters.sql.scoped import ScopedRepository, detached
from fieldedge_adapters.sql.tables import PasswordResetTokenRow, RefreshTokenRow


class _Tokens(ScopedRepository):
    async def _update(self, row: Any, *where: Any, **values: Any) -> int:
        statement = (
            update(row)
            .where(*where, *self._tenant(row.company_id))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        with translated():
            result = await self._session.exec(statement)
        return int(result.rowcount)

    async def _delete(self, row: Any, *where: Any) -> int:
        statement = delete(row).where(*where, *self._tenant(row.company_id))
        with translated():
            result = await self._session.exec(statement)
        return int(result.rowcount)


class SqlRefreshTokenRepository(_Tokens):
    async def add(self, token: RefreshToken) -> RefreshToken:
        self._check_owned(token.company_id)
        await self._insert(RefreshTokenRow.model_validate(token.model_dump()))
        return token

    async def by_hash(self, token_hash: str) -> RefreshToken | None:
        row = await self._first(
            select(RefreshTokenRow).where(
                col(RefreshTokenRow.token_hash) == token_hash,
                *self._tenant(RefreshTokenRow.company_id),
            )
        )
        return None if row is None else detached(RefreshToken, row)

    async def mark_used(self, token_id: UUID, at: datetime) -> bool:
        changed = await self._update(
            RefreshTokenRow,
            col(RefreshTokenRow.id) == token_id,
            col(RefreshTokenRow.used_at).is_(None),
            used_at=at,
        )
        return changed == 1

    async def revoke_family(self, family_id: UUID, at: datetime) -> int:
        return await self._update(
            RefreshTokenRow,
            col(RefreshTokenRow.family_id) == family_id,
            col(RefreshTokenRow.revoked_at).is_(None),
            revoked_at=at,
        )

    async def revoke_user(self, user_id: UUID, at: datetime) -> int:
        return await self._update(
            RefreshTokenRow,
            col(RefreshTokenRow.user_id) == user_id,
            col(RefreshTokenRow.revoked_at).is_(None),
            revoked_at=at,
        )

    async def delete_expired(self, before: datetime) -> int:
        return await self._delete(RefreshTokenRow, col(RefreshTokenRow.expires_at) < before)


class SqlResetTokenRepository(_Tokens):
    async def add(self, token: PasswordResetToken) -> PasswordResetToken:
        self._check_owned(token.company_id)
        await self._insert(PasswordResetTokenRow.model_validate(token.model_dump()))
        return token

    async def by_hash(self, token_hash: str) -> PasswordResetToken | None:
        row = await self._first(
            select(PasswordResetTokenRow).where(
                col(PasswordResetTokenRow.token_hash) == token_hash,
                *self._tenant(PasswordResetTokenRow.company_id),
            )
        )
        return None if row is None else detached(PasswordResetToken, row)

    async def mark_used(self, token_id: UUID, at: datetime) -> bool:
        changed = await self._update(
            PasswordResetTokenRow,
            col(PasswordResetTokenRow.id) == token_id,
            col(PasswordResetTokenRow.used_at).is_(None),
            used_at=at,
        )
        return changed == 1

    async def invalidate_user(self, user_id: UUID, at: datetime) -> int:
        return await self._update(
            PasswordResetTokenRow,
            col(PasswordResetTokenRow.user_id) == user_id,
            col(PasswordResetTokenRow.used_at).is_(None),
            used_at=at,
        )

    async def delete_spent(self, now: datetime) -> int:
        return await self._delete(
            PasswordResetTokenRow,
            or_(
                col(PasswordResetTokenRow.used_at).is_not(None),
                col(PasswordResetTokenRow.expires_at) < now,
            ),
        )
