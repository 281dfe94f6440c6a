"""The audit chains: entries are written unlinked with their transaction and linked after,
oldest by id first, by one linker per chain at a time; only linked entries are listed,
and the chain always verifies."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID

from fieldedge.domain.audit import AuditEntry, verify_chain
from fieldedge.ports.database import Database, Scope

from .world import NOW, audit_entry, new_id, tenant


async def append(database: Database, scope: Scope, *entries: AuditEntry) -> None:
    async with database.unit_of_work(scope) as uow:
        for entry in entries:
            await uow.audit.append(entry)
        await uow.commit()


async def link(database: Database, scope: Scope, limit: int = 100) -> int:
    async with database.unit_of_work(scope) as uow:
        linked = await uow.audit.link(limit=limit)
        await uow.commit()
    return linked


async def chain(database: Database, scope: Scope) -> list[AuditEntry]:
    async with database.unit_of_work(scope) as uow:
        return list(await uow.audit.chain(after_seq=0, limit=1000))


async def test_entries_are_listed_once_linked_and_the_chain_verifies(database: Database) -> None:
    t = await tenant(database)
    entries = [audit_entry(t.id, action=f"step.{n}", detail={"n": n}) for n in range(3)]
    await append(database, t.scope, *entries)
    async with t.uow(database) as uow:
        assert await uow.audit.list(before_seq=None, limit=10) == []
        assert await uow.audit.chain(after_seq=0, limit=10) == []
    assert await link(database, t.scope) == 3
    linked = await chain(database, t.scope)
    assert [(e.id, e.seq) for e in linked] == [(e.id, n) for n, e in enumerate(entries, 1)]
    assert verify_chain(linked) == []
    assert [e.detail for e in linked] == [{"n": 0}, {"n": 1}, {"n": 2}]
    async with t.uow(database) as uow:
        newest = await uow.audit.list(before_seq=None, limit=2)
        older = await uow.audit.list(before_seq=newest[-1].seq, limit=2)
    assert [e.seq for e in newest] == [3, 2]
    assert [e.seq for e in older] == [1]


async def test_linking_takes_the_oldest_by_id_first_and_is_idempotent(database: Database) -> None:
    t = await tenant(database)
    older, newer, newest = (audit_entry(t.id, id=i) for i in sorted(new_id() for _ in range(3)))
    await append(database, t.scope, newest)
    await append(database, t.scope, newer, older)  # committed against id order
    assert await link(database, t.scope, limit=2) == 2
    assert await link(database, t.scope, limit=2) == 1
    assert await link(database, t.scope) == 0
    linked = await chain(database, t.scope)
    assert [e.id for e in linked] == [older.id, newer.id, newest.id]
    assert verify_chain(linked) == []
    late = audit_entry(t.id, id=UUID(int=older.id.int - 1))  # an older id, committed last
    await append(database, t.scope, late)
    assert await link(database, t.scope) == 1
    linked = await chain(database, t.scope)
    assert [e.id for e in linked][-1] == late.id  # after the head, never rewriting it
    assert verify_chain(linked) == []


async def test_link_sees_committed_entries_only(database: Database) -> None:
    t = await tenant(database)
    async with t.uow(database) as uow:
        await uow.audit.append(audit_entry(t.id))
        assert await uow.audit.link(limit=10) == 0  # its own entry is not committed yet
        await uow.commit()
    assert await link(database, t.scope) == 1


async def test_a_chain_is_checked_in_batches(database: Database) -> None:
    t = await tenant(database)
    await append(database, t.scope, *(audit_entry(t.id) for _ in range(5)))
    await link(database, t.scope)
    async with t.uow(database) as uow:
        first = await uow.audit.chain(after_seq=0, limit=2)
        second = await uow.audit.chain(after_seq=2, limit=10)
    assert [e.seq for e in first] == [1, 2]
    assert [e.seq for e in second] == [3, 4, 5]
    tail = first[-1]
    assert verify_chain(second, prev_hash=tail.hash or "", next_seq=3) == []


async def test_the_platform_has_a_chain_of_its_own(database: Database) -> None:
    a = await tenant(database, "A")
    b = await tenant(database, "B")
    platform = audit_entry(None, action="auth.login_failed")
    await append(database, Scope.system(), platform)
    await append(database, a.scope, audit_entry(a.id))
    await append(database, b.scope, audit_entry(b.id), audit_entry(b.id))
    async with database.unit_of_work(Scope.system()) as uow:
        waiting = await uow.audit.unlinked_chains(limit=10)
    assert sorted(waiting, key=str) == sorted([None, a.id, b.id], key=str)
    assert await link(database, Scope.system()) == 1
    assert await link(database, a.scope) == 1
    assert await link(database, b.scope) == 2
    system_chain = await chain(database, Scope.system())
    assert [(e.id, e.seq) for e in system_chain] == [(platform.id, 1)]
    assert [e.seq for e in await chain(database, b.scope)] == [1, 2]
    async with database.unit_of_work(Scope.system()) as uow:
        assert await uow.audit.unlinked_chains(limit=10) == []
        listed = await uow.audit.list(before_seq=None, limit=10)
    assert [e.id for e in listed] == [platform.id]


async def test_audit_list_filters(database: Database) -> None:
    t = await tenant(database)
    subject = new_id()
    hour = timedelta(hours=1)
    early = audit_entry(t.id, at=NOW - hour, action="order.approved", actor_id=t.manager.id)
    edge = audit_entry(t.id, at=NOW, action="order.rejected", entity="order", entity_id=subject)
    late = audit_entry(t.id, at=NOW + hour, action="order.approved", actor_id=t.rep.id)
    await append(database, t.scope, early, edge, late)
    await link(database, t.scope)
    async with t.uow(database) as uow:

        async def ids(**filters: object) -> list[UUID]:
            found = await uow.audit.list(before_seq=None, limit=10, **filters)  # type: ignore[arg-type]
            return [e.id for e in found]

        assert await ids(action="order.approved") == [late.id, early.id]
        assert await ids(actor_id=t.manager.id) == [early.id]
        assert await ids(entity="order") == [edge.id]
        assert await ids(entity_id=subject) == [edge.id]
        assert await ids(since=NOW) == [late.id, edge.id]  # since: at or after
        assert await ids(until=NOW) == [edge.id, early.id]  # until: at or before
        assert await ids(since=NOW, until=NOW) == [edge.id]
        assert await ids(action="order.approved", actor_id=t.rep.id) == [late.id]


async def test_concurrent_linkers_never_fork_a_chain(database: Database) -> None:
    t = await tenant(database)
    total = 24

    async def writer(n: int) -> None:
        for k in range(4):
            await append(database, t.scope, audit_entry(t.id, detail={"w": n, "k": k}))

    async def linker() -> None:
        for _ in range(12):
            await link(database, t.scope, limit=3)
            await asyncio.sleep(0.005)

    await asyncio.gather(*(writer(n) for n in range(total // 4)), linker(), linker(), linker())
    while await link(database, t.scope, limit=5):
        pass
    linked = await chain(database, t.scope)
    assert [e.seq for e in linked] == list(range(1, total + 1))
    assert len({e.id for e in linked}) == total
    assert verify_chain(linked) == []
