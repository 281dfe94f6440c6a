"""The pull cursor: where a replica stands, opaque to the device and signed.

It names the tenant and the user it was issued to, the change-counter value the replica
has everything up to (``after``), when that point was reached (for retention), and,
inside a pull that takes several pages, the value the pull reads up to (``until``) and
where the next page resumes. A cursor that was altered, or issued to another user or
tenant, is refused; one older than the retention cannot be served (tombstones and scope
changes it would need may be gone).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from fieldedge.domain.access import Principal
from fieldedge.errors import ResetRequired, ValidationFailed

_LABEL = b"fieldedge/sync-cursor/v1"
_BAD = ValidationFailed(details={"cursor": ["Not a cursor this server gave you; pull from null."]})


def cursor_key(jwt_secret: str) -> bytes:
    """The signing key, derived from (never equal to) the JWT secret."""
    return hmac.new(jwt_secret.encode(), _LABEL, hashlib.sha256).digest()


@dataclass(slots=True)
class Position:
    company: str
    user: str
    after: int  # the replica holds every change up to this version
    reached: float  # Unix time when ``after`` was read
    snapshot: bool = False  # still handing out the first snapshot (up to ``until``)
    until: int | None = None  # inside a pull of several pages: the version it reads up to
    stage: int = 0
    key: Any = None  # where the stage resumes (an id, or [version, id])


def _sign(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()[:32]


def write(key: bytes, position: Position) -> str:
    body = base64.urlsafe_b64encode(json.dumps(asdict(position), separators=(",", ":")).encode())
    return f"{body.decode()}.{_sign(key, body)}"


def read(
    key: bytes, cursor: str, principal: Principal, *, now: datetime, retention: timedelta
) -> Position:
    body, _, sig = cursor.partition(".")
    if not body or not hmac.compare_digest(_sign(key, body.encode()), sig):
        raise _BAD
    try:
        position = Position(**json.loads(base64.urlsafe_b64decode(body.encode())))
    except (ValueError, TypeError):
        raise _BAD from None
    if position.company != str(principal.tenant) or position.user != str(principal.user_id):
        raise _BAD
    if now.timestamp() - position.reached > retention.total_seconds():
        raise ResetRequired(
            f"This cursor is older than {retention.days} days; drop the replica and pull from null."
        )
    return position
