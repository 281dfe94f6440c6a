"""Repository of monthly targets, and the month's achievement summed from the real rows.

Tenant-bound like every repository. ``achieved`` is the one read behind every progress
figure: a fixed number of statements however many reps it sums for (never one per rep).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from fieldedge.domain.targets import Figures, Target


class TargetRepository(Protocol):
    async def get(
        self, target_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Target | None: ...

    async def for_month(self, user_id: UUID, month: str, *, lock: bool = False) -> Target | None:
        """The rep's target for ``month`` (``YYYY-MM``), if set."""
        ...

    async def in_month(self, month: str, user_ids: Collection[UUID] | None) -> Sequence[Target]:
        """Targets of ``month`` for ``user_ids`` (``None``: every rep of the tenant)."""
        ...

    async def add(self, target: Target) -> None:
        """Raises ``Conflict`` when the rep has a target for that month (at the latest
        when the unit of work writes it)."""
        ...

    async def save(self, target: Target) -> None: ...

    async def achieved(
        self, user_ids: Collection[UUID], start: datetime, end: datetime
    ) -> Mapping[UUID, Figures]:
        """What each of ``user_ids`` achieved in [start, end) (see ``domain.targets``);
        a rep who achieved nothing is absent from the mapping."""
        ...
