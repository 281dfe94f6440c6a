"""Lists: ``?limit=&cursor=`` keyset pages, ``?fields=`` trimming, the pagination block."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator
from starlette.requests import Request
from starlette.responses import Response

from fieldedge.errors import ValidationFailed
from fieldedge.http.envelope import ok
from fieldedge.http.fields import Limit
from fieldedge.http.schemas import RequestModel, ResponseModel
from fieldedge.http.views import view_of
from fieldedge.services.pagination import DEFAULT_LIMIT, Page


class ListQuery(RequestModel):
    limit: Limit = DEFAULT_LIMIT
    cursor: Annotated[str, StringConstraints(max_length=512)] | None = None
    fields: Annotated[str, StringConstraints(max_length=1000)] | None = Field(
        default=None, description="Comma-separated field names to keep in each item."
    )

    @field_validator("fields")
    @classmethod
    def _names_a_field(cls, fields: str | None) -> str | None:
        if fields is not None and not any(name.strip() for name in fields.split(",")):
            raise ValueError("Name at least one field (fields=id,name), or leave it out.")
        return fields


def _trim(
    items: list[dict[str, Any]], fields: str | None, model: type[ResponseModel]
) -> list[dict[str, Any]]:
    if not fields:
        return items
    wanted = [name.strip() for name in fields.split(",") if name.strip()]
    known = {info.alias or name for name, info in model.model_fields.items()}
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise ValidationFailed(details={"fields": [f"Unknown field: {name}." for name in unknown]})
    return [{name: item[name] for name in wanted if name in item} for item in items]


def page_response(
    request: Request,
    page: Page[Any],
    model: type[ResponseModel],
    fields: str | None = None,
    *,
    extra: Iterable[dict[str, Any]] | None = None,
) -> Response:
    """``extra`` merges per-item computed values (e.g. ``distanceM``) before trimming."""
    items = view_of(model).many(page.items)
    if extra is not None:
        for item, more in zip(items, extra, strict=True):
            item.update(more)
    return ok(
        request,
        _trim(items, fields, model),
        pagination={"limit": page.limit, "nextCursor": page.next_cursor, "hasMore": page.has_more},
    )
