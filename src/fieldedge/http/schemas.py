"""Base models for request and response bodies: camelCase on the wire, unknown fields refused."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class RequestModel(BaseModel):
    """A request body: camelCase keys, unknown fields are a 422, strings trimmed."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        str_strip_whitespace=True,
    )


class ResponseModel(BaseModel):
    """A response body, serialised with camelCase keys."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)
