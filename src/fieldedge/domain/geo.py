"""Distances on the Earth and the coordinate rules every GPS input passes.

Haversine on a sphere of the mean Earth radius is within ~0.5 % of the ellipsoid,
far finer than a phone's GPS; it needs no library and runs the same in SQL-free tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from fieldedge.errors import ValidationFailed

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    # min(): rounding can push ``a`` a hair above 1 for antipodal points.
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def coordinate_errors(
    latitude: float, longitude: float, *, lat_field: str = "latitude", lng_field: str = "longitude"
) -> dict[str, list[str]]:
    """Field errors for a point; (0, 0) is a phone that had no fix, not a place we visit."""
    details: dict[str, list[str]] = {}
    if not (math.isfinite(latitude) and -90 <= latitude <= 90):
        details.setdefault(lat_field, []).append("Latitude must be within -90 and 90.")
    if not (math.isfinite(longitude) and -180 <= longitude <= 180):
        details.setdefault(lng_field, []).append("Longitude must be within -180 and 180.")
    if not details and latitude == 0 and longitude == 0:
        details[lat_field] = ["(0, 0) is not a real fix; the device had no GPS position."]
    return details


def check_coordinates(latitude: float, longitude: float) -> None:
    if details := coordinate_errors(latitude, longitude):
        raise ValidationFailed(details=details)


def check_accuracy(accuracy_m: float, *, field: str = "accuracyM") -> None:
    if not (math.isfinite(accuracy_m) and accuracy_m >= 0):
        raise ValidationFailed(details={field: ["Must be 0 or more metres."]})


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """A cheap index-friendly prefilter for ``?near=``; the exact distance decides after.

    ``lng_ranges`` holds two ranges when the box crosses the antimeridian.
    """

    min_lat: float
    max_lat: float
    lng_ranges: tuple[tuple[float, float], ...]

    def contains(self, latitude: float, longitude: float) -> bool:
        return self.min_lat <= latitude <= self.max_lat and any(
            lo <= longitude <= hi for lo, hi in self.lng_ranges
        )


def bounding_box(latitude: float, longitude: float, radius_m: float) -> BoundingBox:
    """The smallest lat/lng box holding every point within ``radius_m`` of the centre."""
    angular = radius_m / EARTH_RADIUS_M
    dlat = math.degrees(angular)
    min_lat, max_lat = latitude - dlat, latitude + dlat
    if min_lat <= -90 or max_lat >= 90 or angular >= math.pi / 2:
        # The circle holds a pole: every longitude is in reach.
        return BoundingBox(max(min_lat, -90.0), min(max_lat, 90.0), ((-180.0, 180.0),))
    dlng = math.degrees(math.asin(math.sin(angular) / math.cos(math.radians(latitude))))
    lo, hi = longitude - dlng, longitude + dlng
    if lo < -180:
        return BoundingBox(min_lat, max_lat, ((lo + 360, 180.0), (-180.0, hi)))
    if hi > 180:
        return BoundingBox(min_lat, max_lat, ((lo, 180.0), (-180.0, hi - 360)))
    return BoundingBox(min_lat, max_lat, ((lo, hi),))


MAX_NEAR_RADIUS_KM = 500.0


def parse_near(near: str, radius_km: float) -> tuple[float, float, float]:
    """``?near=lat,lng&radiusKm=`` as (lat, lng, radius in metres), or a 422."""
    parts = near.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        lat, lng = float(parts[0]), float(parts[1])
    except ValueError:
        raise ValidationFailed(details={"near": ["Expected 'lat,lng'."]}) from None
    if details := coordinate_errors(lat, lng, lat_field="near", lng_field="near"):
        raise ValidationFailed(details=details)
    if not (math.isfinite(radius_km) and 0 < radius_km <= MAX_NEAR_RADIUS_KM):
        raise ValidationFailed(
            details={"radiusKm": [f"Must be above 0 and at most {MAX_NEAR_RADIUS_KM:g}."]}
        )
    return lat, lng, radius_km * 1000
