"""The table classes: domain entities made persistent, kept out of the core.

Each subclasses its domain model with ``table=True``; a field is redeclared here only
when its column needs more than SQLModel infers. ``migrations/`` must produce exactly
these columns (a test compares the migrated schema with this metadata).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from fieldedge.domain.company import Company, CompanyStatus

# Named constraints, so a later migration can drop or alter them (SQLite batch mode
# cannot address an unnamed one). Set before any table class is declared.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class CompanyRow(Company, table=True):
    __tablename__ = "companies"

    # VARCHAR, not a native Postgres ENUM: adding a status stays an expand-only change.
    status: CompanyStatus = Field(
        default=CompanyStatus.ACTIVE,
        sa_type=sa.Enum(CompanyStatus, native_enum=False, length=16),
    )
    # BIGINT: every write of every user of the tenant bumps it, for years.
    change_counter: int = Field(
        default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"}
    )
