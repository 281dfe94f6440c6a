"""Schemathesis over the whole OpenAPI document, through the ASGI app, with a token of
each role, on every backend the suite has (SQLite; Postgres when its URL is set).

The budget is ``FIELDEDGE_FUZZ_EXAMPLES`` examples per role and backend (default 25, which
keeps the whole fuzz near two minutes of CI on two cores); raise it locally to dig deeper.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from reliability.fuzzing import EXAMPLES, as_a_client_sends, checks_for, record_cases


def test_every_operation_holds_its_document(
    fuzzed: Any, role: str, request: pytest.FixtureRequest
) -> None:
    schema, client, headers = fuzzed
    if role != "SUPER_ADMIN":
        schema = schema.exclude(path_regex="^/api/v1/admin/")
    strategy = st.one_of(
        schema.as_strategy(GenerationMode.POSITIVE), schema.as_strategy(GenerationMode.NEGATIVE)
    )
    cases = 0

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES * 8,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        nonlocal cases
        cases += 1
        as_a_client_sends(case)
        case.call_and_validate(session=client, headers=headers, checks=checks_for(case))

    try:
        run()
    finally:
        record_cases(request, cases)
