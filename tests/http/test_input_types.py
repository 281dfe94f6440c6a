"""Every time a route takes, in a body or a query, is the one ``Time`` type: a route added
later with a bare ``datetime`` fails here, before a client finds its 500. And the nesting
bound is a setting (``MAX_JSON_DEPTH``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, get_args

import pytest
from pydantic import AwareDatetime, BaseModel, NaiveDatetime, ValidationError
from starlette.applications import Starlette

from fieldedge.http.app import api_routes
from fieldedge.http.spec import Resource
from fixtures.app import client_for


def _mentions_datetime(annotation: Any) -> bool:
    if annotation in (datetime, AwareDatetime, NaiveDatetime):
        return True
    return any(_mentions_datetime(arg) for arg in get_args(annotation))


def _request_models() -> Iterator[type[BaseModel]]:
    for route in api_routes():
        if isinstance(route, Resource):
            for op in route.operations.values():
                yield from (model for model in (op.body, op.query) if model is not None)


TIME_FIELDS = sorted(
    {
        (model.__name__, name)
        for model in _request_models()
        for name, info in model.model_fields.items()
        if _mentions_datetime(info.annotation)
    }
)


def test_the_routes_take_times() -> None:
    assert ("VisitQuery", "since") in TIME_FIELDS
    assert ("AuditQuery", "until") in TIME_FIELDS
    assert ("CheckInBody", "checked_in_at") in TIME_FIELDS
    assert ("CreatePaymentBody", "received_at") in TIME_FIELDS


@pytest.mark.parametrize(("model_name", "field"), TIME_FIELDS)
@pytest.mark.parametrize(
    "value",
    ["2026-01-01", "2026-01-01T00:00:00", 1767434400, "1767434400", "0001-01-01T00:00:00+05:00"],
)
def test_every_request_time_refuses_what_is_not_an_aware_utc_time(
    model_name: str, field: str, value: object
) -> None:
    model = next(m for m in _request_models() if m.__name__ == model_name)
    assert _errors_at(model, field, value), f"{model_name}.{field} took {value!r}"
    assert not _errors_at(model, field, "2026-01-03T15:30:00+05:30")


def _errors_at(model: type[BaseModel], field: str, value: object) -> list[Any]:
    try:
        model.model_validate({field: value})
    except ValidationError as exc:
        return [error for error in exc.errors() if error["loc"][:1] == (field,)]
    return []


async def test_the_nesting_bound_is_a_setting(fake_app: Callable[..., Starlette]) -> None:
    app = fake_app(max_json_depth=3)
    async with client_for(app) as client:
        for depth, status in ((3, 422), (4, 400)):
            body = '{"email": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"
            response = await client.post(
                "/api/v1/auth/login", content=body, headers={"content-type": "application/json"}
            )
            assert response.status_code == status, (depth, response.text)
