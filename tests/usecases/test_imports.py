"""Bulk imports of products and users on the memory fake: the row rules, natural keys,
re-runs, duplicates, dry runs, bad files, the report, and the job that applies them."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from uuid import UUID

import pytest

from fakes.store import PRODUCTS
from fieldedge.domain.identity import Role
from fieldedge.domain.imports import Import, ImportKind, ImportStatus
from fieldedge.errors import Forbidden, ValidationFailed
from fieldedge.services.import_rows import Row
from fieldedge.services.imports import records
from fieldedge.services.imports.apply import RowResult, Run, apply_rows
from fieldedge.services.imports.reader import read_records
from fieldedge.services.imports.rules import HEADERS
from fieldedge.services.outbox.dispatcher import dispatch_due

from .world import World

PRODUCTS_CSV = (
    "sku,name,unit_price,tax_rate_bp,description\n"
    "PCM-500,Paracetamol 500,1250,1200,\n"
    'AMX-250,Amoxicillin 250,4000,,"two\nlines"\n'
    "PCM-500,Paracetamol again,1,,\n"  # a duplicate of line 2
    'BAD-1,=HYPERLINK("http://evil"),100,,\n'
    "BAD-2,Nul\x00name,100,,\n"
    "BAD-3,Price,12.50,,\n"
    ",No sku,100,,\n"
)


async def _chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def _rows(data: bytes, kind: ImportKind = ImportKind.PRODUCTS, size: int = 7) -> list[Row]:
    return [row async for row in read_records(_chunks(data, size), HEADERS[kind])]


async def _import(world: World, text: str | bytes, kind: str = "products", **kw: bool) -> Import:
    data = text.encode() if isinstance(text, str) else text
    record = await records.start_import(
        world.as_("admin"), ImportKind(kind), "file.csv", data, world.deps, **kw
    )
    while (await dispatch_due(world.deps)).claimed:
        pass
    return await records.get_import(world.as_("admin"), record.id, world.deps)


async def _report(world: World, import_id: UUID) -> list[list[str]]:
    parts = await records.report_parts(world.as_("admin"), import_id, world.deps)
    text = b"".join([part async for part in parts]).decode()
    return list(csv.reader(io.StringIO(text)))


def _products(world: World) -> dict[str, dict[str, object]]:
    rows = world.db.store.table(PRODUCTS).values()
    return {row["sku"]: row for row in rows if row["company_id"] == world.id}


# --- reading the file ---


async def test_records_keep_editor_lines_across_chunks_and_quoted_newlines() -> None:
    rows = await _rows(("\ufeff" + PRODUCTS_CSV).encode(), size=5)
    assert [row.line for row in rows] == [2, 3, 5, 6, 7, 8, 9]
    assert rows[1].cells["description"] == "two\nlines"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"sku,name\nA,B\n", "Missing required column(s): unit_price"),
        (b"sku,name,unit_price,colour\n", "Unknown column(s): colour"),
        (b"sku,name,unit_price,sku\n", "Column(s) named twice: sku"),
        (b"sku,name,unit_price\nA,B,1\nC,\xe9t\xe9,1\n", "Not UTF-8 at line 3"),
        (b'sku,name,unit_price\nA,"open,1\n', "Not valid CSV"),
    ],
)
async def test_a_file_that_cannot_be_read_is_refused_whole(data: bytes, message: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await _rows(data)
    assert message in caught.value.message


# --- products ---


async def test_products_are_created_and_bad_rows_reported_one_by_one(world: World) -> None:
    done = await _import(world, PRODUCTS_CSV)
    assert done.status is ImportStatus.DONE
    assert (done.rows, done.created, done.updated, done.skipped, done.errors) == (7, 2, 0, 1, 4)
    assert _products(world)["PCM-500"]["unit_price"] == 1250
    assert _products(world)["AMX-250"]["description"] == "two\nlines"
    report = await _report(world, done.id)
    assert report[0] == ["line", "key", "outcome", "message"]
    by_line = {int(r[0]): r for r in report[1:]}
    assert by_line[2][2] == by_line[3][2] == "created"
    assert by_line[5][2:] == ["skipped", "Duplicate of line 2 (the first row wins)."]
    assert by_line[6][2] == "error"
    assert "formula" in by_line[6][3]
    assert by_line[7][2] == "error"
    assert "control character" in by_line[7][3]
    assert by_line[8][2] == "error"
    assert "unit_price" in by_line[8][3]
    assert by_line[9][3] == "sku: Required."
    assert "product.imported" in world.actions()
    assert world.actions()[-1] == "import.finished"


async def test_the_same_file_again_changes_nothing(world: World) -> None:
    await _import(world, PRODUCTS_CSV)
    before = _products(world)
    again = await _import(world, PRODUCTS_CSV)
    assert (again.created, again.updated, again.skipped, again.errors) == (0, 0, 3, 4)
    assert _products(world) == before
    outcomes = {int(r[0]): r[2:] for r in (await _report(world, again.id))[1:]}
    assert outcomes[2] == ["skipped", "Unchanged."]


async def test_a_changed_row_updates_its_product_by_sku(world: World) -> None:
    await _import(world, PRODUCTS_CSV)
    changed = await _import(world, "sku,name,unit_price\nPCM-500,Paracetamol 500,1300\n")
    assert (changed.created, changed.updated) == (0, 1)
    assert _products(world)["PCM-500"]["unit_price"] == 1300
    assert (await _report(world, changed.id))[1][2:] == [
        "updated",
        "Changed: tax_rate_bp, unit_price.",
    ]  # fmt: skip  (tax_rate_bp: an empty cell is 0)


async def test_a_dry_run_reports_and_writes_nothing(world: World) -> None:
    dry = await _import(world, PRODUCTS_CSV, dry_run=True)
    assert (dry.status, dry.dry_run, dry.created, dry.errors) == (ImportStatus.DONE, True, 2, 4)
    assert _products(world) == {}
    assert "product.imported" not in world.actions()


async def test_a_wrong_header_fails_the_import_with_its_reason(world: World) -> None:
    failed = await _import(world, "code,title\nA,B\n")
    assert failed.status is ImportStatus.FAILED
    assert failed.message is not None
    assert "Missing required column(s)" in failed.message
    bad = await _import(world, b"sku,name,unit_price\nA,\xff,1\n")
    assert bad.message == "Not UTF-8 at line 2: save the file as CSV UTF-8."
    assert _products(world) == {}


async def test_the_report_escapes_cells_a_spreadsheet_would_run(world: World) -> None:
    done = await _import(world, "sku,name,unit_price\n=1+2,Pen,100\n")
    (row,) = (await _report(world, done.id))[1:]
    assert row[1] == "'=1+2"
    assert row[2] == "error"


async def test_only_an_admin_imports(world: World) -> None:
    with pytest.raises(Forbidden):
        await records.start_import(
            world.as_("mgr_a"), ImportKind.PRODUCTS, "f.csv", b"sku\n", world.deps
        )


async def test_a_resumed_run_skips_the_records_done_and_keeps_their_keys(world: World) -> None:
    text = "sku,name,unit_price\n" + "".join(f"S{i},P{i},{i}\n" for i in range(5)) + "S0,X,1\n"
    results: list[RowResult] = []

    async def on_batch(uow: object, batch: list[RowResult], done: int) -> None:
        results.extend(batch)

    run = Run(ImportKind.PRODUCTS, world.id, world.as_("admin"))
    rows = read_records(_chunks(text.encode(), 64), HEADERS[ImportKind.PRODUCTS])
    calls = iter([True, False])
    assert not await apply_rows(run, rows, world.deps, on_batch, batch_size=2,
                                more=lambda: next(calls))  # fmt: skip
    assert [r.line for r in results] == [2, 3]
    resumed = Run(ImportKind.PRODUCTS, world.id, world.as_("admin"))
    rows = read_records(_chunks(text.encode(), 64), HEADERS[ImportKind.PRODUCTS])
    assert await apply_rows(resumed, rows, world.deps, on_batch, skip=2, batch_size=2)
    assert [r.line for r in results] == [2, 3, 4, 5, 6, 7]
    assert results[-1].message == "Duplicate of line 2 (the first row wins)."
    assert len(_products(world)) == 5


# --- users ---


async def test_users_are_invited_and_a_rerun_invites_no_one_again(world: World) -> None:
    text = (
        "email,name,role,manager\n"
        "Lead@Acme.test,Team Lead,MANAGER,\n"
        "rep9@acme.test,Rep Nine,,lead@acme.test\n"
        f"{world.people['rep_a1'].email},{world.people['rep_a1'].name},SALES_REP,"
        f"{world.people['mgr_a'].email}\n"
        "boss@acme.test,Boss,SUPER_ADMIN,\n"
        "x@acme.test,X,MANAGER,lead@acme.test\n"
    )
    done = await _import(world, text, "users")
    assert (done.created, done.skipped, done.errors) == (2, 1, 2)
    invited = sorted(mail["to"][0] for mail in world.emails("invite"))
    assert invited == ["lead@acme.test", "rep9@acme.test"]
    again = await _import(world, text, "users")
    assert (again.created, again.skipped, again.errors) == (0, 3, 2)
    assert len(world.emails("invite")) == 2
    async with world.uow() as uow:
        rep = await uow.users.by_email("rep9@acme.test")
        lead = await uow.users.by_email("lead@acme.test")
    assert rep is not None
    assert lead is not None
    assert (rep.role, rep.manager_id, lead.role) == (Role.SALES_REP, lead.id, Role.MANAGER)


async def test_an_email_of_another_company_is_a_row_error(world: World, deps: object) -> None:
    from contract.world import company, store, user

    from fieldedge.ports.database import Scope

    other = company(name="Rival")
    await store(world.deps.db, Scope.tenant(other.id), other)
    await store(world.deps.db, Scope.tenant(other.id), user(other.id, email="taken@rival.test"))
    done = await _import(world, "email,name\ntaken@rival.test,Someone\n", "users")
    assert done.errors == 1
    assert (await _report(world, done.id))[1][3] == (
        "email: Another account already uses this email."
    )


async def test_a_file_problem_quoting_the_file_is_stored_clean_and_short(world: World) -> None:
    header = ",".join(f"col\x01{n}" for n in range(80))
    failed = await _import(world, f"sku,name,unit_price,{header}\n")
    assert failed.status is ImportStatus.FAILED
    assert failed.message is not None
    assert failed.message.startswith("Unknown column(s): col?0, col?1")
    assert len(failed.message) == 500


async def test_a_file_name_with_a_control_character_is_422(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await records.start_import(
            world.as_("admin"), ImportKind.PRODUCTS, "a\x00.csv", b"sku\n", world.deps
        )
    assert "fileName" in (caught.value.details or {})
