"""Work-order attachments over HTTP on every backend: a photo and a PDF judged by their
bytes (hashed, tenant-prefixed keys, streamed back after the work order's access check),
the same bytes twice as a replay, a cut-off or mislabelled PDF and an oversize file
refused with nothing stored, who may upload and delete (another technician 403), a
finished work order's attachments kept (409), another company's ids 404, the audit log,
and the attachments on the work order a sync pull carries."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx

from fieldedge.domain.attachments import MAX_ATTACHMENT_BYTES
from fixtures.identity_api import bearer
from fixtures.images import JPEG

from .conftest import Team, build_team
from .test_work_orders import _machine, _order

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _url(order: dict[str, Any]) -> str:
    return f"/api/v1/work-orders/{order['id']}/attachments"


async def upload(team: Team, who: str, order: dict[str, Any], data: bytes,
                 label: str = "application/pdf") -> httpx.Response:  # fmt: skip
    return await team.client.post(
        _url(order), files={"file": ("file.bin", data, label)}, headers=bearer(team.tokens[who])
    )


def _stored_files(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "storage").rglob("*") if p.is_file()]


async def test_a_photo_and_a_pdf_are_attached_read_listed_and_deleted(team: Team) -> None:
    order = await _order(team, await _machine(team))  # assigned to rep_a1
    pdf = await upload(team, "rep_a1", order, PDF, label="image/png")  # the label is ignored
    assert pdf.status_code == 201, pdf.text
    made = pdf.json()["data"]
    assert (made["contentType"], made["size"], made["uploadedBy"]) == (
        "application/pdf", len(PDF), team.ids["rep_a1"])  # fmt: skip
    assert made["sha256"] == hashlib.sha256(PDF).hexdigest()
    again = await upload(team, "rep_a1", order, PDF)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["data"]["id"] == made["id"]
    photo = await upload(team, "mgr_a", order, JPEG, label="application/pdf")  # the team's
    assert photo.status_code == 201, photo.text
    assert photo.json()["data"]["contentType"] == "image/jpeg"
    listed = await team.get("rep_b1", _url(order))  # every role reads every work order
    assert [a["id"] for a in listed.json()["data"]] == [made["id"], photo.json()["data"]["id"]]
    one = await team.get("rep_b1", _url(order), limit=1)
    assert [a["id"] for a in one.json()["data"]] == [made["id"]]
    rest = await team.get("rep_b1", _url(order), cursor=one.json()["pagination"]["nextCursor"])
    assert [a["id"] for a in rest.json()["data"]] == [photo.json()["data"]["id"]]
    read = await team.get("rep_b1", f"{_url(order)}/{made['id']}")
    assert (read.status_code, read.headers["content-type"], read.content) == (
        200, "application/pdf", PDF)  # fmt: skip
    assert read.headers["cache-control"] == "private, no-store"
    detail = (await team.get("admin", f"/api/v1/work-orders/{order['id']}")).json()["data"]
    assert len(detail["attachments"]) == 2
    rows = await team.api.sql("SELECT attachments FROM work_orders")
    assert f"{team.company_id}/work_orders/{order['id']}/{made['id']}.pdf" in str(rows[0][0])
    assert (await team.delete("rep_a2", f"{_url(order)}/{made['id']}")).status_code == 403
    gone = await team.delete("rep_a1", f"{_url(order)}/{made['id']}")
    assert gone.status_code == 200, gone.text
    assert gone.json()["data"]["id"] == made["id"]
    assert (await team.get("rep_a1", f"{_url(order)}/{made['id']}")).status_code == 404
    assert (await team.delete("rep_a1", f"{_url(order)}/{made['id']}")).status_code == 404
    actions = await team.audit_actions()
    assert actions.count("work_order.attachment_added") == 2
    assert "work_order.attachment_deleted" in actions
    pulled = await team.post("rep_a1", "/api/v1/sync/pull", {"cursor": None, "limit": 500})
    orders = pulled.json()["data"]["changes"]["work_orders"]["upserted"]
    assert [len(o["attachments"]) for o in orders] == [1]


async def test_refused_uploads_store_nothing(team: Team, tmp_path: Path) -> None:
    order = await _order(team, await _machine(team))
    cut = await upload(team, "rep_a1", order, PDF[:-7])  # no %%EOF: cut short
    assert (cut.status_code, cut.json()["error"]["code"]) == (415, "UNSUPPORTED_MEDIA_TYPE")
    text = await upload(team, "rep_a1", order, b"just text, not a PDF", label="application/pdf")
    assert text.status_code == 415
    over = PDF + b"\x00" * (MAX_ATTACHMENT_BYTES + 1 - len(PDF))
    big = await upload(team, "rep_a1", order, over)
    assert (big.status_code, big.json()["error"]["code"]) == (413, "PAYLOAD_TOO_LARGE")
    theirs = await upload(team, "rep_a2", order, PDF)  # another technician's work order
    assert theirs.status_code == 403
    assert (await team.get("rep_a1", _url(order))).json()["data"] == []
    assert "work_order.attachment_added" not in await team.audit_actions()
    assert _stored_files(tmp_path) == []


async def test_a_finished_work_order_keeps_its_attachments(team: Team) -> None:
    order = await _order(team, await _machine(team))
    made = (await upload(team, "rep_a1", order, PDF)).json()["data"]
    cancelled = await team.patch("mgr_a", f"/api/v1/work-orders/{order['id']}",
                                 {"status": "CANCELLED"})  # fmt: skip
    assert cancelled.status_code == 200, cancelled.text
    late = await upload(team, "rep_a1", order, JPEG)
    assert (late.status_code, late.json()["error"]["code"]) == (409, "CONFLICT")
    assert (await team.delete("admin", f"{_url(order)}/{made['id']}")).status_code == 409
    assert (await team.get("rep_a1", f"{_url(order)}/{made['id']}")).status_code == 200


async def test_another_company_finds_no_attachment(team: Team) -> None:
    order = await _order(team, await _machine(team))
    made = (await upload(team, "rep_a1", order, PDF)).json()["data"]
    rival = await build_team(team.api, company="Rival Pharma")
    for response in (
        await rival.get("admin", _url(order)),
        await rival.get("admin", f"{_url(order)}/{made['id']}"),
        await rival.delete("admin", f"{_url(order)}/{made['id']}"),
        await upload(rival, "admin", order, JPEG),
    ):
        assert response.status_code == 404, response.text
    assert (await team.get("rep_a1", _url(order))).json()["data"][0]["id"] == made["id"]
