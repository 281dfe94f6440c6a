"""Reading and validating request bodies and query strings into pydantic models."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from fieldedge.domain.base import error_message
from fieldedge.errors import MalformedRequest, UnsupportedMediaType, ValidationFailed
from fieldedge.http.deps import deps_of
from fieldedge.http.inputs import json_too_deep, unsafe_text

M = TypeVar("M", bound=BaseModel)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Pydantic's errors as ``{"field.path": ["message", ...]}`` using the wire names."""
    details: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        path = ".".join(str(part) for part in error["loc"]) or "body"
        details.setdefault(path, []).append(error_message(error))
    return details


def validate(model: type[M], payload: object) -> M:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise ValidationFailed(details=field_errors(exc)) from None


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _refuse_unsafe_text(details: dict[str, list[str]]) -> None:
    if details:
        raise ValidationFailed(details=details)


async def read_json(request: Request, model: type[M]) -> M:
    """The body as ``model``: 415 unless JSON, 400 unless a JSON object nested at most
    ``MAX_JSON_DEPTH`` deep, 422 unless valid (control characters and lone surrogates in
    any string are refused, naming the field)."""
    if not is_json(request.headers.get("content-type", "")):
        raise UnsupportedMediaType("Send the body as application/json.")
    raw = await request.body()
    max_depth = deps_of(request).settings.max_json_depth
    if json_too_deep(raw, max_depth):
        raise MalformedRequest(f"The body nests deeper than {max_depth} levels.")
    try:
        payload = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise MalformedRequest("The body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise MalformedRequest("The body must be a JSON object.")
    _refuse_unsafe_text(unsafe_text(payload))
    return validate(model, payload)


def read_fields(fields: dict[str, str]) -> dict[str, str]:
    """Text fields of a form, refused as a query value is when they hold control
    characters or lone surrogates (naming the field)."""
    _refuse_unsafe_lines(fields.items())
    return fields


def _refuse_unsafe_lines(items: Iterable[tuple[str, str]]) -> None:
    details: dict[str, list[str]] = {}
    for name, value in items:
        for field, why in unsafe_text({name: value}, multiline=False).items():
            details.setdefault(field, []).extend(why)
    _refuse_unsafe_text(details)


def read_query(request: Request, model: type[M]) -> M:
    """Query parameters as ``model``; a repeated parameter keeps its last value. Control
    characters (a query value is one line) and lone surrogates are refused, naming it."""
    params = request.query_params
    _refuse_unsafe_lines(params.multi_items())  # every value, also the repeats dropped below
    return validate(model, dict(params))
