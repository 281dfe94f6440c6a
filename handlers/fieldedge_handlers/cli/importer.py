"""``fieldedge import contacts FILE.csv --company ID|NAME [--owner EMAIL] [--dry-run]
[--skip-invalid]``, and ``fieldedge import products|users FILE.csv --company ID|NAME
[--dry-run]`` (the rules of ``POST /api/v1/imports``, applied here and now).

The report goes to stdout: one line per bad row (``line 7: phone: Not a valid phone
number.``), one per skipped duplicate, then a summary. Exit codes: 0 when the file was
taken (also when some rows were skipped with ``--skip-invalid``, or nothing was new),
1 when a row is bad and so nothing was imported, 2 when the file cannot be read as a
contacts CSV (not UTF-8, not CSV, a required column missing) or an argument is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from fieldedge.errors import FieldedgeError, NotFound, ValidationFailed
from fieldedge_handlers.cli.common import CliError, deps_or_exit
from fieldedge_handlers.cli.progress import ProgressReporter


def _text(path: Path) -> str:
    """UTF-8, with or without the BOM spreadsheet programs write."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CliError(f"{path}: {exc.strerror or exc}", 2) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CliError(f"{path}: not UTF-8 (line {line}); save it as CSV UTF-8", 2) from None


T = TypeVar("T")


def _run(work: Coroutine[Any, Any, T], path: Path) -> T:
    """Run an import; its errors as the CLI's (2: the file or an argument is wrong)."""
    try:
        return asyncio.run(work)
    except ValidationFailed as exc:
        raise CliError(f"{path}: {exc.message}", 2) from None
    except NotFound as exc:
        raise CliError(exc.message, 2) from None
    except FieldedgeError as exc:
        raise CliError(exc.message) from None


def contacts(args: argparse.Namespace) -> int:
    from fieldedge.services.company.lookup import find_company
    from fieldedge.services.import_contacts import ImportReport, import_contacts

    text = _text(args.file)
    progress = ProgressReporter()

    async def go() -> ImportReport:
        async with deps_or_exit() as deps:
            company = await find_company(args.company, deps)
            return await import_contacts(
                company.id,
                text,
                deps,
                owner_email=args.owner,
                dry_run=args.dry_run,
                skip_invalid=args.skip_invalid,
                progress=progress,
            )

    try:
        report = _run(go(), args.file)
    finally:
        progress.finish()
    for error in report.errors:
        print(f"line {error.line}: {error.reason}")
    for line in report.duplicates:
        print(f"line {line}: duplicate, skipped")
    stopped = bool(report.errors) and not args.skip_invalid
    verb = "would import" if args.dry_run else "imported"
    print(
        f"{report.rows} rows: {verb} {report.created}, {len(report.duplicates)} duplicate(s) "
        f"skipped, {len(report.errors)} bad"
        + (" (nothing imported: fix them, or pass --skip-invalid)" if stopped else "")
        + (" (dry run: nothing written)" if args.dry_run else "")
    )
    return 1 if stopped else 0


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    from fieldedge.services.imports.reader import CHUNK

    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def bulk(args: argparse.Namespace) -> int:
    """Products or users: the report goes to stdout, one line per row that was not simply
    created, then a summary. Exit codes: 0 when every row was taken (or was unchanged),
    1 when some row was refused (the others were still applied), 2 when the file cannot
    be read as that kind of CSV (nothing is written) or an argument is wrong."""
    from fieldedge.domain.imports import ImportKind, RowOutcome
    from fieldedge.services.company.lookup import find_company
    from fieldedge.services.imports.apply import Counts, RowResult, Run, apply_rows
    from fieldedge.services.imports.reader import read_records
    from fieldedge.services.imports.rules import HEADERS

    kind = ImportKind(args.kind)
    if not args.file.is_file():
        raise CliError(f"{args.file}: no such file", 2)
    counts = Counts()

    async def on_batch(uow: object, results: list[RowResult], done: int) -> None:
        counts.add(results)
        for r in results:
            if r.outcome is not RowOutcome.CREATED:
                print(f"line {r.line}: {r.outcome.value}" + (f": {r.message}" if r.message else ""))

    async def go() -> None:
        async with deps_or_exit() as deps:
            company = await find_company(args.company, deps)
            async for _ in read_records(_file_chunks(args.file), HEADERS[kind]):
                pass  # the whole file is readable before anything is written
            run = Run(kind, company.id, None, dry_run=args.dry_run)
            rows = read_records(_file_chunks(args.file), HEADERS[kind])
            await apply_rows(run, rows, deps, on_batch)

    _run(go(), args.file)
    verb = "would create" if args.dry_run else "created"
    print(
        f"{counts.rows} rows: {verb} {counts.created}, updated {counts.updated}, "
        f"{counts.skipped} skipped (unchanged or duplicate), {counts.errors} bad"
        + (" (dry run: nothing written)" if args.dry_run else "")
    )
    return 1 if counts.errors else 0


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser("import", help="import data from files")
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    people = kinds.add_parser(
        "contacts",
        help="contacts from a CSV (name,type,phone,email,address,city,latitude,longitude,"
        "tags,notes; tags split by ';')",
    )
    people.add_argument("file", type=Path, metavar="FILE.csv")
    people.add_argument("--company", required=True, help="the company's id or name")
    people.add_argument("--owner", metavar="EMAIL", help="assign every contact to this rep")
    people.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
    people.add_argument(
        "--skip-invalid", action="store_true", help="import the good rows when some are bad"
    )
    people.set_defaults(run=contacts)
    helps = {
        "products": "products from a CSV (sku,name,description,unit_price,tax_rate_bp,active; "
        "prices in minor units), matched by SKU",
        "users": "users from a CSV (email,name,role,manager); new ones get an invite email",
    }
    for name, text in helps.items():
        command = kinds.add_parser(name, help=text)
        command.add_argument("file", type=Path, metavar="FILE.csv")
        command.add_argument("--company", required=True, help="the company's id or name")
        command.add_argument(
            "--dry-run", action="store_true", help="check and report; write nothing"
        )
        command.set_defaults(run=bulk)
