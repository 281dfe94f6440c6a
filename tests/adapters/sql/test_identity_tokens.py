"""Refresh and reset tokens and the outbox on every backend: found by hash, used exactly
once even when ten requests race for one token, revoked and superseded by count."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from fieldedge.domain.identity import PasswordResetToken, RefreshToken, Role
from fieldedge.domain.outbox import OutboxEvent
from fieldedge.ports.database import Database, Scope
from fieldedge_adapters.sql.uow import SqlUnitOfWork
from fixtures.database import add_company, add_user

NOW = datetime(2026, 1, 3, 10, 0, tzinfo=UTC)


def refresh_token(
    user_id: uuid.UUID, company_id: uuid.UUID | None, **fields: object
) -> RefreshToken:
    return RefreshToken.model_validate(
        {
            "id": uuid.uuid4(),
            "company_id": company_id,
            "user_id": user_id,
            "family_id": uuid.uuid4(),
            "token_hash": uuid.uuid4().hex * 2,
            "issued_at": NOW,
            "expires_at": NOW + timedelta(days=30),
            **fields,
        }
    )


def reset_token(user_id: uuid.UUID, company_id: uuid.UUID | None) -> PasswordResetToken:
    return PasswordResetToken(
        id=uuid.uuid4(),
        company_id=company_id,
        user_id=user_id,
        token_hash=uuid.uuid4().hex * 2,
        created_at=NOW,
        expires_at=NOW + timedelta(hours=1),
    )


async def test_refresh_token_lifecycle(db: Database) -> None:
    company = await add_company(db)
    user = await add_user(db, company.id, "tok@example.com")
    family = uuid.uuid4()
    first = refresh_token(user.id, company.id, family_id=family)
    second = refresh_token(user.id, company.id, family_id=family)
    other = refresh_token(user.id, company.id)
    scope = Scope.tenant(company.id)
    async with db.unit_of_work(scope) as uow:
        for token in (first, second, other):
            await uow.refresh_tokens.add(token)
        await uow.commit()

    async with db.unit_of_work(Scope.system()) as uow:  # how refresh finds it
        assert await uow.refresh_tokens.by_hash(first.token_hash) == first
    async with db.unit_of_work(scope) as uow:
        assert await uow.refresh_tokens.mark_used(first.id, NOW) is True
        assert await uow.refresh_tokens.mark_used(first.id, NOW) is False  # a replay
        assert await uow.refresh_tokens.revoke_family(family, NOW) == 2
        assert await uow.refresh_tokens.revoke_family(family, NOW) == 0
        assert await uow.refresh_tokens.revoke_user(user.id, NOW) == 1  # only `other` left
        await uow.commit()
    async with db.unit_of_work(scope) as uow:
        used = await uow.refresh_tokens.by_hash(first.token_hash)
    assert used is not None
    assert used.used_at == NOW
    assert used.revoked_at == NOW
    assert used.expires_at.tzinfo is not None


async def test_ten_concurrent_uses_of_one_token_have_one_winner(db: Database) -> None:
    company = await add_company(db)
    user = await add_user(db, company.id, "race@example.com")
    token = refresh_token(user.id, company.id)
    scope = Scope.tenant(company.id)
    async with db.unit_of_work(scope) as uow:
        await uow.refresh_tokens.add(token)
        await uow.commit()

    async def use() -> bool:
        async with db.unit_of_work(scope) as uow:
            won = await uow.refresh_tokens.mark_used(token.id, datetime.now(UTC))
            await uow.commit()
            return won

    results = await asyncio.gather(*(use() for _ in range(10)))
    assert results.count(True) == 1


async def test_super_admin_tokens_live_in_system_scope_only(db: Database) -> None:
    company = await add_company(db)
    root = await add_user(db, None, "root@platform.example", role=Role.SUPER_ADMIN)
    token = refresh_token(root.id, None)
    async with db.unit_of_work(Scope.system()) as uow:
        await uow.refresh_tokens.add(token)
        await uow.commit()
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        assert await uow.refresh_tokens.by_hash(token.token_hash) is None
        assert await uow.refresh_tokens.mark_used(token.id, NOW) is False
        assert await uow.refresh_tokens.revoke_user(root.id, NOW) == 0
    async with db.unit_of_work(Scope.system()) as uow:
        assert await uow.refresh_tokens.revoke_user(root.id, NOW) == 1


async def test_reset_tokens_are_single_use_and_superseded(db: Database) -> None:
    company = await add_company(db)
    user = await add_user(db, company.id, "reset@example.com")
    old, new = reset_token(user.id, company.id), reset_token(user.id, company.id)
    scope = Scope.tenant(company.id)
    async with db.unit_of_work(scope) as uow:
        await uow.reset_tokens.add(old)
        assert await uow.reset_tokens.invalidate_user(user.id, NOW) == 1
        await uow.reset_tokens.add(new)
        await uow.commit()
    async with db.unit_of_work(Scope.system()) as uow:
        superseded = await uow.reset_tokens.by_hash(old.token_hash)
        assert superseded is not None
        assert superseded.used_at == NOW
        assert await uow.reset_tokens.mark_used(old.id, NOW) is False
        assert await uow.reset_tokens.mark_used(new.id, NOW) is True
        assert await uow.reset_tokens.mark_used(new.id, NOW) is False
        await uow.commit()
    async with db.unit_of_work(Scope.tenant(uuid.uuid4())) as uow:
        assert await uow.reset_tokens.by_hash(new.token_hash) is None


async def test_outbox_event_is_stored_with_its_payload(db: Database) -> None:
    company = await add_company(db)
    payload = {"template": "welcome", "to": ["a@example.com"], "context": {"n": 1, "x": None}}
    event = OutboxEvent(
        id=uuid.uuid4(),
        company_id=company.id,
        kind="email",
        payload=payload,
        next_attempt_at=NOW,
        created_at=NOW,
    )
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        assert await uow.outbox.add(event) == event
        await uow.commit()
    async with db.unit_of_work(Scope.system()) as uow:
        assert isinstance(uow, SqlUnitOfWork)
        connection = await uow.session.connection()
        row = (await connection.execute(text("SELECT status, payload FROM outbox"))).one()
    assert row[0] == "pending"
    # Raw SQL: JSON text on SQLite; asyncpg's JSON codec (SQLAlchemy installs it) decodes.
    stored = row[1] if isinstance(row[1], dict) else json.loads(row[1])
    assert stored == payload
