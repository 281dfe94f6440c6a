"""Argon2id through passlib's ``CryptContext`` (the maintained ``libpass`` fork).

Hashing runs in a worker thread under a semaphore: a burst of logins queues for a slot
instead of starving the event loop or holding more than ``concurrency`` x 19 MiB at once
(a 256 MB Lambda must survive it). An unknown email is verified against a dummy hash so
it costs the same as a wrong password.
"""

from __future__ import annotations

import asyncio
import secrets
from functools import cached_property
from importlib import resources
from typing import Any

from fieldedge.errors import ValidationFailed

MIN_LENGTH = 10
MAX_LENGTH = 128


def _common_passwords() -> frozenset[str]:
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text()
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


class PasswordPolicy:
    """10 to 128 characters, not on the shipped list of common passwords."""

    @cached_property
    def common(self) -> frozenset[str]:
        return _common_passwords()

    def problems(self, password: str) -> list[str]:
        if len(password) < MIN_LENGTH:
            return [f"Use at least {MIN_LENGTH} characters."]
        if len(password) > MAX_LENGTH:
            return [f"Use at most {MAX_LENGTH} characters."]
        if password.lower() in self.common or len(set(password)) < 4:
            return ["This password is too common; choose another."]
        return []

    def check(self, password: str, field: str = "password") -> None:
        problems = self.problems(password)
        if problems:
            raise ValidationFailed(details={field: problems})


class PasswordHasher:
    def __init__(
        self,
        *,
        memory_kib: int = 19_456,
        time_cost: int = 2,
        parallelism: int = 1,
        concurrency: int = 2,
    ) -> None:
        self._params = {"memory_cost": memory_kib, "rounds": time_cost, "parallelism": parallelism}
        self._concurrency = concurrency
        self._semaphore: asyncio.Semaphore | None = None
        self._dummy: str | None = None

    @cached_property
    def _context(self) -> Any:
        # Imported on first use: argon2's C extension is not paid for at cold start.
        from passlib.context import CryptContext

        return CryptContext(
            schemes=["argon2"],
            argon2__type="ID",
            argon2__memory_cost=self._params["memory_cost"],
            argon2__rounds=self._params["rounds"],
            argon2__parallelism=self._params["parallelism"],
        )

    async def _run(self, fn: Any, *args: Any) -> Any:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self._concurrency)
        async with self._semaphore:
            return await asyncio.to_thread(fn, *args)

    async def hash(self, password: str) -> str:
        return str(await self._run(self._context.hash, password))

    async def verify(self, password: str, hashed: str | None) -> tuple[bool, str | None]:
        """``(ok, new_hash)``: ``new_hash`` is set when the stored hash used older
        parameters and should be replaced. ``hashed=None`` (no such user, or no
        password yet) costs a full verification against a dummy and returns False."""
        if hashed is None:
            if self._dummy is None:
                self._dummy = await self.hash(secrets.token_urlsafe(16))
            await self._run(self._context.verify, password, self._dummy)
            return False, None
        try:
            ok, new_hash = await self._run(self._context.verify_and_update, password, hashed)
        except ValueError:  # not a hash this context knows: treat as a wrong password
            return False, None
        return bool(ok), new_hash
