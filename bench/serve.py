"""A measured server: ``python -m bench.serve app|ceiling``, uvicorn with uvloop and
httptools on 127.0.0.1:$PORT. ``app`` is fieldedge as the Cloud Run entry builds it;
``ceiling`` is ``bench/ceiling.py``."""

from __future__ import annotations

import os
import sys

import uvicorn


def main() -> None:
    which, port = sys.argv[1], int(os.environ["PORT"])
    if which == "app":
        from fieldedge_handlers.asgi import create_from
        from fieldedge_handlers.bootstrap import build_deps, load_settings, setup_logging

        settings = load_settings()
        setup_logging(settings)
        app = create_from(build_deps(settings))
    elif which == "scale-ceiling":
        from bench.scale_ceiling import app
    elif which == "service-ceiling":
        from bench.service_ceiling import app
    else:
        from bench.ceiling import app
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
