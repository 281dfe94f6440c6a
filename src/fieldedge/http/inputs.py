"""Checks every request body and query string passes before any model sees it.

``json_too_deep`` bounds nesting on the raw bytes without recursing (``json.loads`` of
``'[' * 100000`` would raise ``RecursionError`` first); ``unsafe_text`` walks a parsed
body or the query string, keys included, for text no backend should be handed
(``fieldedge.domain.text``). Both run in ``fieldedge.http.body``, so every route that
reads a body or a query is covered by construction.
"""

from __future__ import annotations

import re

from fieldedge.domain.text import unsafe_character

# A JSON string (escapes included); what is left outside them are the structural bytes.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_OPEN = frozenset(b"[{")


def json_too_deep(raw: bytes, max_depth: int) -> bool:
    """Whether arrays and objects in ``raw`` nest deeper than ``max_depth`` (iterative,
    stops at the first bracket past the bound)."""
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return False  # cannot be deeper than it has brackets (the usual small body)
    depth = 0
    for bracket in _BRACKETS.finditer(_STRING.sub(b'""', raw)):
        depth += 1 if bracket.group()[0] in _OPEN else -1
        if depth > max_depth:
            return True
    return False


def unsafe_text(value: object, *, multiline: bool = True) -> dict[str, list[str]]:
    """``{"field.path": [reason]}`` for every string (and object key) that may not be
    stored, using the names the client sent; empty when all is well."""
    details: dict[str, list[str]] = {}
    stack: list[tuple[str, object]] = [("", value)]
    while stack:  # iterative: the body's depth is bounded, but no recursion is needed
        path, item = stack.pop()
        if isinstance(item, str):
            if why := unsafe_character(item, multiline=multiline):
                details.setdefault(path or "body", []).append(why)
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{path}.{key}" if path else str(key)
                if why := unsafe_character(str(key), multiline=False):
                    details.setdefault(name, []).append(f"Field name: {why}")
                stack.append((name, child))
        elif isinstance(item, list):
            stack.extend((f"{path}.{i}" if path else str(i), v) for i, v in enumerate(item))
    return dict(sorted(details.items()))
