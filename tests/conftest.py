"""Fixtures live in ``tests/fixtures/``, one module per concern, registered here."""

pytest_plugins = [
    "fixtures.services",
    "fixtures.database",
    "fixtures.aws",
    "fixtures.upstash",
    "fixtures.app",
    "reliability.summary",
]
