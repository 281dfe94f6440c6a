"""Base models for request and response bodies: camelCase on the wire, unknown fields refused."""

from __future__ import annotations

from datetime import datetime
from typing import Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic.alias_generators import to_camel


class RequestModel(BaseModel):
    """A request body: camelCase keys, unknown fields are a 422, strings trimmed.

    Built on first use (``defer_build``): a cold start pays only for the models its
    first request needs."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        str_strip_whitespace=True,
        defer_build=True,
    )


class PatchModel(RequestModel):
    """A PATCH body: every field optional, at least one sent (``minProperties: 1``)."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("Send at least one field to change.")
        return self


class ResponseModel(BaseModel):
    """A response body, serialised with camelCase keys (rows are rendered through
    ``views``; the model is the contract and the OpenAPI schema)."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, from_attributes=True, defer_build=True
    )


class DeletedOut(ResponseModel):
    """What a DELETE answers: the row's id and when it became a tombstone."""

    id: UUID
    deleted_at: datetime
