"""API-key secrets: ``fe_live_`` + 32 random bytes (base64url, 43 characters).

The first ``PREFIX_LENGTH`` characters of the random part name the key (stored in the
clear, an index to find the row); the whole secret is stored only as HMAC-SHA256 under a
server key. A slow password hash (bcrypt, argon2) exists to make guessing a *human*
password expensive; a 256-bit random secret cannot be guessed at any hashing speed, so a
fast keyed hash loses nothing and keeps every request's check to microseconds. The
server key means a leaked table alone does not let anyone test candidate secrets.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from fieldedge.domain.api_keys import PREFIX_LENGTH

MARK = "fe_live_"
_SHAPE = re.compile(r"fe_live_[A-Za-z0-9_-]{43}")
# Domain separation: the JWT secret signs tokens; this derived key only hashes key secrets.
_PURPOSE = b"fieldedge api-key hash v1"


@dataclass(frozen=True, slots=True)
class NewSecret:
    secret: str  # shown to the ADMIN once, never stored
    prefix: str
    hash: str


def looks_like_key(credential: str) -> bool:
    return credential.startswith(MARK)


def prefix_of(secret: str) -> str | None:
    """The lookup prefix of a well-formed secret (None: not one of ours)."""
    if _SHAPE.fullmatch(secret) is None:
        return None
    return secret[len(MARK) : len(MARK) + PREFIX_LENGTH]


def _server_key(server_secret: str) -> bytes:
    return hmac.new(server_secret.encode(), _PURPOSE, hashlib.sha256).digest()


def hash_secret(secret: str, server_secret: str) -> str:
    return hmac.new(_server_key(server_secret), secret.encode(), hashlib.sha256).hexdigest()


def matches(secret: str, stored_hash: str, server_secret: str) -> bool:
    return hmac.compare_digest(hash_secret(secret, server_secret), stored_hash)


def new_secret(server_secret: str) -> NewSecret:
    random_part = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    secret = MARK + random_part
    return NewSecret(secret, random_part[:PREFIX_LENGTH], hash_secret(secret, server_secret))
