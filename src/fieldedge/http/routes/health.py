"""``/api/health/live`` (the process answers) and ``/api/health`` (every dependency probed)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Literal

import structlog
from starlette.requests import Request
from starlette.responses import Response

from fieldedge import __version__
from fieldedge.errors import DependencyUnavailable
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import error_response, ok
from fieldedge.http.schemas import ResponseModel
from fieldedge.http.spec import Operation, Resource
from fieldedge.services.breaker import BreakerState, Guarded

log = structlog.get_logger("fieldedge.health")


class ServiceHealth(ResponseModel):
    status: Literal["up", "down"]
    adapter: str
    latency_ms: float
    error: str | None = None
    # The circuit breaker in front of the service (none on the database, which has its
    # pool and connect timeouts); anything but closed makes the report degraded.
    breaker: BreakerState | None = None
    # KV only: rate limits are being decided per instance, in process.
    fallback_limiter: bool | None = None


class HealthReport(ResponseModel):
    status: Literal["healthy", "degraded", "unhealthy"]
    version: str
    uptime_s: float
    services: dict[str, ServiceHealth]


class Liveness(ResponseModel):
    status: Literal["alive"]
    version: str


async def _probe(
    adapter: str, check: Callable[[], Awaitable[None]], limit_s: float
) -> ServiceHealth:
    started = time.perf_counter()
    error = None
    try:
        async with asyncio.timeout(limit_s):
            await check()
    except TimeoutError:
        error = "timeout"
    except Exception as exc:  # a probe reports any failure; it never fails the request
        error = type(exc).__name__
    latency = round((time.perf_counter() - started) * 1000, 2)
    return ServiceHealth(
        status="down" if error else "up", adapter=adapter, latency_ms=latency, error=error
    )


async def health(request: Request) -> Response:
    deps = deps_of(request)
    timeout = deps.settings.health_timeout_s
    names = ("database", "kv", "storage", "mail")
    ports = (deps.db, deps.kv, deps.storage, deps.mailer)
    results = await asyncio.gather(*(_probe(p.name, p.ping, timeout) for p in ports))
    services = dict(zip(names, results, strict=True))
    for name, port in zip(names, ports, strict=True):
        if isinstance(port, Guarded):  # read only: health never trips a breaker
            services[name].breaker = port.breaker.state
    services["kv"].fallback_limiter = deps.limiter.degraded
    down = [name for name, result in services.items() if result.status == "down"]
    tripped = [
        name
        for name, result in services.items()
        if result.breaker not in (None, BreakerState.CLOSED)
    ]
    status: Literal["healthy", "degraded", "unhealthy"] = "healthy"
    if "database" in down:
        status = "unhealthy"
    elif down or tripped or deps.limiter.degraded:
        status = "degraded"
    if down or tripped or deps.limiter.degraded:
        log.warning(
            "health.down", services=down, breakers=tripped, fallback_limiter=deps.limiter.degraded
        )
    report = HealthReport(
        status=status,
        version=__version__,
        uptime_s=round(time.monotonic() - request.app.state.started, 3),
        services=services,
    )
    if status == "unhealthy":
        error = DependencyUnavailable("database", "The database is unavailable.")
        error.details = report.model_dump(mode="json", by_alias=True)
        return error_response(request.scope, error)
    return ok(request, report)


async def live(request: Request) -> Response:
    return ok(request, Liveness(status="alive", version=__version__))


routes = [
    Resource(
        "/api/health/live",
        {
            "GET": Operation(
                live, "Liveness: the process answers", ("health",), response=Liveness, auth=False
            )
        },
    ),
    Resource(
        "/api/health",
        {
            "GET": Operation(
                health,
                "Readiness: every dependency probed (503 when the database is down)",
                ("health",),
                response=HealthReport,
                auth=False,
                errors=(DependencyUnavailable,),
            )
        },
    ),
]
