"""Cloud Run entry: ``python -m fieldedge_handlers.cloudrun``.

uvicorn on ``0.0.0.0:$PORT`` with proxy headers from the trusted proxies only; on SIGTERM
it stops accepting, lets in-flight requests finish (at most ``GRACE_S``), closes the pools
and exits 0 — inside Cloud Run's 10 s window.
"""

from __future__ import annotations

import os
import signal
import sys

import uvicorn

from fieldedge.errors import ConfigError, DependencyUnavailable
from fieldedge_handlers.asgi import create_from
from fieldedge_handlers.bootstrap import build_deps, load_settings, setup_logging, verify_schema

GRACE_S = 8


def main() -> int:
    try:
        settings = load_settings()
        port = int(os.environ.get("PORT", "8080"))
        verify_schema(settings)
    except (ConfigError, DependencyUnavailable, ValueError) as exc:
        print(f"fieldedge: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings)
    config = uvicorn.Config(
        create_from(build_deps(settings)),
        host="0.0.0.0",
        port=port,
        # The app decides the client address itself (one rule on every platform, see
        # fieldedge.http.middleware.client_address), so uvicorn leaves the peer alone.
        proxy_headers=False,
        timeout_graceful_shutdown=GRACE_S,
        access_log=False,  # our own access log has the route, tenant and request id
        server_header=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    # uvicorn drains, then re-raises the signal it caught under whatever handler was there
    # before it started; with the default one the process would die by SIGTERM (-15).
    # A clean drain is a clean exit, so leave a handler that lets main() return 0.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    server.run()
    return 0 if server.started else 1


if __name__ == "__main__":
    sys.exit(main())
