"""Schemathesis's stateful phase: sequences of calls chained by the links it infers from
the OpenAPI document (a create's ``data.id`` into the read, edit, delete and sub-resource
operations of that id), with a token of each role, on SQLite and Postgres. Where the
stateless fuzz mostly meets 404s for random ids, these reach the rows a call made: an
edit after a delete, a read after an edit, a child of a parent just made.

Every check of the stateless phase runs on every step (``fuzzing.checks_for``), including
``use_after_free`` and ``ensure_resource_availability``, which need a sequence to mean
anything. The budget is ``FIELDEDGE_FUZZ_EXAMPLES`` sequences per role and backend.

The server keeps what each sequence wrote, so a replay may draw differently (a create
that answered 201 answers 409 the second time): Hypothesis calls that ``Flaky``. As
Schemathesis's own runner does, a ``Flaky`` run with no failed check starts over with
fresh draws (bounded); a failed check is always reported, replayable or not.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.errors import Flaky

from reliability.fuzzing import EXAMPLES, as_a_client_sends, checks_for, record_cases

pytestmark = pytest.mark.slow
RESTARTS = 3


def test_call_sequences_hold_their_document(
    fuzzed: Any,
    role: str,
    request: pytest.FixtureRequest,
) -> None:
    schema, client, headers = fuzzed
    if role != "SUPER_ADMIN":
        schema = schema.exclude(path_regex="^/api/v1/admin/")
    steps = 0
    failures: list[Exception] = []

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: Any) -> None:
            nonlocal steps
            steps += 1
            as_a_client_sends(case)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"session": client, "headers": headers}

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            try:
                case.validate_response(
                    response, checks=checks_for(case), headers=headers, recorder=self.recorder
                )
            except Exception as failed:
                failures.append(failed)
                raise

    budget = settings(
        max_examples=EXAMPLES,
        stateful_step_count=6,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    try:
        for _ in range(RESTARTS):
            try:
                Sequences.run(settings=budget)
                break
            except Flaky:
                if failures:
                    raise failures[0] from None
    finally:
        record_cases(request, steps)
