"""``fieldedge import contacts``: what an operator types, sees, gets as an exit code, and
what ends up in the database, on every backend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from fieldedge.domain.contacts import Contact
from fieldedge.domain.territories import Territory
from fieldedge.ports.database import Scope
from fieldedge.ports.fieldforce import ContactQuery
from fieldedge_adapters.sql import database_from_url
from fieldedge_handlers.cli import main
from fixtures.database import POOL, add_company, add_user, run_async
from ops.test_export import cli_env

HEADER = "name,type,phone,email,address,city,latitude,longitude,tags,notes\n"
GOOD = (
    HEADER
    + "Dr. Mehta Clinic,doctor,098765 43210,,MG Road,Pune,18.52,73.85,cardio; VIP,\n"
    + 'Sharma Stores,RETAILER,,orders@sharma.example,"12, Market St",Pune,,,,"Opens at 10"\n'
    + "Gupta Wholesale,WHOLESALER,+91 98123 45678,,,Mumbai,,,bulk,\n"
)


@dataclass(frozen=True)
class World:
    url: str
    company_id: UUID
    rep_email: str
    existing_phone: str = "+919999911111"

    def contacts(self) -> list[Contact]:
        async def read() -> list[Contact]:
            db = database_from_url(self.url, **POOL)
            try:
                async with db.unit_of_work(Scope.tenant(self.company_id)) as uow:
                    rows = await uow.contacts.list(ContactQuery(limit=1000))
                    return [Contact.load(row) for row in rows]
            finally:
                await db.close()

        return run_async(read)

    def audit_actions(self) -> list[tuple[str, dict[str, object]]]:
        async def read() -> list[tuple[str, dict[str, object]]]:
            db = database_from_url(self.url, **POOL)
            try:
                async with db.unit_of_work(Scope.tenant(self.company_id)) as uow:
                    await uow.audit.link(limit=1000)  # entries are linked after commit
                    entries = await uow.audit.chain(after_seq=0, limit=1000)
                    return [(e.action, e.detail) for e in entries]
            finally:
                await db.close()

        return run_async(read)


@pytest.fixture
def world(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    """A company in India with one rep and one contact already there."""

    async def arrange() -> World:
        db = database_from_url(database_url, **POOL)
        try:
            company = await add_company(db, "Acme Pharma", country="IN")
            rep = await add_user(db, company.id, f"rep-{uuid4().hex[:6]}@example.com")
            now = datetime.now(UTC)
            async with db.unit_of_work(Scope.tenant(company.id)) as uow:
                await uow.contacts.add(
                    Contact(id=uuid4(), company_id=company.id, name="Already here",
                            phone="+919999911111", created_at=now, updated_at=now)
                )  # fmt: skip
                await uow.commit()
            return World(database_url, company.id, rep.email)
        finally:
            await db.close()

    cli_env(database_url, tmp_path, monkeypatch)
    return run_async(arrange)


def write(tmp_path: Path, text: str, name: str = "contacts.csv", bom: bool = False) -> str:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return str(path)


def run(world: World, *args: str) -> int:
    return main(["import", "contacts", *args, "--company", str(world.company_id)])


def test_good_file_imports_and_a_rerun_imports_nothing_new(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD, bom=True)  # as Excel saves "CSV UTF-8"

    assert run(world, path, "--owner", world.rep_email.upper()) == 0
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .startswith("3 rows: imported 3, 0 duplicate(s) skipped, 0 bad")
    )
    by_name = {c.name: c for c in world.contacts()}
    assert set(by_name) == {"Already here", "Dr. Mehta Clinic", "Sharma Stores", "Gupta Wholesale"}
    mehta = by_name["Dr. Mehta Clinic"]
    assert mehta.phone == "+919876543210"  # E.164, read in the company's country
    assert mehta.type == "DOCTOR"
    assert mehta.tags == ["cardio", "vip"]
    assert mehta.location == (18.52, 73.85)
    assert by_name["Sharma Stores"].address == "12, Market St"
    assert by_name["Sharma Stores"].email == "orders@sharma.example"
    assert mehta.owner_id is not None
    assert {c.owner_id for c in by_name.values() if c.name != "Already here"} == {mehta.owner_id}
    # One transaction, one tenant version, one audit entry for the batch.
    assert len({c.version for c in by_name.values() if c.name != "Already here"}) == 1
    imported = [detail for action, detail in world.audit_actions() if action == "contact.imported"]
    assert imported == [{"count": 3, "lines": [2, 4]}]

    assert run(world, path) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "3 rows: imported 0, 3 duplicate(s) skipped, 0 bad"
    assert "line 2: duplicate, skipped" in out
    assert len(world.contacts()) == 4


def test_dry_run_writes_nothing_and_says_what_would_happen(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GOOD + "Old friend,OTHER,+91 99999 11111,,,,,,,\n"  # matches the existing contact
    assert run(world, write(tmp_path, text), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "line 5: duplicate, skipped" in out
    assert out.splitlines()[-1] == (
        "4 rows: would import 3, 1 duplicate(s) skipped, 0 bad (dry run: nothing written)"
    )
    assert [c.name for c in world.contacts()] == ["Already here"]
    assert world.audit_actions() == []


BAD = (
    HEADER
    + "Good One,DOCTOR,9876543210,,,,,,,\n"
    + "Bad Type,DENTIST,9812345678,,,,,,,\n"
    + "Bad Phone,OTHER,12345,,,,,,,\n"
    + "Half Place,OTHER,9822222222,,,,18.5,,,\n"
    + "Far Away,OTHER,9833333333,,,,95,73,,\n"
    + "No Keys,OTHER,,,,,,,,\n"
    + "Good Two,RETAILER,,good@two.example,,,,,,\n"
)


def test_bad_rows_stop_the_import_and_each_is_reported(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(world, write(tmp_path, BAD)) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("line 3: type: Unknown type 'DENTIST'")
    assert out[1] == "line 4: phone: Not a valid phone number."
    assert out[2] == "line 5: longitude: Latitude and longitude go together."
    assert out[3].startswith("line 6: latitude:")
    assert out[4].startswith("line 7: row: Needs a phone or an email")
    assert out[-1] == (
        "7 rows: imported 0, 0 duplicate(s) skipped, 5 bad "
        "(nothing imported: fix them, or pass --skip-invalid)"
    )
    assert [c.name for c in world.contacts()] == ["Already here"]


def test_skip_invalid_imports_the_good_rows_only(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(world, write(tmp_path, BAD), "--skip-invalid") == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "7 rows: imported 2, 0 duplicate(s) skipped, 5 bad"
    )
    assert sorted(c.name for c in world.contacts()) == ["Already here", "Good One", "Good Two"]


def test_control_characters_in_a_cell_are_reported_by_line_on_every_backend(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        "Good One,DOCTOR,9876543210,,,,,,,",
        "Nul\x00Name,OTHER,9812345678,,,,,,,",
        'Bell,OTHER,9822222222,,,,,,,"ring\x07"',
        'Multi line,OTHER,9833333333,,,,,,,"first\nsecond"',
    ]
    assert run(world, write(tmp_path, HEADER + "\n".join(rows) + "\n"), "--skip-invalid") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "line 3: name: Contains a control character (U+0000), which text may not hold."
    assert out[1].startswith("line 4: notes: Contains a control character (U+0007)")
    assert out[-1] == "4 rows: imported 2, 0 duplicate(s) skipped, 2 bad"
    names = sorted(c.name for c in world.contacts())
    assert names == ["Already here", "Good One", "Multi line"]


def test_a_duplicate_within_the_file_is_skipped_first_row_wins(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        HEADER
        + "First,OTHER,9876543210,a@b.example,,,,,,\n"
        + "Same phone,OTHER,+919876543210,,,,,,,\n"
        + "Same email,OTHER,,A@B.example,,,,,,\n"
    )
    assert run(world, write(tmp_path, text)) == 0
    out = capsys.readouterr().out
    assert "line 3: duplicate, skipped\nline 4: duplicate, skipped" in out
    assert sorted(c.name for c in world.contacts()) == ["Already here", "First"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'name,type\n"Unclosed,OTHER\n', "Not valid CSV at line"),
        (b"type,phone\nDOCTOR,9876543210\n", "Missing required column(s): name."),
        (b"name,phon\nA,9876543210\n", "Unknown column(s): phon"),
        (b"", "The file is empty"),
        (HEADER.encode() + b"Caf\xe9,OTHER,9876543210,,,,,,,\n", "not UTF-8 (line 2)"),
    ],
)
def test_a_file_that_is_not_a_contacts_csv_is_one_line_and_exit_2(
    world: World,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    message: str,
) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    assert run(world, str(path)) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert [c.name for c in world.contacts()] == ["Already here"]


def _territories(world: World, *names: str) -> list[UUID]:
    async def arrange() -> list[UUID]:
        db = database_from_url(world.url, **POOL)
        now, ids = datetime.now(UTC), [uuid4() for _ in names]
        try:
            async with db.unit_of_work(Scope.tenant(world.company_id)) as uow:
                for tid, name in zip(ids, names, strict=True):
                    await uow.territories.add(Territory(id=tid, company_id=world.company_id,
                                                        name=name, created_at=now,
                                                        updated_at=now))  # fmt: skip
                await uow.commit()
            return ids
        finally:
            await db.close()

    return run_async(arrange)


def test_a_row_names_its_territory_by_id_or_by_a_name_only_one_has(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    east, west, _ = _territories(world, "Pune East", "Pune West", "pune west ")
    text = (
        "name,phone,territory\n"
        + "By Name,+91 98000 00001,  pune   EAST\n"
        + f"By Id,+91 98000 00002,{west}\n"
        + "Nowhere,+91 98000 00003,\n"
        + "Ambiguous,+91 98000 00004,Pune West\n"
        + f"Unknown,+91 98000 00005,{uuid4()}\n"
    )
    assert run(world, write(tmp_path, text)) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "line 5: territory: 2 territories are named 'Pune West': use the id."
    assert out[1].startswith("line 6: territory: No territory '")
    assert [c.name for c in world.contacts()] == ["Already here"]  # all or nothing
    assert run(world, write(tmp_path, text), "--skip-invalid") == 0
    placed = {c.name: c.territory_id for c in world.contacts()}
    assert placed == {"Already here": None, "By Name": east, "By Id": west, "Nowhere": None}
