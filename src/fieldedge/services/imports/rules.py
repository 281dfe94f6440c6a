"""The row rules of product and user imports: a record's cells checked and turned into
what the row asks for, or refused with a reason a person can act on.

Text cells refuse what the API refuses (a NUL, a control character) and what a
spreadsheet would run as a formula (``=HYPERLINK(...)``, ``@SUM(...)``, ``+1+1``,
``-2+3``, a leading tab or carriage return: OWASP's CSV-injection list), so a file that
goes back out to a spreadsheet cannot carry one in. Numbers are integers: prices in the
currency's minor units and tax rates in basis points, as the API takes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from fieldedge.domain.base import field_details
from fieldedge.domain.identity import Role
from fieldedge.domain.imports import ImportKind
from fieldedge.domain.money import MAX_TAX_RATE_BP
from fieldedge.domain.products import MAX_UNIT_PRICE
from fieldedge.domain.text import FORMULA_STARTS, unsafe_character
from fieldedge.errors import ValidationFailed
from fieldedge.services.common import normalise_email
from fieldedge.services.import_rows import Row
from fieldedge.services.imports.reader import Header

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # the API's rule (http.fields.Email)
_TRUE, _FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0"}

HEADERS = {
    ImportKind.PRODUCTS: Header(
        ("sku", "name", "description", "unit_price", "tax_rate_bp", "active"),
        ("sku", "name", "unit_price"),
    ),
    ImportKind.USERS: Header(("email", "name", "role", "manager"), ("email", "name")),
}
ROLES = (Role.SALES_REP, Role.MANAGER, Role.ADMIN)


def invalid(name: str, why: str) -> ValidationFailed:
    return ValidationFailed(details={name: [why]})


def reason(exc: ValidationFailed | ValidationError) -> str:
    details = field_details(exc) if isinstance(exc, ValidationError) else exc.details or {}
    if not details:
        return exc.message if isinstance(exc, ValidationFailed) else str(exc)
    return "; ".join(f"{name}: {' '.join(map(str, why))}" for name, why in details.items())


def _cells(row: Row, header: Header) -> dict[str, str | None]:
    if row.extra:
        raise invalid("row", f"{row.extra} cell(s) more than the header has.")
    for name, cell in row.cells.items():
        if why := unsafe_character(cell):
            raise invalid(name, why)
        if cell.startswith(FORMULA_STARTS) and not _is_number(cell):
            raise invalid(name, f"Starts with {cell[0]!r}, so a spreadsheet would run it as a "
                                "formula; remove that character.")  # fmt: skip
    value = {name: (row.cells.get(name) or "").strip() or None for name in header.columns}
    for name in header.required:
        if value[name] is None:
            raise invalid(name, "Required.")
    return value


def _is_number(cell: str) -> bool:
    return bool(re.fullmatch(r"[+-]?\d+", cell.strip()))


def _integer(cell: str | None, name: str, *, high: int, default: int | None = None) -> int:
    if cell is None:
        if default is None:
            raise invalid(name, "Required.")
        return default
    if not re.fullmatch(r"\d+", cell):
        raise invalid(name, f"Not a whole number of at least 0: {cell!r}.")
    number = int(cell)
    if number > high:
        raise invalid(name, f"At most {high}.")
    return number


def _flag(cell: str | None, name: str) -> bool:
    if cell is None or cell.lower() in _TRUE:
        return True
    if cell.lower() in _FALSE:
        return False
    raise invalid(name, f"Not true or false: {cell!r}.")


@dataclass(frozen=True, slots=True)
class ProductRow:
    sku: str
    fields: dict[str, Any]  # name, description, unit_price, tax_rate_bp, active

    @property
    def key(self) -> str:
        return self.sku


@dataclass(frozen=True, slots=True)
class UserRow:
    email: str
    name: str
    role: Role
    manager: str | None  # a MANAGER's email

    @property
    def key(self) -> str:
        return self.email


def product_row(row: Row) -> ProductRow:
    value = _cells(row, HEADERS[ImportKind.PRODUCTS])
    assert value["sku"] is not None
    assert value["name"] is not None
    if len(value["sku"]) > 64:
        raise invalid("sku", "At most 64 characters.")
    if len(value["name"]) > 200:
        raise invalid("name", "At most 200 characters.")
    if value["description"] is not None and len(value["description"]) > 2000:
        raise invalid("description", "At most 2000 characters.")
    fields = {
        "name": value["name"],
        "description": value["description"],
        "unit_price": _integer(value["unit_price"], "unit_price", high=MAX_UNIT_PRICE),
        "tax_rate_bp": _integer(
            value["tax_rate_bp"], "tax_rate_bp", high=MAX_TAX_RATE_BP, default=0
        ),
        "active": _flag(value["active"], "active"),
    }
    return ProductRow(value["sku"], fields)


def user_row(row: Row) -> UserRow:
    value = _cells(row, HEADERS[ImportKind.USERS])
    assert value["email"] is not None
    assert value["name"] is not None
    email = normalise_email(value["email"])
    if not _EMAIL.match(email) or len(email) > 254:
        raise invalid("email", "Not an email address.")
    if len(value["name"]) > 120:
        raise invalid("name", "At most 120 characters.")
    role_name = (value["role"] or Role.SALES_REP.value).upper()
    if role_name not in {r.value for r in ROLES}:
        raise invalid("role", f"Unknown role {value['role']!r} (SALES_REP, MANAGER, ADMIN).")
    role = Role(role_name)
    manager = normalise_email(value["manager"]) if value["manager"] else None
    if manager is not None and role is not Role.SALES_REP:
        raise invalid("manager", "Only a SALES_REP has a manager.")
    if manager == email:
        raise invalid("manager", "A user cannot manage themselves.")
    return UserRow(email, value["name"], role, manager)
