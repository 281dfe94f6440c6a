"""Visit photos over HTTP: multipart and presigned uploads judged by their bytes, the size
cap, reuse across visits, and reads after the visit's access check. On local disk (every
database backend) and on moto's S3 server over real HTTP, with a real presigned PUT."""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from fieldedge.domain.photos import MAX_PHOTO_BYTES
from fieldedge.ports.database import Database
from fieldedge.signing import storage_signing_key
from fieldedge_adapters.storage import storage_from_url
from fieldforce.conftest import Team, build_team, open_api
from fixtures.app import SECRET
from fixtures.identity_api import Api, bearer
from fixtures.images import JPEG, PNG, WEBP

PDF = b"%PDF-1.7\n" + b"x" * 100


async def visit_of(team: Team, who: str = "rep_a1") -> dict[str, Any]:
    return await team.check_in(who, (await team.contact(who))["id"])


async def upload(
    team: Team, who: str, visit_id: str, data: bytes, label: str = "image/png"
) -> httpx.Response:
    return await team.client.post(
        f"/api/v1/visits/{visit_id}/photos",
        files={"file": ("photo.png", data, label)},
        headers=bearer(team.tokens[who]),
    )


def local(url: str) -> str:
    """A local-disk signed URL as a path the in-process client can send."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_a_multipart_photo_is_judged_by_its_bytes_and_streamed_back(team: Team) -> None:
    visit = await visit_of(team)
    response = await upload(team, "rep_a1", visit["id"], JPEG, label="application/octet-stream")
    assert response.status_code == 201, response.text
    photo = response.json()["data"]
    assert (photo["status"], photo["contentType"], photo["size"]) == (
        "READY",
        "image/jpeg",
        len(JPEG),
    )
    assert photo["sha256"] == hashlib.sha256(JPEG).hexdigest()
    key = f"{team.company_id}/visits/{visit['id']}/{photo['id']}.jpg"
    rows = await team.api.sql("SELECT key, status FROM visit_photos")
    assert [(r[0], r[1]) for r in rows] == [(key, "READY")]
    read = await team.get("mgr_a", f"/api/v1/visits/{visit['id']}/photos/{photo['id']}")
    assert read.status_code == 200
    assert read.headers["content-type"] == "image/jpeg"
    assert read.content == JPEG
    detail = (await team.get("rep_a1", f"/api/v1/visits/{visit['id']}")).json()["data"]
    assert [p["id"] for p in detail["photos"]] == [photo["id"]]
    assert detail["verified"] is True
    assert "visit.photo_added" in await team.audit_actions()


@pytest.mark.parametrize("data", [PNG, WEBP])
async def test_png_and_webp_are_accepted(team: Team, data: bytes) -> None:
    visit = await visit_of(team)
    response = await upload(team, "rep_a1", visit["id"], data, label="image/jpeg")
    assert response.status_code == 201, response.text
    assert response.json()["data"]["contentType"] in ("image/png", "image/webp")


def _png_claiming(width: int, height: int) -> bytes:
    """A real PNG whose header (CRC made good) claims other dimensions."""
    head = PNG[:16] + struct.pack(">II", width, height) + PNG[24:29]
    crc = struct.pack(">I", zlib.crc32(head[12:29]))
    return head + crc + PNG[33:]


FORGED = {
    "JPEG magic, then junk": b"\xff\xd8\xff\xe0" + b"j" * 300,
    "PNG signature, then zeros": b"\x89PNG\r\n\x1a\n" + b"\x00" * 300,
    "WebP header, then junk": b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"w" * 100,
    "JPEG cut short": JPEG[: len(JPEG) - 40],
    "PNG cut short": PNG[: len(PNG) - 20],
    "WebP cut short": WEBP[: len(WEBP) // 2],
    "PNG with a broken chunk": PNG[:40] + bytes([PNG[40] ^ 0xFF]) + PNG[41:],
    "PNG of zero width": _png_claiming(0, 32),
    "PNG of 100000 x 100000": _png_claiming(100_000, 100_000),
    "PNG of 20000 x 20000": _png_claiming(20_000, 20_000),
}


@pytest.mark.parametrize("case", FORGED, ids=list(FORGED))
async def test_an_image_must_be_whole_and_sane_not_just_start_right(team: Team, case: str) -> None:
    visit = await visit_of(team)
    response = await upload(team, "rep_a1", visit["id"], FORGED[case])
    assert response.status_code == 415, response.text
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert await team.count("visit_photos") == 0


async def test_a_forged_presigned_upload_is_415_and_deleted(team: Team) -> None:
    visit = await visit_of(team)
    base = f"/api/v1/visits/{visit['id']}/photos"
    data = (await team.post("rep_a1", f"{base}/upload-url", {"contentType": "image/jpeg"})).json()
    ticket = data["data"]
    forged = FORGED["JPEG magic, then junk"]
    put = await team.client.put(
        local(ticket["uploadUrl"]), content=forged, headers=ticket["headers"]
    )
    assert put.status_code == 200
    done = await team.post("rep_a1", f"{base}/{ticket['photoId']}/complete")
    assert done.status_code == 415, done.text
    again = await team.post("rep_a1", f"{base}/{ticket['photoId']}/complete")
    assert again.status_code == 409  # the object was deleted: PUT a real one


async def test_refused_uploads_write_nothing(team: Team, tmp_path: Path) -> None:
    visit = await visit_of(team)
    not_image = await upload(team, "rep_a1", visit["id"], PDF, label="image/png")
    assert not_image.status_code == 415
    assert not_image.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    just_over = PNG + b"\x00" * (MAX_PHOTO_BYTES + 1 - len(PNG))
    over = await upload(team, "rep_a1", visit["id"], just_over)
    assert over.status_code == 413
    assert over.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    huge = await upload(team, "rep_a1", visit["id"], PNG + b"\x00" * (11 * 1024 * 1024))
    assert huge.status_code == 413
    assert (await upload(team, "rep_a2", visit["id"], PNG)).status_code == 404
    assert (await upload(team, "mgr_a", visit["id"], PNG)).status_code == 403
    no_file = await team.client.post(
        f"/api/v1/visits/{visit['id']}/photos",
        data={"note": "forgot it"},
        files={"other": ("x.png", PNG, "image/png")},
        headers=bearer(team.tokens["rep_a1"]),
    )
    assert no_file.status_code == 422
    as_json = await team.post("rep_a1", f"/api/v1/visits/{visit['id']}/photos", {"file": "x"})
    assert as_json.status_code == 415
    assert await team.count("visit_photos") == 0
    assert not [p for p in (tmp_path / "storage").rglob("*") if p.is_file()]


async def test_the_same_photo_on_another_visit_is_flagged(team: Team) -> None:
    first = await visit_of(team, "rep_a1")
    second = await visit_of(team, "rep_a2")
    assert (await upload(team, "rep_a1", first["id"], PNG)).status_code == 201
    assert (await upload(team, "rep_a1", first["id"], PNG)).status_code == 201  # same visit: fine
    mine = (await team.get("rep_a1", f"/api/v1/visits/{first['id']}")).json()["data"]
    assert (mine["verified"], mine["flags"]) == (True, [])
    reused = await upload(team, "rep_a2", second["id"], PNG)
    assert reused.status_code == 201
    theirs = (await team.get("rep_a2", f"/api/v1/visits/{second['id']}")).json()["data"]
    assert theirs["flags"] == ["REUSED_PHOTO"]
    assert theirs["verified"] is False
    assert theirs["version"] > second["version"]
    rival = await build_team(team.api, company="Rival Pharma")
    elsewhere = await visit_of(rival, "rep_a1")
    assert (await upload(rival, "rep_a1", elsewhere["id"], PNG)).status_code == 201
    rival_visit = await rival.get("rep_a1", f"/api/v1/visits/{elsewhere['id']}")
    assert rival_visit.json()["data"]["flags"] == []  # reuse is per tenant


async def test_presigned_upload_on_local_disk(team: Team) -> None:
    visit = await visit_of(team)
    base = f"/api/v1/visits/{visit['id']}/photos"
    refused = await team.post("rep_a1", f"{base}/upload-url", {"contentType": "application/pdf"})
    assert refused.status_code == 415
    ticket = await team.post("rep_a1", f"{base}/upload-url", {"contentType": "image/webp"})
    assert ticket.status_code == 201, ticket.text
    data = ticket.json()["data"]
    assert data["method"] == "PUT"
    assert data["headers"] == {"Content-Type": "image/webp"}
    complete = f"{base}/{data['photoId']}/complete"
    early = await team.post("rep_a1", complete)
    assert early.status_code == 409
    assert "PUT" in early.json()["error"]["message"]
    assert (await team.get("rep_a1", f"{base}/{data['photoId']}")).status_code == 404  # pending
    put = await team.client.put(local(data["uploadUrl"]), content=WEBP, headers=data["headers"])
    assert put.status_code == 200, put.text
    done = await team.post("rep_a1", complete)
    assert done.status_code == 200, done.text
    assert (done.json()["data"]["status"], done.json()["data"]["size"]) == ("READY", len(WEBP))
    assert (await team.post("rep_a1", complete)).status_code == 200  # completing twice is harmless
    read = await team.get("admin", f"{base}/{data['photoId']}")
    assert (read.content, read.headers["content-type"]) == (WEBP, "image/webp")
    assert (
        await team.post("rep_a2", f"{base}/upload-url", {"contentType": "image/png"})
    ).status_code == 404


async def test_photos_of_another_tenant_are_404(team: Team) -> None:
    visit = await visit_of(team)
    photo = (await upload(team, "rep_a1", visit["id"], PNG)).json()["data"]
    rival = await build_team(team.api, company="Rival Pharma")
    path = f"/api/v1/visits/{visit['id']}/photos/{photo['id']}"
    assert (await rival.get("admin", path)).status_code == 404
    assert (await rival.post("admin", f"{path}/complete")).status_code == 404
    assert (await team.get("rep_a2", path)).status_code == 404  # another rep's visit


@pytest.fixture
async def s3_api(db: Database, tmp_path: Path, s3_url: str) -> AsyncIterator[Api]:
    """The app storing photos in a fresh bucket on moto's S3 server."""
    storage = storage_from_url(
        s3_url, timeout_s=5, signing_key=storage_signing_key(SECRET), public_base_url="http://x"
    )
    async with open_api(db, tmp_path, storage=storage) as opened:
        yield opened


