"""The outbox's lease protocol: a claim leases due events (oldest due first, never the same
event to two claimers); a mark needs the very lease it was given; a sent event is never
claimed again; a failed one waits for its next attempt or ends dead until revived."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

from fieldedge.domain.outbox import OutboxEvent, OutboxStatus
from fieldedge.ports.database import Database, Scope

from .world import NOW, outbox_event, store

MINUTE = timedelta(minutes=1)
SYSTEM = Scope.system()


async def claim(database: Database, now: datetime, limit: int = 10) -> Sequence[OutboxEvent]:
    async with database.unit_of_work(SYSTEM) as uow:
        claimed = await uow.outbox.claim_due(now=now, lease_until=now + MINUTE, limit=limit)
        await uow.commit()
    return claimed


async def events(database: Database, status: OutboxStatus | None = None) -> list[OutboxEvent]:
    async with database.unit_of_work(SYSTEM) as uow:
        return list(await uow.outbox.list(status=status, after=None, limit=100))


async def test_a_claim_leases_due_events_oldest_due_first(database: Database) -> None:
    later = outbox_event(None, next_attempt_at=NOW - MINUTE)
    oldest = outbox_event(None, next_attempt_at=NOW - 2 * MINUTE)
    due_now = outbox_event(None, next_attempt_at=NOW)
    future = outbox_event(None, next_attempt_at=NOW + MINUTE)
    await store(database, SYSTEM, later, oldest, due_now, future)
    first = await claim(database, NOW, limit=2)
    assert [e.id for e in first] == [oldest.id, later.id]
    assert {e.lease_until for e in first} == {NOW + MINUTE}
    assert [e.id for e in await claim(database, NOW)] == [due_now.id]  # the rest is leased
    assert await claim(database, NOW + MINUTE / 2) == []  # leases still held
    expired = await claim(database, NOW + 2 * MINUTE)  # leases ran out; future is due
    assert {e.id for e in expired} == {oldest.id, later.id, due_now.id, future.id}


async def test_a_mark_needs_the_lease_it_was_given(database: Database) -> None:
    event = outbox_event(None)
    await store(database, SYSTEM, event)
    (first,) = await claim(database, NOW)
    (second,) = await claim(database, NOW + 2 * MINUTE)  # the first lease expired: taken over
    async with database.unit_of_work(SYSTEM) as uow:
        stale = first.lease_until
        assert stale is not None
        assert await uow.outbox.mark_sent(event.id, lease_until=stale, at=NOW) is False
        assert await uow.outbox.mark_failed(
            event.id, lease_until=stale, attempts=1, next_attempt_at=NOW, last_error="x",
            dead=False,
        ) is False  # fmt: skip
        held = second.lease_until
        assert held is not None
        assert await uow.outbox.mark_sent(event.id, lease_until=held, at=NOW + MINUTE) is True
        assert await uow.outbox.mark_sent(event.id, lease_until=held, at=NOW + MINUTE) is False
        await uow.commit()
    (sent,) = await events(database)
    assert (sent.status, sent.sent_at, sent.lease_until) == (
        OutboxStatus.SENT, NOW + MINUTE, None,
    )  # fmt: skip
    assert await claim(database, NOW + 60 * MINUTE) == []  # a sent event is never claimed


async def test_a_failed_attempt_releases_the_lease_until_its_next_attempt(
    database: Database,
) -> None:
    event = outbox_event(None)
    await store(database, SYSTEM, event)
    (leased,) = await claim(database, NOW)
    assert leased.lease_until is not None
    async with database.unit_of_work(SYSTEM) as uow:
        assert await uow.outbox.mark_failed(
            event.id, lease_until=leased.lease_until, attempts=1,
            next_attempt_at=NOW + 5 * MINUTE, last_error="SES throttled " + "x" * 600, dead=False,
        )  # fmt: skip
        await uow.commit()
    (failed,) = await events(database, OutboxStatus.PENDING)
    assert (failed.attempts, failed.next_attempt_at, failed.lease_until) == (
        1, NOW + 5 * MINUTE, None,
    )  # fmt: skip
    assert failed.last_error is not None
    assert failed.last_error.startswith("SES throttled")
    assert len(failed.last_error) == 500
    assert await claim(database, NOW + 4 * MINUTE) == []
    assert [e.id for e in await claim(database, NOW + 5 * MINUTE)] == [event.id]


async def test_a_dead_event_waits_until_revived(database: Database) -> None:
    one, two = outbox_event(None), outbox_event(None)
    await store(database, SYSTEM, one, two)
    for leased in await claim(database, NOW):
        assert leased.lease_until is not None
        async with database.unit_of_work(SYSTEM) as uow:
            assert await uow.outbox.mark_failed(
                leased.id, lease_until=leased.lease_until, attempts=5, next_attempt_at=NOW,
                last_error="bounced", dead=True,
            )  # fmt: skip
            await uow.commit()
    assert {e.id for e in await events(database, OutboxStatus.DEAD)} == {one.id, two.id}
    assert await claim(database, NOW + 60 * MINUTE) == []
    async with database.unit_of_work(SYSTEM) as uow:
        assert await uow.outbox.revive_dead(event_id=one.id, now=NOW + MINUTE) == 1
        await uow.commit()
    (revived,) = await events(database, OutboxStatus.PENDING)
    assert (revived.id, revived.attempts, revived.next_attempt_at, revived.lease_until) == (
        one.id, 0, NOW + MINUTE, None,
    )  # fmt: skip
    async with database.unit_of_work(SYSTEM) as uow:
        assert await uow.outbox.revive_dead(event_id=None, now=NOW) == 1
        await uow.commit()
    assert await events(database, OutboxStatus.DEAD) == []


async def test_concurrent_claimers_never_share_an_event(database: Database) -> None:
    made = [outbox_event(None) for _ in range(12)]
    await store(database, SYSTEM, *made)

    async def claimer() -> list[OutboxEvent]:
        async with database.unit_of_work(SYSTEM) as uow:
            claimed = await uow.outbox.claim_due(now=NOW, lease_until=NOW + MINUTE, limit=5)
            await asyncio.sleep(0.02)  # hold the rows while the others claim
            await uow.commit()
        return list(claimed)

    batches = await asyncio.gather(claimer(), claimer(), claimer())
    ids = [e.id for batch in batches for e in batch]
    assert len(ids) == len(set(ids)) == len(made)


async def test_sent_events_are_swept_and_lists_page_by_id(database: Database) -> None:
    made = [outbox_event(None) for _ in range(3)]
    await store(database, SYSTEM, *made)
    leased = sorted(await claim(database, NOW), key=lambda e: e.id)[:2]
    async with database.unit_of_work(SYSTEM) as uow:
        for n, event in enumerate(leased):
            assert event.lease_until is not None
            at = NOW + n * MINUTE
            assert await uow.outbox.mark_sent(event.id, lease_until=event.lease_until, at=at)
        await uow.commit()
    async with database.unit_of_work(SYSTEM) as uow:
        first = await uow.outbox.list(status=None, after=None, limit=2)
        rest = await uow.outbox.list(status=None, after=first[-1].id, limit=2)
        assert await uow.outbox.delete_sent(NOW + MINUTE) == 1  # sent before, not at
        await uow.commit()
    assert [e.id for e in [*first, *rest]] == sorted(e.id for e in made)
    assert {e.id for e in await events(database, OutboxStatus.SENT)} == {leased[1].id}
    assert {e.id for e in await events(database)} == {leased[1].id, max(e.id for e in made)}
