"""How a route reaches the container of ports the app was built with."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request

from fieldedge.services.deps import Deps


def deps_of(request: Request) -> Deps:
    return cast(Deps, request.app.state.deps)
