"""The scheduled work, by name: what the Lambda ``jobs`` function and ``fieldedge jobs
run`` execute. Adding a job is one line in ``JOBS``.

Every job is safe to run twice or on two machines at once (the outbox leases its
events; the sweep only deletes what is already past keeping), because a scheduler may
deliver one tick twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fieldedge.services.company.audit_log import link_all
from fieldedge.services.deps import Deps
from fieldedge.services.jobs.attendance_close import attendance_close
from fieldedge.services.jobs.maintenance import maintenance
from fieldedge.services.jobs.payment_reminders import payment_reminders
from fieldedge.services.jobs.visit_digest import visit_digest
from fieldedge.services.outbox.dispatcher import drain
from fieldedge.services.outbox.sweep import sweep

Job = Callable[[Deps], Awaitable[dict[str, Any]]]


class JobError(Exception):
    """A job that cannot run (unknown, or not available in this release)."""


async def _outbox(deps: Deps) -> dict[str, Any]:
    return (await drain(deps)).as_dict()


async def _sweep(deps: Deps) -> dict[str, Any]:
    return {"deleted": await sweep(deps)}


JOBS: dict[str, Job] = {
    "outbox": _outbox,
    "audit-link": link_all,
    "sweep": _sweep,
    "payment-reminders": payment_reminders,
    "visit-digest": visit_digest,
    "attendance-close": attendance_close,
    "maintenance": maintenance,
}


def job_of(event: object) -> str | None:
    """The job a Lambda event names: ``{"job": …}`` (a schedule's ``input``), the same under
    ``detail``, or, for a raw EventBridge scheduled event (no ``input``), the job whose
    name ends the rule's name (``serverless.yml`` names each rule ``…-{job}``)."""
    if not isinstance(event, dict):
        return None
    detail = event.get("detail")
    for source in (event, detail if isinstance(detail, dict) else {}):
        if isinstance(source.get("job"), str):
            return str(source["job"])
    for arn in event.get("resources") or []:
        rule = str(arn).rsplit("/", 1)[-1]
        for name in sorted(JOBS, key=len, reverse=True):
            if rule == name or rule.endswith(f"-{name}"):
                return name
    return None


async def run_job(name: str, deps: Deps) -> dict[str, Any]:
    """Run the job called ``name``: ``{"job": name, **its report}``."""
    job = JOBS.get(name)
    if job is None:
        raise JobError(f"unknown job {name!r} (one of: {', '.join(JOBS)})")
    return {"job": name, **(await job(deps))}