@pytest.fixture
async def s3_team(s3_api: Api) -> Team:
    return await build_team(s3_api)


async def test_presigned_upload_to_s3_and_a_signed_redirect(s3_team: Team) -> None:
    team = s3_team
    visit = await visit_of(team)
    base = f"/api/v1/visits/{visit['id']}/photos"
    ticket = (await team.post("rep_a1", f"{base}/upload-url", {"contentType": "image/png"})).json()
    data = ticket["data"]
    assert data["uploadUrl"].startswith("http://127.0.0.1:")
    async with httpx.AsyncClient(timeout=10) as outside:
        put = await outside.put(data["uploadUrl"], content=PNG, headers=data["headers"])
        assert put.status_code == 200, put.text
        done = await team.post("rep_a1", f"{base}/{data['photoId']}/complete")
        assert done.status_code == 200, done.text
        assert done.json()["data"]["sha256"] == hashlib.sha256(PNG).hexdigest()
        read = await team.get("mgr_a", f"{base}/{data['photoId']}")
        assert read.status_code == 307
        assert read.headers["cache-control"] == "private, no-store"
        fetched = await outside.get(read.headers["location"])
        assert fetched.status_code == 200
        assert fetched.content == PNG


async def test_a_non_image_put_to_s3_is_refused_and_deleted(s3_team: Team) -> None:
    team = s3_team
    visit = await visit_of(team)
    base = f"/api/v1/visits/{visit['id']}/photos"
    data = (await team.post("rep_a1", f"{base}/upload-url", {"contentType": "image/png"})).json()[
        "data"
    ]
    async with httpx.AsyncClient(timeout=10) as outside:
        put = await outside.put(data["uploadUrl"], content=PDF, headers=data["headers"])
        assert put.status_code == 200
    refused = await team.post("rep_a1", f"{base}/{data['photoId']}/complete")
    assert refused.status_code == 415
    key = f"{team.company_id}/visits/{visit['id']}/{data['photoId']}.png"
    assert await team.api.deps.storage.head(key) is None
    rows = await team.api.sql("SELECT status FROM visit_photos")
    assert [r[0] for r in rows] == ["PENDING"]


async def test_multipart_upload_to_s3(s3_team: Team) -> None:
    visit = await visit_of(s3_team)
    response = await upload(s3_team, "rep_a1", visit["id"], JPEG)
    assert response.status_code == 201, response.text
    photo = response.json()["data"]
    key = f"{s3_team.company_id}/visits/{visit['id']}/{photo['id']}.jpg"
    stored = await s3_team.api.deps.storage.get(key)
    assert (stored.data, stored.info.content_type) == (JPEG, "image/jpeg")
