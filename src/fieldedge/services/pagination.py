"""Keyset pages and their opaque cursors."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from fieldedge.errors import ValidationFailed

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    limit: int
    next_cursor: str | None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def encode_cursor(position: dict[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValidationFailed(details={"cursor": ["Not a cursor this API issued."]}) from None
    if not isinstance(position, dict):
        raise ValidationFailed(details={"cursor": ["Not a cursor this API issued."]})
    return position


def after_id(cursor: str | None) -> UUID | None:
    """The id a by-id cursor resumes after."""
    position = decode_cursor(cursor)
    if position is None:
        return None
    if "near" in position:  # a near list's (distance, id) cursor
        raise ValidationFailed(details={"cursor": ["This cursor belongs to another query."]})
    try:
        return UUID(str(position["id"]))
    except (KeyError, ValueError):
        raise ValidationFailed(details={"cursor": ["Not a cursor this API issued."]}) from None


def page_by_id(rows: Sequence[T], limit: int) -> Page[T]:
    """``rows`` (entities or records) was fetched with ``limit + 1``: the extra row only
    says there is more."""
    items = rows[:limit]
    more = len(rows) > limit
    next_cursor = encode_cursor({"id": str(_id(items[-1]))}) if more and items else None
    return Page(items=items, limit=limit, next_cursor=next_cursor)


def _id(item: object) -> object:
    return item["id"] if isinstance(item, Mapping) else getattr(item, "id")  # noqa: B009
