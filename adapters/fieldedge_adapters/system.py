"""The real clock and id generator."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from uuid import UUID

import uuid_utils


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class UuidV7Ids:
    def new(self) -> UUID:
        return UUID(bytes=uuid_utils.uuid7().bytes)
