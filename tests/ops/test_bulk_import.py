"""``fieldedge import products|users``: what an operator types, sees and gets as an exit
code, and what ends up in the database, on every backend."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID, uuid4

import pytest

from fieldedge.ports.database import Scope
from fieldedge.ports.fieldforce import ProductQuery
from fieldedge_adapters.sql import database_from_url
from fieldedge_handlers.cli import main
from fixtures.database import POOL, add_company, run_async
from ops.test_export import cli_env

PRODUCTS = (
    "sku,name,unit_price,tax_rate_bp,active\n"
    "PCM-500,Paracetamol 500,1250,1200,yes\n"
    "AMX-250,Amoxicillin 250,4000,,\n"
    "AMX-250,Amoxicillin twice,4000,,\n"
    "BAD,@SUM(A1),10,,\n"
)


def _company(url: str) -> UUID:
    async def make() -> UUID:
        db = database_from_url(url, **POOL)
        try:
            return (await add_company(db, f"Acme {uuid4().hex[:6]}", country="IN")).id
        finally:
            await db.close()

    return run_async(make)


def _skus(url: str, company_id: UUID) -> dict[str, int]:
    async def read() -> dict[str, int]:
        db = database_from_url(url, **POOL)
        try:
            async with db.unit_of_work(Scope.tenant(company_id)) as uow:
                rows = await uow.products.list(ProductQuery(limit=100))
            return {row["sku"]: row["unit_price"] for row in rows}
        finally:
            await db.close()

    return run_async(read)


@pytest.fixture
def company(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> UUID:
    cli_env(database_url, tmp_path, monkeypatch)
    return _company(database_url)


def test_products_import_then_a_rerun_changes_nothing(
    database_url: str, company: UUID, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "products.csv"
    path.write_bytes(b"\xef\xbb\xbf" + PRODUCTS.encode())  # as Excel saves "CSV UTF-8"
    args = ["import", "products", str(path), "--company", str(company)]
    assert main(args) == 1  # one row was refused; the others were taken
    out = capsys.readouterr().out
    assert "line 4: skipped: Duplicate of line 3 (the first row wins)." in out
    assert "line 5: error: name: Starts with '@'" in out
    assert out.splitlines()[-1] == (
        "4 rows: created 2, updated 0, 1 skipped (unchanged or duplicate), 1 bad"
    )
    assert _skus(database_url, company) == {"PCM-500": 1250, "AMX-250": 4000}
    assert main(args) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "4 rows: created 0, updated 0, 3 skipped (unchanged or duplicate), 1 bad"
    )


def test_a_dry_run_and_a_bad_file(
    database_url: str, company: UUID, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("sku,name,unit_price\nA-1,Pen,100\n")
    assert main(["import", "products", str(good), "--company", str(company), "--dry-run"]) == 0
    assert capsys.readouterr().out.endswith("(dry run: nothing written)\n")
    assert _skus(database_url, company) == {}
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"sku,name,unit_price\nA-1,Pen,100\nA-2,\xff,1\n")
    assert main(["import", "products", str(bad), "--company", str(company)]) == 2
    assert "Not UTF-8 at line 3" in capsys.readouterr().err
    assert _skus(database_url, company) == {}  # the first pass read it all: nothing written


def test_users_import_invites(
    database_url: str, company: UUID, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "users.csv"
    path.write_text("email,name,role\nlead@acme.test,Lead,MANAGER\nrep@acme.test,Rep,\n")
    assert main(["import", "users", str(path), "--company", str(company)]) == 0
    out = capsys.readouterr().out
    assert "line 2: created" not in out  # created rows are the summary's
    assert out.splitlines()[-1].startswith("2 rows: created 2")
    assert main(["import", "users", str(path), "--company", str(company)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("2 rows: created 0, updated 0, 2")
