"""Path parameters: an id that is not a UUID is simply not found."""

from __future__ import annotations

from uuid import UUID

from starlette.requests import Request

from fieldedge.errors import NotFound


def path_id(request: Request, name: str = "id") -> UUID:
    try:
        return UUID(request.path_params[name])
    except (KeyError, ValueError):
        raise NotFound() from None
