"""AWS Lambda entry: API Gateway REST (v1) and HTTP (v2) APIs, Function URLs and ALB.

Mangum runs with ``lifespan="off"`` (it would otherwise start up and shut down on every
invocation). The container is built on the first invocation and kept for the life of the
Lambda container; Mangum drives every invocation on the same event loop, so pooled
connections opened in one invocation are reused by the next.

``jobs`` is the scheduled-work entry (``{"job": "outbox" | "sweep" | ...}`` from the
schedules in ``serverless.yml``): it shares that container and runs on the same loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

from mangum import Mangum

from fieldedge.http import create_app
from fieldedge.services.deps import Deps
from fieldedge_handlers import heap
from fieldedge_handlers.bootstrap import build_deps, load_settings, setup_logging

_mangum: Mangum | None = None
_deps: Deps | None = None


def _build() -> Mangum:
    global _deps
    settings = load_settings()
    setup_logging(settings)
    deps = build_deps(settings)
    # The app answers 503 naming `fieldedge migrate up` while the schema is behind.
    mangum = Mangum(create_app(deps, check_schema=True), lifespan="off")
    _deps = deps
    heap.settle()  # a warm container serves thousands of invocations
    return mangum


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _mangum
    if _mangum is None:
        _mangum = _build()
    return _mangum(event, context)


def jobs(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Run the scheduled job the event names; its report is the invocation's result. An
    event that names none (a raw EventBridge event from a rule without ``input``) is
    logged and answered, not raised: a raise would only make Lambda retry it."""
    import structlog

    from fieldedge_handlers.jobs import JOBS, job_of, run_job

    global _mangum
    if _mangum is None:
        _mangum = _build()
    if _deps is None:
        raise RuntimeError("the container was not built")
    name = job_of(event)
    if name is None:
        structlog.get_logger("fieldedge.jobs").warning(
            "jobs.no_job_named", resources=event.get("resources"), known=sorted(JOBS)
        )
        return {"job": None, "skipped": "the event names no job", "known": sorted(JOBS)}
    # Mangum set this loop up and runs every invocation on it; the pools live on it too.
    loop = asyncio.get_event_loop()
    return loop.run_until_complete(run_job(name, _deps))
