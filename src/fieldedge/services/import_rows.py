"""Reading an import's CSV: the header checked, each record turned into a ``Contact`` by
the same rules as the API (``to_contact``) or refused with a reason a person can act on.
Lines are counted as an editor shows them (the header is line 1), also when a quoted
cell spans lines."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from uuid import UUID

from pydantic import ValidationError

from fieldedge.domain.contacts import (
    Contact,
    ContactType,
    check_location,
    normalize_phone,
    normalize_tags,
)
from fieldedge.domain.text import unsafe_character
from fieldedge.errors import ValidationFailed
from fieldedge.services.deps import Deps

COLUMNS: tuple[str, ...] = ("name", "type", "phone", "email", "address", "city")
COLUMNS += ("latitude", "longitude", "tags", "notes", "territory")
REQUIRED = ("name",)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # the API's rule (http.fields.Email)


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # where the record starts in the file, counting the header as line 1
    cells: dict[str, str]
    extra: int = 0  # cells beyond the header's columns


def read_rows(text: str) -> list[Row]:
    """Every non-empty record; ``ValidationFailed`` when the text is not CSV, or its
    header lacks a required column or names an unknown one."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
        if not any(header):
            raise ValidationFailed("The file is empty: expected a header row.")
        if missing := [name for name in REQUIRED if name not in header]:
            raise ValidationFailed(f"Missing required column(s): {', '.join(missing)}.")
        if unknown := [name for name in header if name not in COLUMNS]:
            known = ",".join(COLUMNS)
            raise ValidationFailed(f"Unknown column(s): {', '.join(unknown)} (known: {known}).")
        rows: list[Row] = []
        start = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                extra = max(len(cells) - len(header), 0)
                rows.append(Row(start, dict(zip(header, cells, strict=False)), extra))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ValidationFailed(f"Not valid CSV at line {reader.line_num}: {exc}.") from None
    return rows


def reason_of(exc: ValidationFailed | ValidationError) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    details = exc.details or {}
    return "; ".join(f"{name}: {' '.join(map(str, why))}" for name, why in details.items())


def _number(value: str | None, name: str) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        raise ValidationFailed(details={name: [f"Not a number: {value!r}."]}) from None


def _invalid(name: str, why: str) -> ValidationFailed:
    return ValidationFailed(details={name: [why]})


class Territories:
    """The company's live territories as a row may name one: by id, or by a name only
    one of them has (case and spacing aside)."""

    def __init__(self, named: list[tuple[UUID, str]]) -> None:
        self._ids = {tid for tid, _ in named}
        self._by_name: dict[str, list[UUID]] = {}
        for tid, name in named:
            self._by_name.setdefault(_folded(name), []).append(tid)

    def find(self, cell: str) -> UUID:
        try:
            if (tid := UUID(cell)) in self._ids:
                return tid
        except ValueError:
            pass
        found = self._by_name.get(_folded(cell), [])
        if len(found) > 1:
            raise _invalid("territory", f"{len(found)} territories are named {cell!r}: use the id.")
        if not found:
            raise _invalid("territory", f"No territory {cell!r} (give its id or its name).")
        return found[0]


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def to_contact(
    row: Row, company_id: UUID, country: str, deps: Deps, territories: Territories
) -> Contact:
    """The contact a row stands for, by the API's rules; ``ValidationFailed`` or
    pydantic's ``ValidationError`` (lengths) when it breaks one."""
    if row.extra:
        raise _invalid("row", f"{row.extra} cell(s) more than the header has.")
    for name, cell in row.cells.items():  # the API's rule for text (a NUL, a lone surrogate)
        if why := unsafe_character(cell):
            raise _invalid(name, why)
    value = {name: (row.cells.get(name) or "").strip() or None for name in COLUMNS}
    kind = (value["type"] or "OTHER").upper()
    if not value["name"]:
        raise _invalid("name", "Required.")
    if kind not in ContactType.__members__:
        raise _invalid("type", f"Unknown type {value['type']!r} ({', '.join(ContactType)}).")
    if value["email"] and not _EMAIL.match(value["email"]):
        raise _invalid("email", "Not an email address.")
    if not value["phone"] and not value["email"]:
        raise _invalid("row", "Needs a phone or an email (duplicates are found by them).")
    latitude = _number(value["latitude"], "latitude")
    longitude = _number(value["longitude"], "longitude")
    check_location(latitude, longitude)
    territory_id = territories.find(value["territory"]) if value["territory"] else None
    now = deps.clock.now()
    return Contact(
        id=deps.ids.new(),
        company_id=company_id,
        type=ContactType(kind),
        name=value["name"],
        phone=normalize_phone(value["phone"], country) if value["phone"] else None,
        email=value["email"].lower() if value["email"] else None,
        address=value["address"],
        city=value["city"],
        latitude=latitude,
        longitude=longitude,
        tags=normalize_tags((value["tags"] or "").split(";")),
        notes=value["notes"],
        territory_id=territory_id,
        created_at=now,
        updated_at=now,
    )
