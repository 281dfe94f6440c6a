"""OpenAPI 3.1, generated from the same pydantic models that validate requests."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.routing import BaseRoute

from fieldedge import errors as e
from fieldedge.http.spec import Operation, Resource

REF = "#/components/schemas/{model}"
_PATH_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?}")
_ERROR = {"$ref": "#/components/schemas/ErrorEnvelope"}
_RATE_HEADERS = {
    name: {"description": text, "schema": {"type": "integer"}}
    for name, text in (
        ("RateLimit-Limit", "Requests allowed in the window."),
        ("RateLimit-Remaining", "Requests left in the window."),
        ("RateLimit-Reset", "Seconds until the window frees a request."),
    )
}
_REQUEST_ID = {"description": "Equals meta.requestId.", "schema": {"type": "string"}}
_RETRY_AFTER = {"description": "Whole seconds to wait.", "schema": {"type": "integer"}}

_COMMON_COMPONENTS: dict[str, Any] = {
    "Meta": {
        "type": "object",
        "required": ["requestId", "timestamp"],
        "properties": {
            "requestId": {"type": "string"},
            "timestamp": {"type": "string", "format": "date-time"},
        },
    },
    "Pagination": {
        "type": "object",
        "required": ["limit", "nextCursor", "hasMore"],
        "properties": {
            "limit": {"type": "integer"},
            "nextCursor": {"type": ["string", "null"]},
            "hasMore": {"type": "boolean"},
        },
    },
    "ErrorEnvelope": {
        "type": "object",
        "required": ["success", "error", "meta"],
        "properties": {
            "success": {"const": False},
            "error": {
                "type": "object",
                "required": ["code", "message", "retryable"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {"type": "object"},
                    "retryable": {"type": "boolean"},
                },
            },
            "meta": {"$ref": "#/components/schemas/Meta"},
        },
    },
}


def _operations(routes: Iterable[BaseRoute]) -> list[tuple[str, str, Operation]]:
    found = []
    for route in routes:
        if isinstance(route, Resource):
            path = _PATH_PARAM.sub(r"{\1}", route.path)
            for method, op in route.operations.items():
                if op.in_schema:
                    found.append((path, method.lower(), op))
    return found


def _error_classes(op: Operation) -> list[type[e.FieldedgeError]]:
    implied: list[type[e.FieldedgeError]] = [e.InternalError]
    if op.auth:
        # Forbidden too: a company's routes refuse the platform's SUPER_ADMIN, /admin
        # refuses a company's users, and most routes refuse some role.
        implied += [e.AuthRequired, e.InvalidToken, e.TokenExpired, e.Forbidden]
    if op.body is not None or op.file_field is not None:
        implied += [e.MalformedRequest, e.PayloadTooLarge, e.UnsupportedMediaType]
    if op.body is not None or op.query is not None:
        implied.append(e.ValidationFailed)
    if op.rate_class:
        implied.append(e.RateLimited)
    if op.idempotent:
        implied += [e.IdempotencyInProgress, e.IdempotencyKeyReused]
    return [*implied, *op.errors]


def _responses(op: Operation, schemas: dict[str, Any]) -> dict[str, Any]:
    headers: dict[str, Any] = {"X-Request-ID": _REQUEST_ID}
    if op.rate_class:
        headers |= _RATE_HEADERS
    if op.media_type:
        content = {op.media_type: {"schema": {"type": "string", "format": "binary"}}}
    else:
        data: dict[str, Any] = {"type": "null"}
        if op.response is not None:
            data = {"$ref": REF.format(model=op.response.__name__)}
            if op.many and op.query is not None and "fields" in op.query.model_fields:
                data = {"anyOf": [data, _trimmed(op.response.__name__, schemas)]}
            if op.many:
                data = {"type": "array", "items": data}
        envelope: dict[str, Any] = {
            "type": "object",
            "required": ["success", "data", "meta"],
            "properties": {
                "success": {"const": True},
                "data": data,
                "meta": {"$ref": "#/components/schemas/Meta"},
            },
        }
        if op.many:
            envelope["properties"]["pagination"] = {"$ref": "#/components/schemas/Pagination"}
            envelope["required"].append("pagination")
        content = {"application/json": {"schema": envelope}}
    for media in op.also_media:
        content[media] = {"schema": {"type": "string", "format": "binary"}}
    responses: dict[str, Any] = {
        str(status): {"description": op.summary, "headers": headers, "content": content}
        for status in sorted((op.status, *op.also))
    }
    by_status: dict[int, list[str]] = {}
    for kind in _error_classes(op):
        codes = by_status.setdefault(kind.status, [])
        if kind.code not in codes:
            codes.append(kind.code)
    for status, codes in sorted(by_status.items()):
        error_headers: dict[str, Any] = {"X-Request-ID": _REQUEST_ID}
        if status in (429, 503):
            error_headers["Retry-After"] = _RETRY_AFTER
        responses[str(status)] = {
            "description": ", ".join(codes),
            "headers": error_headers,
            "content": {"application/json": {"schema": _ERROR}},
        }
    return responses


def _trimmed(name: str, schemas: dict[str, Any]) -> dict[str, Any]:
    """An item as ``?fields=`` leaves it: the named fields only (``<Model>Fields``)."""
    trimmed = f"{name}Fields"
    if trimmed not in schemas:
        full = dict(schemas[name])
        full.pop("required", None)
        full["title"] = trimmed
        full["description"] = f"{name} with only the fields ?fields= names."
        schemas[trimmed] = full
    return {"$ref": REF.format(model=trimmed)}


def _parameters(path: str, op: Operation, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(path)
    ]
    if op.query is not None:
        schema = op.query.model_json_schema(by_alias=True, ref_template=REF)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            if name == "fields" and op.many and op.response is not None:
                prop = _fields_schema(prop, op.response)
            params.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in required,
                    "schema": _plain_text(prop, SINGLE_LINE),
                }
            )
    if op.idempotent:
        params.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Makes a retry safe: replays the first response for 24 h.",
                "schema": {"type": "string", "pattern": r"^[\x21-\x7e]{1,255}$"},
            }
        )
    return params


# What domain/text.py refuses in any text, as the pattern every string schema of a request
# carries unless it already has a stricter format, pattern or enum of its own. The
# patterns are ECMA-262, as JSON Schema reads them: a lone surrogate cannot be written in
# a character class there (validators reject "\ud800-\udfff" as not a regex, and the fuzz
# then ignores the whole pattern), and no JSON text a generator emits carries one, so the
# document names the control characters only; the server refuses both.
MULTILINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
SINGLE_LINE = r"^[^\x00-\x1f\x7f-\x9f]*$"
# Request strings (bodies and queries) are trimmed before their length is checked, so a
# required one (minLength 1) needs a character that is not white space as str.strip()
# reads it: the pattern says so, so "   " is documented as refused, as it is.
_SPACE = r"\t\n\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_TEXT = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*"
NOT_BLANK = rf"^{_TEXT}[^\x00-\x1f\x7f-\x9f{_SPACE}]{_TEXT}$"
_LINE = r"[^\x00-\x1f\x7f-\x9f]*"
NOT_BLANK_LINE = rf"^{_LINE}[^\x00-\x1f\x7f-\x9f{_SPACE}]{_LINE}$"


def _fields_schema(prop: Any, model: type[BaseModel]) -> Any:
    """``?fields=`` as lists.py reads it: comma-separated names of the item's fields, at
    least one; spaces and empty entries between commas are ignored, an unknown name is 422."""
    names = sorted(info.alias or name for name, info in model.model_fields.items())
    one = "(?:" + "|".join(re.escape(name) for name in names) + ")"
    pattern = f"^[ ,]*{one}(?: *,[ ,]*{one})*[ ,]*$"
    out = dict(prop)
    out["anyOf"] = [
        {**branch, "pattern": pattern} if branch.get("type") == "string" else branch
        for branch in prop.get("anyOf", [prop])
    ]
    return out


def _plain_text(schema: Any, pattern: str) -> Any:
    """``schema`` with ``pattern`` on each of its string schemas that has no shape of its own."""
    if isinstance(schema, list):
        return [_plain_text(item, pattern) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _plain_text(value, pattern) for key, value in schema.items()}
    shaped = {"format", "pattern", "enum", "const"} & out.keys()
    if out.get("type") == "string" and not shaped:
        blank = {MULTILINE: NOT_BLANK, SINGLE_LINE: NOT_BLANK_LINE}
        out["pattern"] = blank[pattern] if out.get("minLength", 0) >= 1 else pattern
    return out


def _refs(schema: Any) -> Iterator[str]:
    """The names of the components ``schema`` refers to, at any depth."""
    if isinstance(schema, list):
        for item in schema:
            yield from _refs(item)
    elif isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            yield ref.rsplit("/", 1)[-1]
        for value in schema.values():
            yield from _refs(value)


def _reachable(roots: set[str], defs: dict[str, Any]) -> set[str]:
    """``roots`` and every component they use (a request body's nested models are text
    a client sends too: the checklist items of a template, say)."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name not in seen and name in defs:
            seen.add(name)
            todo.extend(_refs(defs[name]))
    return seen


