"""Companies, users and the two kinds of token, in memory, as the SQL adapter has them.

Users: one email in the whole database (``Conflict`` when the write reaches the store),
``get``/``list`` include deleted users (users have no soft-delete filter in SQL), and
``for_login``/``session`` are the one-read views of login and the revocation fallback.
Tokens are used once: ``mark_used`` locks the row and re-checks it, so of two concurrent
uses one wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from fieldedge.domain.company import Company, CompanyStatus
from fieldedge.domain.identity import PasswordResetToken, RefreshToken, Role, User
from fieldedge.errors import NotFound
from fieldedge.ports.database import LoginView, SessionState

from .repo import E, MemoryRepository, contains_text, page, where
from .store import COMPANIES, REFRESH_TOKENS, RESET_TOKENS, USERS, Row

_COMPANY_FIELDS = tuple(Company.model_fields)


class MemoryCompanyRepository(MemoryRepository[Company]):
    table, model, soft_delete = COMPANIES, Company, False

    def _entity(self, row: Row) -> Company:
        # The row also holds the adapter-only counters, which the entity does not know.
        return super()._entity({name: row[name] for name in _COMPANY_FIELDS})

    async def get(self, company_id: UUID) -> Company | None:
        return await self._get(company_id)

    async def add(self, company: Company) -> None:
        self._check_owned(company.id)
        self._txn.insert(
            self.table, {**company.values(), "change_counter": 0, "order_seq": 0}, company
        )
        company.mark_clean()

    async def save(self, company: Company) -> None:
        self._check_owned(company.id)
        changes = company.changes()
        changes.pop("id", None)
        self._txn.update(self.table, company.id, changes, company)
        company.mark_clean()

    async def list(self, *, after: UUID | None, limit: int) -> Sequence[Company]:
        return [self._entity(row) for row in page(await self._rows(), after=after, limit=limit)]

    async def change_counter(self) -> int:
        company_id = self._scope.company_id
        row = await self._txn.row(self.table, company_id) if company_id else None
        if row is None:
            raise NotFound("Company not found.")
        return int(row["change_counter"])


class MemoryUserRepository(MemoryRepository[User]):
    table, model, soft_delete = USERS, User, False

    async def get(self, user_id: UUID) -> User | None:
        return await self._get(user_id)

    async def _by_email(self, email: str) -> Row | None:
        wanted = email.strip().lower()
        rows = await self._rows(lambda row: row["email"] == wanted)
        return rows[0] if rows else None

    async def by_email(self, email: str) -> User | None:
        row = await self._by_email(email)
        return self._entity(row) if row is not None else None

    async def _company_status(self, company_id: UUID | None) -> CompanyStatus | None:
        company = await self._txn.row(COMPANIES, company_id) if company_id else None
        return CompanyStatus(company["status"]) if company is not None else None

    async def for_login(self, email: str) -> LoginView | None:
        row = await self._by_email(email)
        if row is None:
            return None
        return LoginView(self._entity(row), await self._company_status(row["company_id"]))

    async def session(self, user_id: UUID, family_id: UUID) -> SessionState | None:
        row = await self._txn.row(self.table, user_id)
        if row is None:
            return None
        tokens = await self._txn.rows(REFRESH_TOKENS)
        return SessionState(
            user_active=bool(row["active"]) and row["deleted_at"] is None,
            role=Role(row["role"]),
            sessions_valid_after=row["sessions_valid_after"],
            company_status=await self._company_status(row["company_id"]),
            session_revoked=any(
                t["family_id"] == family_id and t["revoked_at"] is not None for t in tokens
            ),
        )

    async def team(self, manager_id: UUID) -> frozenset[UUID]:
        rows = await self._rows(lambda row: row["manager_id"] == manager_id)
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
        test = where(
            lambda row: manager_id is None or row["manager_id"] == manager_id,
            lambda row: role is None or row["role"] == role,
            lambda row: active is None or row["active"] == active,
            lambda row: not q or contains_text(q, row["name"], row["email"]),
        )
        rows = page(await self._rows(test), after=after, limit=limit)
        return [self._entity(row) for row in rows]


class _TokenRepository(MemoryRepository[E]):
    soft_delete = False

    async def by_hash(self, token_hash: str) -> E | None:
        rows = await self._rows(lambda row: row["token_hash"] == token_hash)
        return self._entity(rows[0]) if rows else None

    async def mark_used(self, token_id: UUID, at: datetime) -> bool:
        unused = where(lambda row: row["id"] == token_id, lambda row: row["used_at"] is None)
        return len(await self._set_where(unused, {"used_at": at})) == 1


class MemoryRefreshTokenRepository(_TokenRepository[RefreshToken]):
    table, model = REFRESH_TOKENS, RefreshToken

    async def add(self, token: RefreshToken) -> None:
        self._add(token)

    async def revoke_family(self, family_id: UUID, at: datetime) -> int:
        live = where(lambda r: r["family_id"] == family_id, lambda r: r["revoked_at"] is None)
        return len(await self._set_where(live, {"revoked_at": at}))

    async def revoke_user(self, user_id: UUID, at: datetime) -> list[UUID]:
        live = where(lambda r: r["user_id"] == user_id, lambda r: r["revoked_at"] is None)
        return sorted({row["family_id"] for row in await self._set_where(live, {"revoked_at": at})})

    async def delete_expired(self, before: datetime) -> int:
        return await self._delete_where(lambda row: row["expires_at"] < before)


class MemoryResetTokenRepository(_TokenRepository[PasswordResetToken]):
    table, model = RESET_TOKENS, PasswordResetToken

    async def add(self, token: PasswordResetToken) -> None:
        self._add(token)

    async def invalidate_user(self, user_id: UUID, at: datetime) -> int:
        unused = where(lambda r: r["user_id"] == user_id, lambda r: r["used_at"] is None)
        return len(await self._set_where(unused, {"used_at": at}))

    async def delete_spent(self, now: datetime) -> int:
        def spent(row: Row) -> bool:
            return row["used_at"] is not None or row["expires_at"] < now

        return await self._delete_where(spent)
