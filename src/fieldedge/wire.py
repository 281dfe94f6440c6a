"""JSON as the API writes it: orjson, UTC times with ``Z``, UUIDs as text.

One encoder for the envelope, list pages and the catalogue cache, so a page served
from the cache is byte for byte the page served from the database.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def _default(value: object) -> object:
    if isinstance(value, UUID):  # a driver's own UUID subclass (asyncpg's)
        return str(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_default, option=_OPTIONS)


def loads(raw: bytes | str) -> Any:
    return orjson.loads(raw)
