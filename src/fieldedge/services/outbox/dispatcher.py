"""Send due outbox events: claim a batch under a lease, send each, mark each.

1. Claim (one short system-scope transaction, committed at once): up to ``limit`` due
   events get ``lease_until = now + OUTBOX_LEASE_S``.
2. Send each outside any transaction (a slow SES never holds a database connection or
   row lock), a few at a time.
3. Mark each in a transaction of its own, conditional on the lease: ``sent``; or a
   failed attempt with exponential backoff; or ``dead`` after ``OUTBOX_MAX_ATTEMPTS``,
   or at once when the event cannot be rendered (a bug does not fix itself by retrying).

Delivery toward SES is at-least-once: a crash (or a lost database) between a send and
its mark leaves the event pending, and it is sent again once the lease runs out. The
lease makes that rare (only such a crash can cause it; two live dispatchers never hold
one event) and the ``X-Fieldedge-Event`` header carries the event id, so a duplicate is
traceable. A send is never started within ``MAIL_TIMEOUT_S`` of the lease's end, so a
send always finishes (or times out) while its lease still holds.
"""

from __future__ import annotations

import asyncio
import importlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import structlog

from fieldedge.domain.outbox import OutboxEvent
from fieldedge.domain.webhooks import MAX_ATTEMPTS as WEBHOOK_ATTEMPTS
from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.database import Scope
from fieldedge.ports.mail import EmailMessage
from fieldedge.services.deps import Deps
from fieldedge.services.outbox.backoff import retry_delay_s, webhook_delay_s
from fieldedge.services.outbox.templates import TemplateError, render

EVENT_HEADER = "X-Fieldedge-Event"
SEND_CONCURRENCY = 4  # sends in flight per dispatcher: polite to SES and to the pool

log = structlog.get_logger("fieldedge.outbox")


