"""Cache-aside for catalogue lists in the KV, invalidated by a version, not deletes.

The tenant's catalogue version lives at ``fe:{companyId}:products:ver``; each cached page
sits under ``fe:{companyId}:products:v{version}:{query}``. A product write sets a new,
never-used version after its commit, so every process, on its next read, looks under
the new version and never sees a page cached before the write; old pages age out.

A version is unique (time and randomness), not a counter, and carries a TTL longer
than any page's: if the KV evicts or loses it, the next reader makes a new one rather
than starting again at a number whose old pages may still be cached.

A reader takes the version *before* reading the database: a page filled from a read
that raced a write lands under the old version, which nobody reads any more.

The KV is a cache, never a dependency: when it is down a read falls through to the
database and a write's invalidation is skipped with a warning. Pages carry ``TTL_S``, so
even a lost invalidation is stale for at most that long. Pages are stored as JSON text
(the Upstash adapter stores UTF-8 only), the rows as the API serialises them.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import structlog

from fieldedge import wire
from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.kv import KeyValue
from fieldedge.ports.records import Record
from fieldedge.services.pagination import Page

log = structlog.get_logger("fieldedge.catalogue")

TTL_S = 300.0
VERSION_TTL_S = 86_400.0


def version_key(company_id: UUID) -> str:
    return f"fe:{company_id}:products:ver"


def page_key(company_id: UUID, version: str, query: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(query, sort_keys=True).encode()).hexdigest()[:32]
    return f"fe:{company_id}:products:v{version}:{digest}"


def new_version() -> str:
    return f"{time.time_ns():x}{secrets.token_hex(4)}"


def _dump(page: Page[Record]) -> bytes:
    return wire.dumps({"items": list(page.items), "limit": page.limit, "next": page.next_cursor})


def _load(raw: bytes) -> Page[Record]:
    body = wire.loads(raw)
    return Page(items=body["items"], limit=body["limit"], next_cursor=body["next"])


async def _version(kv: KeyValue, company_id: UUID) -> str:
    raw = await kv.get(version_key(company_id))
    if raw:
        return raw.decode()
    fresh = new_version()
    if await kv.set(version_key(company_id), fresh.encode(), ttl_s=VERSION_TTL_S, nx=True):
        return fresh
    raw = await kv.get(version_key(company_id))  # another reader made one first
    return raw.decode() if raw else fresh


async def cached_page(
    kv: KeyValue,
    company_id: UUID,
    query: dict[str, Any],
    load: Callable[[], Awaitable[Page[Record]]],
) -> Page[Record]:
    """The page for ``query`` from the cache, or from ``load()`` (then cached)."""
    try:
        key = page_key(company_id, await _version(kv, company_id), query)
        hit = await kv.get(key)
    except DependencyUnavailable:
        log.warning("catalogue.cache_unavailable", kv=kv.name, step="read")
        return await load()
    if hit is not None:
        return _load(hit)
    page = await load()
    try:
        await kv.set(key, _dump(page), ttl_s=TTL_S)
    except DependencyUnavailable:
        log.warning("catalogue.cache_unavailable", kv=kv.name, step="fill")
    return page


async def invalidate(kv: KeyValue, company_id: UUID) -> None:
    """Move the tenant to a new catalogue version (call after the write committed)."""
    try:
        await kv.set(version_key(company_id), new_version().encode(), ttl_s=VERSION_TTL_S)
    except DependencyUnavailable:
        log.warning("catalogue.invalidate_skipped", kv=kv.name, company_id=str(company_id))
