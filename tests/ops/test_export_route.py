"""``POST /api/v1/company/export``: queued (202 + an outbox event), ADMIN only; the
dispatcher then builds the zip and mails the admin a link that works."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldedge.domain.outbox import OutboxStatus
from fieldedge.ports.database import Database, Scope
from fieldedge.services.outbox.dispatcher import dispatch_due
from fixtures.identity_api import bearer
from ops.test_export import read_zip, two_tenants
from ops.world import open_api


async def test_admin_gets_202_then_the_dispatcher_mails_a_working_link(
    db: Database, tmp_path: Path
) -> None:
    async with open_api(db, tmp_path) as api:
        acme, _ = await two_tenants(api)
        response = await acme.post("admin", "/api/v1/company/export", {})
        assert response.status_code == 202, response.text
        event_id = response.json()["data"]["eventId"]
        assert response.json()["data"]["status"] == "queued"

        async with api.deps.db.unit_of_work(Scope.system()) as uow:
            events = await uow.outbox.list(status=None, after=None, limit=100)
        queued = [e for e in events if str(e.id) == event_id]
        assert [e.kind for e in queued] == ["export"]
        assert queued[0].status is OutboxStatus.PENDING

        first = await dispatch_due(api.deps)  # builds the export, queues the email
        second = await dispatch_due(api.deps)  # sends the email (console mailer)
        assert first.sent >= 1  # with the welcome and invite emails of the set-up
        assert second.sent == 1
        async with api.deps.db.unit_of_work(Scope.system()) as uow:
            after = list(await uow.outbox.list(status=None, after=None, limit=100))
        status = {str(e.id): e.status for e in after}
        assert status[event_id] is OutboxStatus.SENT
        mails = [e for e in after if e.payload.get("template") == "export_ready"]
        assert [(m.payload["to"], m.status) for m in mails] == [
            ([acme.emails["admin"]], OutboxStatus.SENT)
        ]
        assert "Acme Pharma clinic" not in str(mails[0].payload)  # a link, never the data
        link = str(mails[0].payload["context"]["link"])
        path = link.removeprefix(api.deps.settings.public_base_url)
        download = await api.client.get(path)
        assert download.status_code == 200
        tables = read_zip(download.content)
        assert [c["name"] for c in tables["contacts"]] == ["Acme Pharma clinic"]

        actions = [row[0] for row in await api.sql("SELECT action FROM audit_log ORDER BY seq")]
        assert "company.export_requested" in actions
        assert "company.exported" in actions


@pytest.mark.parametrize("who", ["mgr", "rep"])
async def test_only_an_admin_may_export(db: Database, tmp_path: Path, who: str) -> None:
    async with open_api(db, tmp_path) as api:
        acme, _ = await two_tenants(api)
        response = await api.client.post("/api/v1/company/export", headers=bearer(acme.tokens[who]))
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "FORBIDDEN"
        kinds = [row[0] for row in await api.sql("SELECT kind FROM outbox")]
        assert "export" not in kinds
