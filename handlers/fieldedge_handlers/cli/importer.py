"""``fieldedge import contacts FILE.csv --company ID|NAME [--owner EMAIL] [--dry-run]
[--skip-invalid]``.

The report goes to stdout: one line per bad row (``line 7: phone: Not a valid phone
number.``), one per skipped duplicate, then a summary. Exit codes: 0 when the file was
taken (also when some rows were skipped with ``--skip-invalid``, or nothing was new),
1 when a row is bad and so nothing was imported, 2 when the file cannot be read as a
contacts CSV (not UTF-8, not CSV, a required column missing) or an argument is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

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
        report = asyncio.run(go())
    except ValidationFailed as exc:
        raise CliError(f"{args.file}: {exc.message}", 2) from None
    except NotFound as exc:
        raise CliError(exc.message, 2) from None
    except FieldedgeError as exc:
        raise CliError(exc.message) from None
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
