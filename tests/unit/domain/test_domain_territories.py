"""The territory entity: its own parent refused, the level label and the reps
normalised on build and on set, and the move check against a path to the root."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from fieldedge.domain.territories import MAX_REPS, Territory, check_move
from fieldedge.errors import ValidationFailed

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def territory(**fields: object) -> Territory:
    values: dict[str, object] = {"id": uuid4(), "company_id": uuid4(), "name": "West"}
    return Territory(**{**values, "created_at": NOW, "updated_at": NOW, **fields})


def test_a_territory_is_never_its_own_parent_on_build_or_on_set() -> None:
    made = territory()
    with pytest.raises(ValidationFailed) as refused:
        territory(id=made.id, parent_id=made.id)
    assert list(refused.value.details) == ["parentId"]
    with pytest.raises(ValidationFailed):
        made.parent_id = made.id
    assert made.parent_id is None  # a refused change leaves it as it was


def test_the_level_is_trimmed_and_lower_cased_and_never_blank() -> None:
    assert territory(kind="  Sales   Region ").kind == "sales region"
    assert territory().kind == "territory"
    for bad in ("", "   ", "x" * 41):
        with pytest.raises(ValidationFailed) as refused:
            territory(kind=bad)
        assert "kind" in refused.value.details


def test_reps_are_canonical_uuid_text_once_each() -> None:
    rep = uuid4()
    made = territory(rep_ids=[rep, str(rep).upper(), str(rep)])
    assert made.rep_ids == [str(rep)]
    assert made.reps == [rep]
    with pytest.raises(ValidationFailed) as refused:
        territory(rep_ids=[rep, "nope"])
    assert list(refused.value.details) == ["repIds.1"]
    with pytest.raises(ValidationFailed) as refused:
        territory(rep_ids=[uuid4() for _ in range(MAX_REPS + 1)])
    assert list(refused.value.details) == ["repIds"]


def test_a_move_whose_parent_path_holds_the_territory_is_refused() -> None:
    moved, parent, grand = uuid4(), uuid4(), uuid4()
    check_move(moved, [parent, grand])  # elsewhere in the tree: fine
    for path in ([moved], [parent, moved], [parent, grand, moved]):
        with pytest.raises(ValidationFailed) as refused:
            check_move(moved, path)
        assert list(refused.value.details) == ["parentId"]
