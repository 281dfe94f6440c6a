"""Access tokens (JWT, HS256 pinned) and opaque refresh tokens.

python-jose is lenient by default (it accepts a token without ``exp``, never checks that
``iat`` is not in the future, and takes the algorithm list on trust), so every check
that matters is made here explicitly, against the injected clock: the header's ``alg``
and ``typ``, every required claim, expiry and issue time with a 30 s leeway.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from fieldedge.domain.identity import Role
from fieldedge.errors import InvalidToken, TokenExpired

ALGORITHM = "HS256"
ACCESS_TYPE = "access"
REQUIRED = ("sub", "cid", "role", "iat", "exp", "iss", "aud", "jti", "typ")
REFRESH_PREFIX = "rt_"


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: UUID
    company_id: UUID | None
    role: Role
    issued_at: int
    expires_at: int
    token_id: str


@dataclass(frozen=True, slots=True)
class IssuedAccess:
    token: str
    expires_in: int


def new_refresh_token() -> str:
    return REFRESH_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Refresh and reset tokens are stored as SHA-256: high-entropy, so no salt is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


class AccessTokens:
    def __init__(
        self, *, secret: str, issuer: str, audience: str, ttl_s: int = 900, leeway_s: int = 30
    ) -> None:
        if len(secret.encode()) < 32:
            raise ValueError("the JWT secret must be at least 32 bytes")
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self.ttl_s = ttl_s
        self._leeway = leeway_s

    def issue(
        self, *, user_id: UUID, company_id: UUID | None, role: Role, now: datetime
    ) -> IssuedAccess:
        from jose import jwt

        issued = int(now.timestamp())
        claims = {
            "sub": str(user_id),
            "cid": str(company_id) if company_id else None,
            "role": role.value,
            "iat": issued,
            "exp": issued + self.ttl_s,
            "iss": self._issuer,
            "aud": self._audience,
            "jti": uuid4().hex,
            "typ": ACCESS_TYPE,
        }
        token = jwt.encode(claims, self._secret, algorithm=ALGORITHM, headers={"typ": "JWT"})
        return IssuedAccess(token=token, expires_in=self.ttl_s)

    def verify(self, token: str, *, now: datetime) -> AccessClaims:
        from jose import JWTError, jwt

        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != ALGORITHM:
                raise InvalidToken("This token's algorithm is not accepted.")
            claims: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                # Time is checked below against our clock, with our leeway.
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except JWTError:
            raise InvalidToken() from None
        return self._check(claims, int(now.timestamp()))

    def _check(self, claims: dict[str, Any], now: int) -> AccessClaims:
        missing = [name for name in REQUIRED if name not in claims]
        if missing or claims["typ"] != ACCESS_TYPE:
            raise InvalidToken()
        try:
            issued, expires = int(claims["iat"]), int(claims["exp"])
            role = Role(claims["role"])
            user_id = UUID(str(claims["sub"]))
            company_id = UUID(str(claims["cid"])) if claims["cid"] is not None else None
        except (TypeError, ValueError):
            raise InvalidToken() from None
        if (company_id is None) != (role is Role.SUPER_ADMIN):
            raise InvalidToken()
        if issued > now + self._leeway or expires <= issued:
            raise InvalidToken("This token is not valid yet.")
        if "nbf" in claims and int(claims["nbf"]) > now + self._leeway:
            raise InvalidToken("This token is not valid yet.")
        if expires + self._leeway < now:
            raise TokenExpired()
        return AccessClaims(user_id, company_id, role, issued, expires, str(claims["jti"]))
