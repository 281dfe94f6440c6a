"""``/api/v1/imports`` over HTTP on every backend: an ADMIN uploads a CSV (multipart or
raw), the job applies it, the record and the CSV report say how it went."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from fieldedge.services.outbox import inline
from fieldedge.services.outbox.dispatcher import dispatch_due
from fixtures.identity_api import bearer

from .conftest import Team

CSV = (
    "sku,name,unit_price,tax_rate_bp\n"
    "PCM-500,Paracetamol 500,1250,1200\n"
    "AMX-250,Amoxicillin 250,4000,\n"
    "PCM-500,Paracetamol again,1,\n"
    'EVIL,=HYPERLINK("http://evil.example"),100,\n'
)


async def _upload(team: Team, data: bytes, *, raw: bool = False, **query: str) -> dict[str, Any]:
    params = {"kind": "products", **query}
    headers = bearer(team.tokens["admin"])
    if raw:
        response = await team.client.post(
            "/api/v1/imports", params=params, content=data,
            headers={**headers, "Content-Type": "text/csv"},
        )  # fmt: skip
    else:
        response = await team.client.post(
            "/api/v1/imports", params=params, files={"file": ("catalogue.csv", data, "text/csv")},
            headers=headers,
        )  # fmt: skip
    assert response.status_code == 202, response.text
    record = response.json()["data"]
    assert record["status"] == "QUEUED"
    await inline.wait_idle()
    while (await dispatch_due(team.api.deps)).claimed:
        pass
    done = await team.get("admin", f"/api/v1/imports/{record['id']}")
    assert done.status_code == 200
    return dict(done.json()["data"])


async def _report(team: Team, import_id: str) -> list[list[str]]:
    response = await team.get("admin", f"/api/v1/imports/{import_id}/report")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    return list(csv.reader(io.StringIO(response.text)))


async def test_a_multipart_upload_is_applied_and_reported(team: Team) -> None:
    done = await _upload(team, CSV.encode())
    assert (done["status"], done["fileName"], done["rows"]) == ("DONE", "catalogue.csv", 4)
    assert (done["created"], done["skipped"], done["errors"]) == (2, 1, 1)
    assert await team.count("products") == 2
    report = await _report(team, done["id"])
    assert report[1:] == [
        ["2", "PCM-500", "created", ""],
        ["3", "AMX-250", "created", ""],
        ["4", "PCM-500", "skipped", "Duplicate of line 2 (the first row wins)."],
        ["5", "EVIL", "error", report[4][3]],
    ]
    assert "formula" in report[4][3]
    actions = await team.audit_actions()
    assert {"import.created", "product.imported", "import.finished"} <= set(actions)


async def test_a_raw_body_rerun_changes_nothing(team: Team) -> None:
    await _upload(team, CSV.encode())
    again = await _upload(team, CSV.encode(), raw=True, fileName="again.csv")
    assert (again["fileName"], again["created"], again["updated"]) == ("again.csv", 0, 0)
    assert again["skipped"] == 3
    assert await team.count("products") == 2


async def test_a_dry_run_writes_no_product(team: Team) -> None:
    done = await _upload(team, CSV.encode(), dryRun="true")
    assert (done["dryRun"], done["created"]) == (True, 2)
    assert await team.count("products") == 0


async def test_a_wrong_header_fails_the_import(team: Team) -> None:
    done = await _upload(team, b"code;title\nA;B\n")
    assert done["status"] == "FAILED"
    assert done["message"].startswith("Missing required column(s): sku, name, unit_price")
    assert (await _report(team, done["id"])) == [["line", "key", "outcome", "message"]]


async def test_users_import_sends_invites(team: Team) -> None:
    text = "email,name,role,manager\nnew.rep@acme.test,New Rep,SALES_REP,\n"
    done = await _upload(team, text.encode(), kind="users")
    assert (done["status"], done["created"]) == ("DONE", 1)
    rows = await team.api.sql("SELECT payload FROM outbox WHERE kind = 'email'")
    assert any("new.rep@acme.test" in str(row[0]) and "invite" in str(row[0]) for row in rows)


@pytest.mark.parametrize("who", ["mgr_a", "rep_a1"])
async def test_only_an_admin_imports(team: Team, who: str) -> None:
    response = await team.client.post(
        "/api/v1/imports", params={"kind": "products"}, content=CSV.encode(),
        headers={**bearer(team.tokens[who]), "Content-Type": "text/csv"},
    )  # fmt: skip
    assert response.status_code == 403


async def test_bad_requests_are_4xx(team: Team) -> None:
    headers = bearer(team.tokens["admin"])
    json = await team.client.post("/api/v1/imports", params={"kind": "products"}, json={},
                                  headers=headers)  # fmt: skip
    assert json.status_code == 415
    kind = await team.client.post("/api/v1/imports", params={"kind": "orders"}, content=b"a",
                                  headers={**headers, "Content-Type": "text/csv"})  # fmt: skip
    assert kind.status_code == 422
    empty = await team.client.post("/api/v1/imports", params={"kind": "users"}, content=b"",
                                   headers={**headers, "Content-Type": "text/csv"})  # fmt: skip
    assert empty.status_code == 422
    missing = await team.get("admin", "/api/v1/imports/01890000-0000-7000-8000-000000000000")
    assert missing.status_code == 404
