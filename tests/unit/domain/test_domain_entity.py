"""``Entity``: built, loaded or changed, a rule runs once and a refusal is the core's."""

from __future__ import annotations

from typing import Self

import pytest
from pydantic import model_validator

from fieldedge.domain.base import Entity
from fieldedge.errors import ValidationFailed

runs: list[int] = []


class Counted(Entity):
    n: int

    @model_validator(mode="after")
    def _rule(self) -> Self:
        runs.append(self.n)
        if self.n < 0:
            raise ValidationFailed(details={"n": ["Must not be negative."]})
        return self


@pytest.fixture(autouse=True)
def _fresh() -> None:
    runs.clear()


def test_each_way_in_runs_a_rule_once() -> None:
    Counted(n=1)
    Counted.load({"n": 2})
    Counted.model_validate({"n": 3})
    entity = Counted(n=4)
    entity.n = 5
    entity.apply({"n": 6})
    assert runs == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("values", "details"),
    [
        (
            {"n": "many"},
            {"n": ["Input should be a valid integer, unable to parse string as an integer"]},
        ),
        ({"n": -1}, {"n": ["Must not be negative."]}),
        ({"n": 1, "m": 2}, {"m": ["Unknown field."]}),
    ],
)
def test_a_refusal_is_validation_failed_however_the_entity_is_made(
    values: dict[str, object], details: dict[str, list[str]]
) -> None:
    with pytest.raises(ValidationFailed) as built:
        Counted(**values)
    with pytest.raises(ValidationFailed) as loaded:
        Counted.load(values)
    assert built.value.details == loaded.value.details == details
