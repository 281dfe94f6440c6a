"""Fixtures live in ``tests/fixtures/``, one module per concern, registered here."""

from __future__ import annotations

import pytest

pytest_plugins = [
    "fixtures.services",
    "fixtures.database",
    "fixtures.aws",
    "fixtures.upstash",
    "fixtures.app",
    "reliability.summary",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules with a ``slow`` test (they start processes: a server, a browser) or an
    ``explain`` one (it builds the scale fixture) run first.

    Under ``--dist worksteal`` (pyproject's addopts) a worker that runs out steals from
    the end of another's queue: with the long tests at the front, what is left to steal
    at the end is many short tests, and the workers finish together instead of one
    running a browser test alone for a minute. Whole modules move, in their own order,
    so module-scoped fixtures are still set up once.
    """
    long = {item.path for item in items if any(item.iter_markers("slow")) or any(
        item.iter_markers("explain")
    )}  # fmt: skip
    items.sort(key=lambda item: item.path not in long)  # stable: each module keeps its order
