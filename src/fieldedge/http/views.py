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

import operator
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

from fieldedge.http.schemas import ResponseModel

Get = Callable[[str], Any]


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
        stored: list[tuple[str, str]] = []  # (attribute, wire name), read off the item
        self._nested: list[tuple[str, View, bool]] = []  # (wire name, its view, a list)
        self._computed: list[tuple[str, Callable[[Get], Any]]] = []
        self._order: list[str] = []
        for name, info in model.model_fields.items():
            alias = info.alias or name
            self._order.append(alias)
            if name in computed:
                self._computed.append((alias, computed[name]))
                continue
            stored.append((name, alias))
            inner, many = _nested(info.annotation)
            if inner is not None:
                self._nested.append((alias, view_of(inner), many))
        names = [name for name, _ in stored]
        self._aliases = [alias for _, alias in stored]
        # One C-level call reads every stored field (a row's Mapping, or an entity's
        # attributes): the per-field Python loop was a list page's largest cost.
        self._items = _reader(operator.itemgetter, names)
        self._attrs = _reader(operator.attrgetter, names)
        # Which of the two an item's type takes, found once per type: the Mapping check
        # (an ABC's, in Python) per item was a nested route's largest cost after these.
        self._readers: dict[type[Any], Callable[[Any], tuple[Any, ...]]] = {}

    def _reader_of(self, kind: type[Any]) -> Callable[[Any], tuple[Any, ...]]:
        read = self._items if issubclass(kind, Mapping) else self._attrs
        self._readers[kind] = read
        return read

    def one(self, item: Any) -> dict[str, Any]:
        read = self._readers.get(type(item)) or self._reader_of(type(item))
        out = dict(zip(self._aliases, read(item), strict=True))
        for alias, nested, many in self._nested:  # replaced in place: the order holds
            value = out[alias]
            if many:
                if value:  # None, and an empty list (most of them), render as they are
                    out[alias] = [nested.one(v) for v in value]
            elif value is not None:
                out[alias] = nested.one(value)
        if self._computed:
            mapping = read is self._items
            get: Get = item.__getitem__ if mapping else lambda name: getattr(item, name)
            for alias, compute in self._computed:
                out[alias] = compute(get)
            out = {alias: out[alias] for alias in self._order}
        return out

    def many(self, items: Iterable[Any]) -> list[dict[str, Any]]:
        return [self.one(item) for item in items]


def _reader(getter: Any, names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """``getter(*names)`` (``operator``'s), always answering a tuple: the operator's own
    answers a bare value for one name and cannot be made for none."""
    if not names:
        return lambda item: ()
    read = getter(*names)
    if len(names) == 1:
        return lambda item: (read(item),)
    return read  # type: ignore[no-any-return]


@cache
def view_of(model: type[ResponseModel]) -> View:
    return View(model)


def render(model: type[ResponseModel], item: Any) -> dict[str, Any]:
    """``item`` (a row, an entity or a plain object) as ``model`` shows it."""
    return view_of(model).one(item)
