"""The territory tree's table (migration 0008 creates exactly this; a test compares).

``parent_id`` points at a row of the same table and tenant; ``rep_ids`` is a JSON list
of user ids as text (``json_array_has`` finds a rep's territories on both databases).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from fieldedge_adapters.sql.tables import tenant
from fieldedge_adapters.sql.tables_fieldforce import field_versions, ix, ref


class TerritoryRow(SQLModel, table=True):
    __tablename__ = "territories"
    __table_args__ = (
        ix("territories", "company_id", "id"),
        ix("territories", "company_id", "version"),  # sync pulls
        ix("territories", "company_id", "parent_id"),  # children; the descendants' walk
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    parent_id: UUID | None = ref("territories.id", nullable=True)
    rep_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    version: int = 0
    field_versions: dict[str, int] = field_versions()
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
