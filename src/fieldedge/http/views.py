"""Response bodies straight from rows: what a ``ResponseModel`` would dump, without one.

Validating each row into a pydantic model and dumping it again cost most of a list
request. A ``View`` reads the model's fields once (wire name, nested models, values
computed from others) and then maps a stored row (a list's ``Record``) or an entity
to the same JSON-ready dict; ``wire.dumps`` does the rest. The models stay the
contract (the OpenAPI document is built from them) and a test holds every view equal
to its model's own dump.

A model computes a field the row does not store by naming it in ``view_computed``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

from fieldedge.http.schemas import ResponseModel

Get = Callable[[str], Any]


def _getter(item: Any) -> Get:
    if isinstance(item, Mapping):
        return item.__getitem__
    return lambda name: getattr(item, name)


def _nested(annotation: Any) -> tuple[type[ResponseModel] | None, bool]:
    """The response model inside ``annotation`` (``X``, ``list[X]``, ``X | None``), and
    whether it is a list."""
    if isinstance(annotation, type) and issubclass(annotation, ResponseModel):
        return annotation, False
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is list and args:
        inner, _ = _nested(args[0])
        return inner, inner is not None
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            inner, many = _nested(arg)
            if inner is not None:
                return inner, many
    return None, False


class View:
    def __init__(self, model: type[ResponseModel]) -> None:
        computed: Mapping[str, Callable[[Get], Any]] = getattr(model, "view_computed", {})
        self._plan: list[tuple[str, str, Callable[[Get], Any] | None, View | None, bool]] = []
        for name, info in model.model_fields.items():
            inner, many = _nested(info.annotation)
            nested = view_of(inner) if inner is not None else None
            self._plan.append((name, info.alias or name, computed.get(name), nested, many))

    def one(self, item: Any) -> dict[str, Any]:
        get = _getter(item)
        out: dict[str, Any] = {}
        for name, alias, compute, nested, many in self._plan:
            value = compute(get) if compute is not None else get(name)
            if nested is not None and value is not None:
                value = [nested.one(v) for v in value] if many else nested.one(value)
            out[alias] = value
        return out

    def many(self, items: Iterable[Any]) -> list[dict[str, Any]]:
        return [self.one(item) for item in items]


@cache
def view_of(model: type[ResponseModel]) -> View:
    return View(model)


def render(model: type[ResponseModel], item: Any) -> dict[str, Any]:
    """``item`` (a row, an entity or a plain object) as ``model`` shows it."""
    return view_of(model).one(item)
