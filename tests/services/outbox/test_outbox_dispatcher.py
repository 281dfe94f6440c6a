"""The dispatcher on every database backend: sends once, backs off, ends dead, never
double-sends, and keeps its hands off an event whose lease it lost."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from outbox_support import FlakyMailer, RecordingMailer, events, queue

from fakes import FixedClock
from fieldedge.domain.outbox import OutboxStatus
from fieldedge.ports.database import Scope
from fieldedge.services.deps import Deps
from fieldedge.services.outbox.backoff import CAP_S
from fieldedge.services.outbox.dispatcher import EVENT_HEADER, DispatchReport, dispatch_due

BuildDeps = Callable[..., Deps]


async def test_due_events_are_sent_once_with_the_console_mailer(
    make_outbox_deps: BuildDeps,
) -> None:
    deps = make_outbox_deps()
    first, second = await queue(deps), await queue(deps, to=["ravi@example.com"])

    report = await dispatch_due(deps)

    assert report == DispatchReport(claimed=2, sent=2)
    stored = await events(deps)
    for event in (first, second):
        assert stored[str(event.id)].status is OutboxStatus.SENT
        assert stored[str(event.id)].sent_at == deps.clock.now()
    assert await dispatch_due(deps) == DispatchReport()  # nothing left to send


async def test_the_message_is_rendered_and_carries_the_event_id(
    make_outbox_deps: BuildDeps,
) -> None:
    mailer = RecordingMailer()
    deps = make_outbox_deps(mailer)
    event = await queue(
        deps, context={"name": "<Asha>", "company": "A&B", "appUrl": "https://x.io"}
    )

    await dispatch_due(deps)

    [message] = mailer.sent
    assert message.to == ("asha@example.com",)
    assert message.subject == "Welcome to fieldedge, <Asha>"
    assert "&lt;Asha&gt;" in (message.html or "")
    assert "<Asha>" not in (message.html or "")
    assert "A&amp;B" in (message.html or "")
    assert "Hello <Asha>," in message.text
    assert message.headers[EVENT_HEADER] == str(event.id)


async def test_failures_back_off_then_the_event_is_sent_exactly_once(
    make_outbox_deps: BuildDeps, clock: FixedClock
) -> None:
    recorder = RecordingMailer()
    deps = make_outbox_deps(FlakyMailer(recorder, failures=2))
    event = await queue(deps)

    assert await dispatch_due(deps) == DispatchReport(claimed=1, failed=1)
    failed = (await events(deps))[str(event.id)]
    assert (failed.status, failed.attempts) == (OutboxStatus.PENDING, 1)
    assert failed.last_error == "mail unavailable (refused)"
    assert failed.next_attempt_at > clock.now()
    assert failed.lease_until is None
    assert await dispatch_due(deps) == DispatchReport()  # not due before its backoff

    for _ in range(2):
        clock.advance(CAP_S)
        await dispatch_due(deps)

    sent = (await events(deps))[str(event.id)]
    assert (sent.status, sent.attempts) == (OutboxStatus.SENT, 2)
    assert recorder.event_ids == [str(event.id)]
    clock.advance(CAP_S)
    assert await dispatch_due(deps) == DispatchReport()


async def test_a_mailer_that_never_recovers_ends_dead_after_the_maximum(
    make_outbox_deps: BuildDeps, clock: FixedClock
) -> None:
    deps = make_outbox_deps(FlakyMailer(RecordingMailer(), failures=None), outbox_max_attempts=4)
    event = await queue(deps)

    reports = []
    for _ in range(6):  # more rounds than attempts: a dead event is never claimed again
        reports.append(await dispatch_due(deps))
        clock.advance(CAP_S)

    assert [r.failed for r in reports] == [1, 1, 1, 0, 0, 0]
    assert [r.dead for r in reports] == [0, 0, 0, 1, 0, 0]
    dead = (await events(deps))[str(event.id)]
    assert (dead.status, dead.attempts) == (OutboxStatus.DEAD, 4)


async def test_an_unknown_template_or_missing_key_is_dead_at_once(
    make_outbox_deps: BuildDeps,
) -> None:
    mailer = RecordingMailer()
    deps = make_outbox_deps(mailer)
    unknown = await queue(deps, template="no_such_template")
    missing = await queue(
        deps, template="password_reset", context={"name": "Asha", "expiresInMinutes": 60}
    )

    assert await dispatch_due(deps) == DispatchReport(claimed=2, dead=2)

    stored = await events(deps)
    assert stored[str(unknown.id)].last_error == "unknown email template 'no_such_template'"
    assert stored[str(missing.id)].last_error == "password_reset: missing context key 'link'"
    assert stored[str(missing.id)].attempts == 1
    assert mailer.sent == []


async def test_a_lost_lease_marks_nothing(make_outbox_deps: BuildDeps, clock: FixedClock) -> None:
    """A dispatcher that stalled past its lease finds the event taken over: its late mark
    changes nothing, and the event is sent by the one that holds it now."""
    deps = make_outbox_deps(RecordingMailer())
    event = await queue(deps)
    stale_lease = clock.now() + timedelta(seconds=60)
    async with deps.db.unit_of_work(Scope.system()) as uow:
        [claimed] = await uow.outbox.claim_due(now=clock.now(), lease_until=stale_lease, limit=5)
        await uow.commit()
    assert claimed.lease_until == stale_lease
    assert await dispatch_due(deps) == DispatchReport()  # leased: nobody else may take it

    clock.advance(61)  # the lease ran out
    assert await dispatch_due(deps) == DispatchReport(claimed=1, sent=1)
    async with deps.db.unit_of_work(Scope.system()) as uow:
        late = await uow.outbox.mark_sent(event.id, lease_until=stale_lease, at=clock.now())
        await uow.commit()

    assert late is False
    assert (await events(deps))[str(event.id)].status is OutboxStatus.SENT


async def test_two_dispatchers_racing_never_send_an_event_twice(
    make_outbox_deps: BuildDeps,
) -> None:
    mailer = RecordingMailer()
    deps = make_outbox_deps(mailer)
    queued = [await queue(deps, to=[f"u{i}@example.com"]) for i in range(50)]

    first, second = await asyncio.gather(dispatch_due(deps, limit=50), dispatch_due(deps, limit=50))

    assert sorted(mailer.event_ids) == sorted(str(event.id) for event in queued)
    assert first.sent + second.sent == 50
    assert {e.status for e in (await events(deps)).values()} == {OutboxStatus.SENT}
