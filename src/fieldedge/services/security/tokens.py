"""Access tokens (JWT, HS256 pinned) and opaque refresh tokens.

python-jose is lenient by default (it accepts a token without ``exp``, never checks that
``iat`` is not in the future, and takes the algorithm list on trust), so every check
that matters is made here explicitly, against the injected clock: the header's ``alg``
and ``typ``, every required claim, expiry and issue time with a 30 s leeway. The HMAC
key object is built once (``jwt.decode`` would rebuild it for every token, most of
its cost); the signature is checked with ``jws.verify`` and the claims parsed here.
A token that passed those checks is remembered (``VERIFIED_CACHE`` of them, oldest
forgotten first): a client sends the same token for up to 15 minutes, and parsing and
checking it again cost more than the rest of the authentication. Only the time checks run
again; a forged or altered token never enters the cache, since it never verifies.

Beyond the registered claims a token carries ``sid``, the session (refresh-token
family) it was minted for, so a logout ends exactly that session on the next request,
and ``iat_us``, its issue time in microseconds, so a revocation at a given instant
refuses tokens minted a moment before it even within the same second.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from fieldedge.domain.identity import Role
from fieldedge.errors import InvalidToken, TokenExpired

ALGORITHM = "HS256"
ACCESS_TYPE = "access"
REQUIRED = ("sub", "cid", "role", "sid", "iat", "iat_us", "exp", "iss", "aud", "jti", "typ")
REFRESH_PREFIX = "rt_"
VERIFIED_CACHE = 4096
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: UUID
    company_id: UUID | None
    role: Role
    session_id: UUID
    issued_at: int
    issued_at_us: int
    expires_at: int
    token_id: str
    not_before: int | None = None


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
        self._key: Any = None  # jose's HMAC key, made on first use
        self._issuer = issuer
        self._audience = audience
        self.ttl_s = ttl_s
        self._leeway = leeway_s
        self._verified: dict[str, AccessClaims] = {}

    def issue(
        self,
        *,
        user_id: UUID,
        company_id: UUID | None,
        role: Role,
        session_id: UUID,
        now: datetime,
    ) -> IssuedAccess:
        from jose import jwt

        issued = int(now.timestamp())
        claims = {
            "sub": str(user_id),
            "cid": str(company_id) if company_id else None,
            "role": role.value,
            "sid": str(session_id),
            "iat": issued,
            "iat_us": microseconds(now),
            "exp": issued + self.ttl_s,
            "iss": self._issuer,
            "aud": self._audience,
            "jti": uuid4().hex,
            "typ": ACCESS_TYPE,
        }
        token = jwt.encode(claims, self._secret, algorithm=ALGORITHM, headers={"typ": "JWT"})
        return IssuedAccess(token=token, expires_in=self.ttl_s)

    def verify(self, token: str, *, now: datetime) -> AccessClaims:
        at = int(now.timestamp())
        if (known := self._verified.get(token)) is None:
            known = self._verify(token)
            if len(self._verified) >= VERIFIED_CACHE:
                del self._verified[next(iter(self._verified))]
            self._verified[token] = known
        return self._in_time(known, at)

    def _verify(self, token: str) -> AccessClaims:
        """The token's claims, once its signature, header and claims are proven good."""
        from jose import JWSError, jwk, jws

        if self._key is None:
            self._key = jwk.construct(self._secret, ALGORITHM)
        try:
            header = jws.get_unverified_header(token)
            if header.get("alg") != ALGORITHM:
                raise InvalidToken("This token's algorithm is not accepted.")
            payload = jws.verify(token, self._key, algorithms=[ALGORITHM])
            claims = json.loads(payload)
        except (JWSError, ValueError, UnicodeDecodeError):
            raise InvalidToken() from None
        if not isinstance(claims, dict):
            raise InvalidToken()
        if claims.get("iss") != self._issuer or claims.get("aud") != self._audience:
            raise InvalidToken()
        return self._claims(claims)

    def _claims(self, claims: dict[str, Any]) -> AccessClaims:
        missing = [name for name in REQUIRED if name not in claims]
        if missing or claims["typ"] != ACCESS_TYPE:
            raise InvalidToken()
        try:
            issued, expires = _int(claims["iat"]), _int(claims["exp"])
            issued_us = _int(claims["iat_us"])
            role = Role(claims["role"])
            user_id = UUID(str(claims["sub"]))
            session_id = UUID(str(claims["sid"]))
            company_id = UUID(str(claims["cid"])) if claims["cid"] is not None else None
        except (TypeError, ValueError):
            raise InvalidToken() from None
        if (company_id is None) != (role is Role.SUPER_ADMIN):
            raise InvalidToken()
        not_before = claims.get("nbf")
        if expires <= issued or ("nbf" in claims and type(not_before) is not int):
            raise InvalidToken("This token is not valid yet.")
        return AccessClaims(
            user_id,
            company_id,
            role,
            session_id,
            issued,
            issued_us,
            expires,
            str(claims["jti"]),
            not_before,
        )

    def _in_time(self, claims: AccessClaims, now: int) -> AccessClaims:
        early = claims.issued_at > now + self._leeway
        if early or (claims.not_before is not None and claims.not_before > now + self._leeway):
            raise InvalidToken("This token is not valid yet.")
        if claims.expires_at + self._leeway < now:
            raise TokenExpired()
        return claims


def _int(value: object) -> int:
    """A whole-number claim; a bool, float or string is no NumericDate of ours."""
    if type(value) is not int:
        raise TypeError("not an integer claim")
    return value


def microseconds(at: datetime) -> int:
    """``at`` as whole microseconds since the epoch (exact: no float in between)."""
    delta = at - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
