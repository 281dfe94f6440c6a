"""``?near=`` over a bounded candidate set, ranked in Python: what sites use.

The box around the circle is read whole (at most ``NEAR_CANDIDATES`` rows, else a 422
asking for a smaller radius), measured (haversine), kept within the radius and paged by
``(distance, id)``. Contacts no longer take this path: their near search is ordered and
bounded by the database in widening rings (``services.contact_search``), since a
tenant's contacts in one city can number tens of thousands; a company's sites are few.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from fieldedge.domain.geo import haversine_m
from fieldedge.errors import ValidationFailed
from fieldedge.ports.records import Record
from fieldedge.services.pagination import decode_cursor, encode_cursor

NEAR_CANDIDATES = 2000


def _near_after(cursor: str | None) -> tuple[float, UUID] | None:
    position = decode_cursor(cursor)
    if position is None:
        return None
    try:
        return float(position["d"]), UUID(str(position["id"]))
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed(details={"cursor": ["Not a cursor this API issued."]}) from None


def by_distance(
    candidates: Sequence[Record],
    lat: float,
    lng: float,
    radius_m: float,
    cursor: str | None,
    limit: int,
    noun: str,
) -> tuple[list[tuple[Record, float]], str | None]:
    """The candidates (rows with ``latitude``/``longitude``, at most ``NEAR_CANDIDATES``
    of them plus one) within ``radius_m``, closest first, with their distance in metres
    and the next page's cursor."""
    after = _near_after(cursor)
    if len(candidates) > NEAR_CANDIDATES:
        raise ValidationFailed(
            details={
                "radiusKm": [f"Over {NEAR_CANDIDATES} {noun} in this area; use a smaller radius."]
            }
        )
    measured = sorted(
        (
            (haversine_m(lat, lng, c["latitude"], c["longitude"]), UUID(str(c["id"])), c)
            for c in candidates
            if c["latitude"] is not None and c["longitude"] is not None
        ),
        key=lambda row: (row[0], row[1]),
    )
    inside = [row for row in measured if row[0] <= radius_m]
    if after is not None:
        inside = [row for row in inside if (row[0], row[1]) > after]
    items = [(row, round(d, 1)) for d, _, row in inside[:limit]]
    next_cursor = None
    if len(inside) > limit:
        d, last_id, _ = inside[limit - 1]
        next_cursor = encode_cursor({"d": d, "id": str(last_id)})
    return items, next_cursor
