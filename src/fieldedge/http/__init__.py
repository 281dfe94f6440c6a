"""The Starlette HTTP app, built by ``create_app(deps)`` from a container of ports."""

from fieldedge.http.app import create_app

__all__ = ["create_app"]
