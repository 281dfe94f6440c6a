"""The audit chain on every backend: twenty concurrent appends make one gap-free chain
that verifies; editing or deleting a row with raw SQL is caught; reads filter and page."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Uuid, bindparam, text

from fieldedge.domain.audit import GENESIS, AuditEntry, verify_chain
from fieldedge.ports.database import Database, Scope
from fieldedge_adapters.sql.uow import SqlUnitOfWork
from fixtures.database import add_company

WRITERS = 20
T0 = datetime(2026, 1, 3, 10, 0, tzinfo=UTC)


async def whole_chain(db: Database, company_id: uuid.UUID) -> list[AuditEntry]:
    async with db.unit_of_work(Scope.tenant(company_id)) as uow:
        return list(await uow.audit.chain(after_seq=0, limit=1000))


async def raw(db: Database, company_id: uuid.UUID, sql: str) -> None:
    """Tamper as someone with database access would, past the repositories."""
    async with db.unit_of_work(Scope.tenant(company_id)) as uow:
        assert isinstance(uow, SqlUnitOfWork)
        connection = await uow.session.connection()
        statement = text(sql).bindparams(bindparam("cid", company_id, type_=Uuid()))
        await connection.execute(statement)
        await uow.commit()


async def test_concurrent_appends_make_one_intact_chain(db: Database) -> None:
    company = await add_company(db)
    other = await add_company(db, "Other")

    async def append(i: int) -> int:
        async with db.unit_of_work(Scope.tenant(company.id)) as uow:
            entry = await uow.audit.append(
                at=datetime.now(UTC),
                action="user.updated",
                actor_id=uuid.uuid4(),
                entity="user",
                entity_id=uuid.uuid4(),
                detail={"i": i, "who": uuid.uuid4(), "nested": {"ok": True, "f": 1.5}},
                ip="10.0.0.1",
            )
            await uow.commit()
            return entry.seq

    seqs = await asyncio.gather(*(append(i) for i in range(WRITERS)))
    assert sorted(seqs) == list(range(1, WRITERS + 1))
    async with db.unit_of_work(Scope.tenant(other.id)) as uow:  # a chain of its own
        assert (await uow.audit.append(at=T0, action="auth.login")).seq == 1

    chain = await whole_chain(db, company.id)
    assert [e.seq for e in chain] == list(range(1, WRITERS + 1))
    assert chain[0].prev_hash == GENESIS
    assert verify_chain(chain) == []

    await raw(
        db,
        company.id,
        "UPDATE audit_log SET detail = '{\"i\": 99}' WHERE seq = 5 AND company_id = :cid",
    )
    problems = verify_chain(await whole_chain(db, company.id))
    assert problems == ["seq 5: content does not match its hash"]

    await raw(db, company.id, "DELETE FROM audit_log WHERE seq = 12 AND company_id = :cid")
    problems = verify_chain(await whole_chain(db, company.id))
    assert "seq 12: missing (next found is 13)" in problems
    assert "seq 13: does not link to the entry before it" in problems


async def test_list_is_newest_first_with_filters_and_a_keyset(db: Database) -> None:
    company = await add_company(db)
    actor, target = uuid.uuid4(), uuid.uuid4()
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        for i in range(6):
            await uow.audit.append(
                at=T0 + timedelta(minutes=i),
                action="auth.login" if i % 2 else "user.updated",
                actor_id=actor if i < 3 else None,
                entity="user",
                entity_id=target if i == 4 else None,
            )
        await uow.commit()

    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        audit = uow.audit
        newest = await audit.list(before_seq=None, limit=2)
        older = await audit.list(before_seq=newest[-1].seq, limit=10)
        logins = await audit.list(before_seq=None, limit=10, action="auth.login")
        by_actor = await audit.list(before_seq=None, limit=10, actor_id=actor)
        by_entity = await audit.list(before_seq=None, limit=10, entity="user", entity_id=target)
        window = await audit.list(
            before_seq=None,
            limit=10,
            since=T0 + timedelta(minutes=1),
            until=T0 + timedelta(minutes=3),
        )
        tail = await audit.chain(after_seq=4, limit=10)
    assert [e.seq for e in newest] == [6, 5]
    assert [e.seq for e in older] == [4, 3, 2, 1]
    assert [e.seq for e in logins] == [6, 4, 2]
    assert [e.seq for e in by_actor] == [3, 2, 1]
    assert [e.seq for e in by_entity] == [5]
    assert [e.seq for e in window] == [4, 3, 2]
    assert [e.seq for e in tail] == [5, 6]
    assert newest[0].at == T0 + timedelta(minutes=5)


async def test_another_tenant_sees_none_of_the_chain_and_system_cannot_append(
    db: Database,
) -> None:
    a, b = await add_company(db, "A"), await add_company(db, "B")
    async with db.unit_of_work(Scope.tenant(a.id)) as uow:
        await uow.audit.append(at=T0, action="auth.login")
        await uow.commit()
    async with db.unit_of_work(Scope.tenant(b.id)) as uow:
        assert await uow.audit.list(before_seq=None, limit=10) == []
        assert await uow.audit.chain(after_seq=0, limit=10) == []
    async with db.unit_of_work(Scope.system()) as uow:
        with pytest.raises(RuntimeError):
            await uow.audit.append(at=T0, action="auth.login")
