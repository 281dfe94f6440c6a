"""One cold start, in the fresh process ``cold_start.py`` spawns: import a handler module,
answer one API Gateway HTTP API v2 ``GET /api/health`` event, and print the timings.

Usage: ``python bench/child.py MODULE [--profile N]``. The result is the stdout line
prefixed ``BENCH`` (a handler may log JSON lines to stdout too). A marker line on stderr
separates the import from the first request, for ``-X importtime``. With ``--profile`` the
first request runs under cProfile and the top N functions go to stderr.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from typing import Any

IMPORTED_MARKER = "BENCH-IMPORTED"
# Modules whose presence after the first request says an unselected adapter leaked in.
WATCHED = ("aiosqlite", "asyncpg", "redis", "upstash_redis", "aioboto3", "botocore", "alembic")


def health_event() -> dict[str, Any]:
    """An HTTP API (payload 2.0) event as API Gateway records it."""
    headers = {"host": "abc123.execute-api.eu-west-1.amazonaws.com", "user-agent": "bench/1.0"}
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/api/health",
        "rawQueryString": "",
        "cookies": [],
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": headers["host"],
            "domainPrefix": "abc123",
            "http": {
                "method": "GET",
                "path": "/api/health",
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.9",
                "userAgent": "bench/1.0",
            },
            "requestId": "bench-1",
            "routeKey": "$default",
            "stage": "$default",
            "time": "03/Jan/2026:10:00:00 +0000",
            "timeEpoch": 1767434400000,
        },
        "isBase64Encoded": False,
    }


def first_request(handler: Any, profile: int) -> dict[str, Any]:
    if not profile:
        return handler(health_event(), None)
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    response = profiler.runcall(handler, health_event(), None)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(profile)
    return response


def main() -> None:
    module_name = sys.argv[1]
    profile = int(sys.argv[3]) if sys.argv[2:3] == ["--profile"] else 0
    started = time.perf_counter()
    module = importlib.import_module(module_name)
    imported = time.perf_counter()
    # Under ``-X importtime`` this splits the import's modules from the first request's.
    print(IMPORTED_MARKER, file=sys.stderr, flush=True)
    response = first_request(module.handler, profile)
    answered = time.perf_counter()
    body = json.loads(response["body"])
    result = {
        "import_s": imported - started,
        "first_s": answered - imported,
        "status": response["statusCode"],
        "health": body.get("data", {}).get("status"),
        "loaded": sorted(name for name in WATCHED if name in sys.modules),
    }
    print("BENCH " + json.dumps(result), flush=True)
    # A Lambda container is frozen, never shut down: skip interpreter teardown, which would
    # also wait forever on a driver thread (aiosqlite's) the bare handler never closes.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
