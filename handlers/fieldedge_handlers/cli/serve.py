"""``fieldedge serve``: uvicorn for local work, on embedded defaults unless told otherwise.

Dev mode (the default here) migrates the database itself; in any other mode the schema
must already be current, as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import Any

from fieldedge_handlers.cli.common import CliError, remember_serve_settings, settings_or_exit


def _base_url(host: str, port: int) -> str:
    """The URL links should use for a server bound to ``host:port``."""
    if host in ("0.0.0.0", ""):  # every interface: this machine is reachable at loopback
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from fieldedge.errors import ConfigError, DependencyUnavailable
    from fieldedge_adapters.sql.migrations import upgrade
    from fieldedge_handlers.bootstrap import verify_schema

    os.environ.setdefault("FIELDEDGE_ENV", "dev")
    settings = settings_or_exit()
    if "public_base_url" not in settings.model_fields_set:
        # Links (signed upload URLs, export links) point at this server, on its port.
        os.environ["PUBLIC_BASE_URL"] = _base_url(args.host, args.port)
        settings = settings_or_exit()
    if "app_base_url" not in settings.model_fields_set:
        # Links in emails open the PWA this server ships at /app/.
        os.environ["APP_BASE_URL"] = f"{_base_url(args.host, args.port)}/app"
        settings = settings_or_exit()
    try:
        if settings.dev:
            asyncio.run(upgrade(settings.migrations_url))
            remember_serve_settings(
                {"FIELDEDGE_ENV": "dev", "PUBLIC_BASE_URL": settings.public_base_url}
            )
        else:
            verify_schema(settings)
    except (ConfigError, DependencyUnavailable, ValueError) as exc:  # as Cloud Run does
        raise CliError(str(exc), exit_code=2) from None
    if args.demo:
        from fieldedge_handlers.cli.seed import seed_and_print

        asyncio.run(seed_and_print())
    uvicorn.run(
        "fieldedge_handlers.asgi:create",
        factory=True,
        host=args.host,
        port=args.port,
        reload=args.reload,
        reload_dirs=["src", "adapters", "handlers"] if args.reload else None,
        access_log=False,
        server_header=False,
        # The app decides the client address itself (one rule on every platform, see
        # fieldedge.http.middleware.client_address), so uvicorn leaves the peer alone.
        proxy_headers=False,
    )
    return 0


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "serve", help="serve the API with uvicorn (dev mode unless FIELDEDGE_ENV says otherwise)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--reload", action="store_true", help="restart on code changes")
    parser.add_argument("--demo", action="store_true", help="seed the demo company first")
    parser.set_defaults(run=run)
