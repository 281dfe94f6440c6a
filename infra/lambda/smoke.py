"""Answer HTTP API v2 events with the handler imported from an unpacked Lambda bundle.

Run it the way Lambda would see the bundle, with nothing of this machine's environment::

    python -I -S infra/lambda/smoke.py UNPACKED_DIR

``-I`` ignores ``PYTHON*`` variables, the user site and the script's folder; ``-S`` skips
``site``, so a virtualenv's site-packages never fills a gap in the bundle. After the
requests, every loaded module must come from the bundle or the standard library: a
module found anywhere else means the bundle is missing it. Exit status 0 only when both
health routes answered 200.
"""

from __future__ import annotations

import json
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any

PATHS = ("/api/health/live", "/api/health")


def http_v2_event(path: str) -> dict[str, Any]:
    """A ``GET`` as API Gateway's HTTP API (payload format 2.0) delivers it."""
    host = "abc123.execute-api.eu-west-1.amazonaws.com"
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "cookies": [],
        "headers": {"host": host, "user-agent": "package-check/1.0"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": host,
            "domainPrefix": "abc123",
            "http": {
                "method": "GET",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.9",
                "userAgent": "package-check/1.0",
            },
            "requestId": f"package-check{path.replace('/', '-')}",
            "routeKey": "$default",
            "stage": "$default",
            "time": "03/Jan/2026:10:00:00 +0000",
            "timeEpoch": 1767434400000,
        },
        "isBase64Encoded": False,
    }


def foreign_modules(bundle: Path) -> list[str]:
    """Loaded modules that came from neither the bundle nor the standard library."""
    allowed = [bundle.resolve()]
    allowed += [Path(sysconfig.get_path(name)).resolve() for name in ("stdlib", "platstdlib")]
    foreign = []
    for name, module in sorted(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if not origin or name == "__main__":
            continue  # built in, a namespace package, or this script
        path = Path(origin).resolve()
        if not any(path.is_relative_to(root) for root in allowed):
            foreign.append(f"{name} ({path})")
    return foreign


def main(bundle: Path) -> int:
    sys.path.insert(0, str(bundle))
    started = time.perf_counter()
    from fieldedge_handlers.aws_lambda import handler

    imported = time.perf_counter()
    print(f"smoke: handler imported from the bundle in {(imported - started) * 1000:.0f} ms")
    failed = False
    for path in PATHS:
        before = time.perf_counter()
        response = handler(http_v2_event(path), None)
        took = (time.perf_counter() - before) * 1000
        status = response.get("statusCode")
        print(f"smoke: GET {path} -> {status} in {took:.0f} ms: {response.get('body', '')[:200]}")
        if status != 200:
            failed = True
    foreign = foreign_modules(bundle)
    if foreign:
        print("smoke: FAIL modules loaded from outside the bundle:", *foreign, sep="\n  ")
        return 1
    if failed:
        print("smoke: FAIL a health route did not answer 200")
        return 1
    print(json.dumps({"smoke": "ok", "modules": len(sys.modules)}))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        print("usage: python -I -S infra/lambda/smoke.py UNPACKED_DIR", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(Path(sys.argv[1])))
