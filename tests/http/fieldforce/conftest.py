"""Field-force HTTP tests run on a real database (SQLite, Postgres, PgBouncer), as the
identity tests do. ``team`` is a registered company with two teams:

    admin
    mgr_a ── rep_a1, rep_a2
    mgr_b ── rep_b1

and ``Team`` sends requests as any of them by name.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from fieldedge.ports.database import Database
from fixtures.app import open_api
from fixtures.identity_api import Api, bearer

PUNE = (18.5204, 73.8567)  # a contact's position; check-ins are measured against it


@dataclass
class Team:
    api: Api
    company_id: str
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def client(self) -> httpx.AsyncClient:
        return self.api.client

    async def get(self, who: str, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params, headers=bearer(self.tokens[who]))

    async def post(self, who: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.client.post(path, json=body or {}, headers=bearer(self.tokens[who]))

    async def patch(self, who: str, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.patch(path, json=body, headers=bearer(self.tokens[who]))

    async def delete(self, who: str, path: str) -> httpx.Response:
        return await self.client.delete(path, headers=bearer(self.tokens[who]))

    async def contact(self, who: str = "rep_a1", **body: Any) -> dict[str, Any]:
        payload = {
            "name": "Dr. Mehta Clinic",
            "type": "DOCTOR",
            "latitude": PUNE[0],
            "longitude": PUNE[1],
            **body,
        }
        response = await self.post(who, "/api/v1/contacts", payload)
        assert response.status_code == 201, response.text
        return dict(response.json()["data"])

    async def product(self, who: str = "admin", **body: Any) -> dict[str, Any]:
        payload = {"sku": "PEN-1", "name": "Gel pen", "unitPrice": 1250, "taxRateBp": 1800, **body}
        response = await self.post(who, "/api/v1/products", payload)
        assert response.status_code == 201, response.text
        return dict(response.json()["data"])

    async def check_in(self, who: str, contact_id: str, **body: Any) -> dict[str, Any]:
        payload = {
            "contactId": contact_id,
            "latitude": PUNE[0] + 0.0003,  # ~33 m north of the contact
            "longitude": PUNE[1],
            "accuracyM": 12,
            **body,
        }
        response = await self.post(who, "/api/v1/visits", payload)
        assert response.status_code == 201, response.text
        return dict(response.json()["data"])

    async def count(self, table: str) -> int:
        return int((await self.api.sql(f"SELECT count(*) FROM {table}"))[0][0])

    async def execute(self, statement: str) -> None:
        """Change rows behind the API's back (to tell a cached answer from a fresh one)."""
        from sqlalchemy import text

        engine: Any = self.api.deps.db.engine  # type: ignore[attr-defined]
        async with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                await connection.execute(text("SELECT set_config('app.system', 'on', true)"))
            await connection.execute(text(statement))

    async def audit_actions(self) -> list[str]:
        rows = await self.api.sql("SELECT action FROM audit_log ORDER BY seq IS NULL, seq, id")
        return [row[0] for row in rows]


async def build_team(api: Api, company: str = "Acme Pharma") -> Team:
    admin = await api.register(company=company)
    token = admin["accessToken"]
    me = (await api.me(token)).json()["data"]["user"]
    team = Team(api=api, company_id=me["companyId"])
    team.tokens["admin"], team.ids["admin"] = token, me["id"]

    async def person(key: str, role: str, **extra: Any) -> None:
        user = await api.create_user(token, role, name=key.replace("_", " ").title(), **extra)
        team.ids[key] = user["id"]
        team.tokens[key] = (await api.tokens(user["email"]))["accessToken"]

    await person("mgr_a", "MANAGER")
    await person("mgr_b", "MANAGER")
    await person("rep_a1", "SALES_REP", managerId=team.ids["mgr_a"])
    await person("rep_a2", "SALES_REP", managerId=team.ids["mgr_a"])
    await person("rep_b1", "SALES_REP", managerId=team.ids["mgr_b"])
    return team


@pytest.fixture
async def api(db: Database, tmp_path: Path) -> AsyncIterator[Api]:
    async with open_api(db, tmp_path) as opened:
        yield opened


@pytest.fixture
async def team(api: Api) -> Team:
    return await build_team(api)
