"""Argon2id with OWASP's parameters, upgrade on verify, the policy, the dummy verify."""

from __future__ import annotations

import pytest

from fieldedge.errors import ValidationFailed
from fieldedge.services.security.passwords import PasswordHasher, PasswordPolicy


async def test_default_parameters_are_owasps_argon2id() -> None:
    hashed = await PasswordHasher().hash("correct horse battery staple")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


async def test_verify_right_and_wrong() -> None:
    hasher = PasswordHasher(memory_kib=1024, time_cost=1)
    hashed = await hasher.hash("correct horse battery staple")
    assert await hasher.verify("correct horse battery staple", hashed) == (True, None)
    assert await hasher.verify("wrong horse battery staple", hashed) == (False, None)


async def test_a_hash_under_older_parameters_verifies_and_is_upgraded() -> None:
    old = await PasswordHasher(memory_kib=1024, time_cost=1).hash("correct horse battery")
    ok, upgraded = await PasswordHasher().verify("correct horse battery", old)
    assert ok is True
    assert upgraded is not None
    assert upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


async def test_no_hash_still_costs_a_verification_and_fails() -> None:
    hasher = PasswordHasher(memory_kib=1024, time_cost=1)
    assert await hasher.verify("anything at all", None) == (False, None)
    assert await hasher.verify("anything at all", "not-a-hash") == (False, None)


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short", False),
        ("x" * 129, False),
        ("qwertyuiop", False),
        ("QWERTYUIOP", False),
        ("aaaaaaaaaaaa", False),
        ("tangerine-bicycle-42", True),
        ("x" * 128 + "", False),
    ],
)
def test_policy(password: str, ok: bool) -> None:
    policy = PasswordPolicy()
    assert (policy.problems(password) == []) is ok
    if not ok:
        with pytest.raises(ValidationFailed):
            policy.check(password)
