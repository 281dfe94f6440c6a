"""``export_company`` and ``fieldedge export``: what lands in storage, and whose rows."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from fieldedge.ports.database import Database
from fieldedge.services.export import export_company
from fieldedge_adapters.storage import storage_from_url
from fieldedge_handlers.cli import main
from fixtures.app import SECRET
from fixtures.database import run_async
from ops.world import Tenant, build_tenant, open_api, with_api

TABLES = (
    "company",
    "users",
    "contacts",
    "visits",
    "visit_photos",
    "products",
    "orders",
    "payments",
    "territories",
    "audit_log",
)


def read_zip(data: bytes) -> dict[str, list[dict[str, Any]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert set(names) == {f"{t}.jsonl" for t in TABLES} | {"manifest.json"}
        return {
            name.removesuffix(".jsonl"): [
                json.loads(line) for line in archive.read(name).decode().splitlines()
            ]
            for name in names
            if name.endswith(".jsonl")
        }


async def two_tenants(api: Any) -> tuple[Tenant, Tenant]:
    return (
        await build_tenant(api, "Acme Pharma", "+919876543210"),
        await build_tenant(api, "Other Traders", "+919812345678"),
    )


async def test_every_table_of_one_tenant_and_none_of_another(db: Database, tmp_path: Path) -> None:
    async with open_api(db, tmp_path) as api:
        acme, other = await two_tenants(api)
        lines: list[str] = []
        result = await export_company(
            UUID(acme.company_id),
            api.deps,
            progress=lambda stage, done, total=None: lines.append(stage),
        )
        stored = await api.deps.storage.get(result.key)

    assert result.key.startswith(f"{acme.company_id}/exports/")
    assert result.key.endswith(".zip")
    assert stored.info.content_type == "application/zip"
    tables = read_zip(stored.data)
    assert tables["company"] == [tables["company"][0]]
    assert tables["company"][0]["name"] == "Acme Pharma"
    assert sorted(u["email"] for u in tables["users"]) == sorted(acme.emails.values())
    assert all("password_hash" not in u for u in tables["users"])
    assert [c["name"] for c in tables["contacts"]] == ["Acme Pharma clinic"]
    assert len(tables["visits"]) == 1
    assert len(tables["orders"]) == 1
    assert [p["amount"] for p in tables["payments"]] == [500]
    assert [p["sku"] for p in tables["products"]] == ["PEN"]
    [west] = tables["territories"]
    assert west["name"] == "Acme Pharma west"
    assert tables["contacts"][0]["territory_id"] == west["id"]
    seqs = [entry["seq"] for entry in tables["audit_log"]]
    assert seqs
    assert seqs == sorted(seqs)
    # Tenant isolation: not one row anywhere carries the other company's id or names.
    for table, rows in tables.items():
        counted = result.counts[table]
        assert len(rows) == counted, table
        for row in rows:
            text = json.dumps(row)
            assert other.company_id not in text, table
            assert "Other Traders" not in text, table
    assert {"users", "contacts", "audit_log"} <= set(lines)


async def test_two_exports_in_the_same_second_are_two_objects(db: Database, tmp_path: Path) -> None:
    async with open_api(db, tmp_path) as api:  # its clock stands still: the same second
        acme, _ = await two_tenants(api)
        first = await export_company(UUID(acme.company_id), api.deps)
        second = await export_company(UUID(acme.company_id), api.deps)
        assert first.key != second.key
        assert first.key.split("/")[-1][:16] == second.key.split("/")[-1][:16]
        for result in (first, second):
            stored = await api.deps.storage.get(result.key)
            assert read_zip(stored.data)["company"][0]["name"] == "Acme Pharma"


def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's settings, as an operator's shell would hold them; no ``.env``."""
    monkeypatch.chdir(tmp_path)
    env = {
        "FIELDEDGE_ENV": "dev",
        "DATABASE_URL": database_url,
        "KV_URL": "memory://",
        "STORAGE_URL": f"file://{tmp_path}/storage",
        "MAIL_URL": "console://",
        "JWT_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_cli_prints_link_and_counts_and_the_link_downloads(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    acme, _ = run_async(lambda: with_api(database_url, tmp_path, two_tenants))
    cli_env(database_url, tmp_path, monkeypatch)

    assert main(["export", "--company", acme.company_id]) == 0
    out, err = capsys.readouterr()
    link = next(line.split()[1] for line in out.splitlines() if line.startswith("link"))
    assert "  contacts       1" in out
    assert "  payments       1" in out
    assert "contacts: 1" in err  # plain progress lines: stderr is not a terminal here

    key = next(line.split()[1] for line in out.splitlines() if line.startswith("key"))
    assert key in link  # a signed URL for the stored zip (fetched in test_export_route)
    assert "sig=" in link
    # Read what the local store holds (nothing here may log after the command: it
    # configured logging onto this test's captured stream).
    stored = (tmp_path / "storage" / key).read_bytes()
    assert read_zip(stored)["contacts"][0]["name"] == "Acme Pharma clinic"


def test_cli_unknown_company_is_one_line_exit_1(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli_env(database_url, tmp_path, monkeypatch)
    company = "0190f0c2-0000-7000-8000-000000000000"
    assert main(["export", "--company", company]) == 1
    assert capsys.readouterr().err == f"fieldedge: No company {company}.\n"
    assert main(["export", "--company", "Nobody Ltd"]) == 1
    assert capsys.readouterr().err.startswith("fieldedge: No company named 'Nobody Ltd'")


async def test_export_to_s3_through_moto_and_a_presigned_get(
    db: Database, tmp_path: Path, s3_url: str
) -> None:
    s3 = storage_from_url(
        s3_url, timeout_s=10, signing_key=b"k" * 32, public_base_url="http://127.0.0.1"
    )
    async with open_api(db, tmp_path, storage=s3) as api:
        acme, _ = await two_tenants(api)
        result = await export_company(UUID(acme.company_id), api.deps)
    assert result.url.startswith("http://127.0.0.1:")
    async with httpx.AsyncClient() as client:
        response = await client.get(result.url, timeout=10)
    assert response.status_code == 200
    tables = read_zip(response.content)
    assert [c["phone"] for c in tables["contacts"]] == ["+919876543210"]
    assert result.counts == {name: len(rows) for name, rows in tables.items()}