_FILES = {
    "application/octet-stream": "The photo (JPEG, PNG or WebP; the bytes decide), up to 10 MiB.",
    "text/csv": "The CSV file (UTF-8), up to 10 MiB; or send it as the whole body (text/csv).",
}


def _file_body(field: str, media: str = "application/octet-stream") -> dict[str, Any]:
    """A multipart body with one file part, so the docs page offers a file picker (and,
    for a CSV, the raw body too)."""
    schema = {
        "type": "object",
        "required": [field],
        "properties": {
            field: {
                "type": "string",
                "format": "binary",
                "contentMediaType": media,
                "description": _FILES[media],
            }
        },
        "additionalProperties": False,
    }
    content: dict[str, Any] = {"multipart/form-data": {"schema": schema}}
    if media == "text/csv":
        content[media] = {"schema": {"type": "string", "minLength": 1}}
    return {"required": True, "content": content}


def _operation_id(op: Operation) -> str:
    """``users_create`` from ``fieldedge.http.routes.users.create_route``: unique and stable."""
    module = op.handler.__module__.rsplit(".", 1)[-1]
    return f"{module}_{op.handler.__name__.removesuffix('_route')}"


def build_openapi(routes: Iterable[BaseRoute], *, version: str) -> dict[str, Any]:
    ops = _operations(routes)
    models: list[tuple[type[BaseModel], Any]] = []
    for _, _, op in ops:
        if op.body is not None:
            models.append((op.body, "validation"))
        if op.response is not None:
            models.append((op.response, "serialization"))
    _, defs = models_json_schema(models, by_alias=True, ref_template=REF)
    found = defs.get("$defs", {})
    requests = _reachable({op.body.__name__ for _, _, op in ops if op.body is not None}, found)
    schemas = {
        **_COMMON_COMPONENTS,
        **{
            name: _plain_text(schema, MULTILINE) if name in requests else schema
            for name, schema in found.items()
        },
    }
    paths: dict[str, dict[str, Any]] = {}
    for path, method, op in ops:
        item: dict[str, Any] = {
            "summary": op.summary,
            "operationId": _operation_id(op),
            "tags": list(op.tags),
            "parameters": _parameters(path, op, schemas),
            "responses": _responses(op, schemas),
        }
        if op.auth:
            # An integration's API key goes as a bearer token or in X-API-Key.
            keys: list[dict[str, list[str]]] = [{"apiKeyHeader": []}] if op.keys else []
            item["security"] = [{"bearerAuth": []}, *keys]
        if op.body is not None:
            item["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": REF.format(model=op.body.__name__)}}
                },
            }
        if op.file_field is not None:
            item["requestBody"] = _file_body(op.file_field, op.file_type)
        paths.setdefault(path, {})[method] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "fieldedge API",
            "version": version,
            "description": "The API behind the fieldedge field-force PWA.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT, or an API key (fe_live_…)",
                },
                "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
    }