class Outcome(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"
    SKIPPED = "skipped"  # lease too close to its end, or lost: another run will have it


@dataclass(frozen=True, slots=True)
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    errors: int = 0  # events whose mark failed (database down): retried after the lease

    def __add__(self, other: DispatchReport) -> DispatchReport:
        return DispatchReport(
            self.claimed + other.claimed,
            self.sent + other.sent,
            self.failed + other.failed,
            self.dead + other.dead,
            self.errors + other.errors,
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "claimed": self.claimed,
            "sent": self.sent,
            "failed": self.failed,
            "dead": self.dead,
            "errors": self.errors,
        }


def message_for(event: OutboxEvent) -> EmailMessage:
    """The email an event stands for (``TemplateError`` when it cannot be rendered)."""
    payload = event.payload
    if event.kind != "email":
        raise TemplateError(f"unknown outbox event kind {event.kind!r}")
    to = payload.get("to")
    if not isinstance(to, list) or not to or not all(isinstance(a, str) for a in to):
        raise TemplateError("an email event needs a non-empty 'to' list")
    context = payload.get("context")
    rendered = render(str(payload.get("template")), context if isinstance(context, dict) else {})
    return EmailMessage(
        to=tuple(to),
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        headers={EVENT_HEADER: str(event.id)},
    )


def _short_error(exc: Exception) -> str:
    """What ``last_error`` keeps: our own words, never a provider's message (which may
    repeat addresses or request details)."""
    if isinstance(exc, TemplateError):
        return str(exc)[:500]
    if isinstance(exc, DependencyUnavailable):
        cause = type(exc.__cause__).__name__ if exc.__cause__ else "refused"
        return f"{exc.dependency} unavailable ({cause})"
    return f"send failed ({type(exc).__name__})"


async def _mark(deps: Deps, event: OutboxEvent, lease: datetime, exc: Exception | None) -> Outcome:
    now = deps.clock.now()
    async with deps.db.unit_of_work(Scope.system()) as uow:
        if exc is None:
            held = await uow.outbox.mark_sent(event.id, lease_until=lease, at=now)
            outcome = Outcome.SENT
        else:
            attempts = event.attempts + 1
            most, delay_s = deps.settings.outbox_max_attempts, retry_delay_s
            if event.kind == WEBHOOK:  # a day of retries, the Standard Webhooks way
                most, delay_s = WEBHOOK_ATTEMPTS, webhook_delay_s
            dead = isinstance(exc, TemplateError) or attempts >= most
            held = await uow.outbox.mark_failed(
                event.id,
                lease_until=lease,
                attempts=attempts,
                next_attempt_at=now + timedelta(seconds=delay_s(attempts)),
                last_error=_short_error(exc),
                dead=dead,
            )
            outcome = Outcome.DEAD if dead else Outcome.FAILED
        await uow.commit()
    if not held:
        log.warning("outbox.lease_lost", event_id=str(event.id), outcome=outcome.value)
        return Outcome.SKIPPED
    return outcome


# Events that are work rather than mail: kind -> "module:function(event, deps)", imported
# on first use so no entry pays for them at cold start. A task raises to be retried
# (``TemplateError`` when retrying cannot help) and is cut off before its lease ends.
TASKS: dict[str, str] = {
    "export": "fieldedge.services.export_event:run_export_event",
    "revoke": "fieldedge.services.auth.revocation:run_revoke_event",
    "webhook": "fieldedge.services.webhooks.deliver:run_webhook_event",
    "import": "fieldedge.services.imports.records:run_import_event",
}
WEBHOOK = "webhook"


async def _perform(deps: Deps, event: OutboxEvent, lease: datetime) -> None:
    target = TASKS.get(event.kind)
    if target is None:
        message_id = await deps.mailer.send(message_for(event))
        log.info("outbox.sent", event_id=str(event.id), message_id=message_id)
        return
    module, name = target.split(":")
    task = getattr(importlib.import_module(module), name)
    budget = (lease - deps.clock.now()).total_seconds() - deps.settings.mail_timeout_s
    async with asyncio.timeout(max(budget, 1.0)):
        await task(event, deps)
    log.info("outbox.done", event_id=str(event.id), kind=event.kind)


async def _deliver(deps: Deps, event: OutboxEvent, lease: datetime) -> Outcome:
    margin = timedelta(seconds=deps.settings.mail_timeout_s)
    if deps.clock.now() + margin >= lease:
        return Outcome.SKIPPED  # the lease could end mid-send; the next claim retries it
    error: Exception | None = None
    try:
        await _perform(deps, event, lease)
    except Exception as exc:  # every failure is recorded on the event; none escapes
        error = exc
        log.warning("outbox.send_failed", event_id=str(event.id), error=_short_error(exc))
    return await _mark(deps, event, lease, error)


async def dispatch_due(deps: Deps, *, limit: int | None = None) -> DispatchReport:
    """Claim one batch of due events and send it; what happened, counted."""
    now = deps.clock.now()
    lease = now + timedelta(seconds=deps.settings.outbox_lease_s)
    async with deps.db.unit_of_work(Scope.system()) as uow:
        events = await uow.outbox.claim_due(
            now=now, lease_until=lease, limit=limit or deps.settings.outbox_batch
        )
        await uow.commit()
    if not events:
        return DispatchReport()
    gate = asyncio.Semaphore(SEND_CONCURRENCY)

    async def one(event: OutboxEvent) -> Outcome:
        async with gate:
            return await _deliver(deps, event, lease)

    # Every event runs to its end even when another's mark fails: cancelling a sibling
    # between its send and its mark would only make a duplicate more likely.
    results = await asyncio.gather(*(one(event) for event in events), return_exceptions=True)
    outcomes = [r for r in results if isinstance(r, Outcome)]
    for problem in (r for r in results if not isinstance(r, Outcome)):
        if not isinstance(problem, Exception):
            raise problem  # cancellation and friends are not ours to swallow
        log.error("outbox.mark_failed", error=_short_error(problem))
    return DispatchReport(
        claimed=len(events),
        sent=outcomes.count(Outcome.SENT),
        failed=outcomes.count(Outcome.FAILED),
        dead=outcomes.count(Outcome.DEAD),
        errors=len(results) - len(outcomes),
    )


async def drain(deps: Deps, *, limit: int | None = None, max_rounds: int = 100) -> DispatchReport:
    """Batches until nothing more is due: stops after a short batch, or a batch that
    sent nothing (mail is down: the failures wait for their backoff)."""
    total = DispatchReport()
    batch = limit or deps.settings.outbox_batch
    for _ in range(max_rounds):
        report = await dispatch_due(deps, limit=batch)
        total += report
        if report.claimed < batch or report.sent == 0:
            break
    return total
