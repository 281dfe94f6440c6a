"""Sync's merge rules, property-based: per-field versions kept through any run of
writes, and a client's edit merged field by field against them."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fieldedge.domain.sync import merge, next_field_versions, resolved, tracked

FIELDS = ("name", "city", "notes")
VALUES = st.sampled_from(("a", "b", "c"))
# Server writes: each commit changes some fields (one version per commit).
writes = st.lists(st.dictionaries(st.sampled_from(FIELDS), VALUES, min_size=1), max_size=8)


def history(start: dict[str, Any], commits: list[dict[str, Any]]) -> tuple[
        dict[str, Any], dict[str, int], int, dict[str, int]]:  # fmt: skip
    """Replay commits from version 1 as the repositories do: the row, its stored field
    versions, its version, and (the model) the version each field last changed at."""
    row, version = dict(start), 1
    stored = next_field_versions({}, 0, tracked(row))
    last = dict.fromkeys(row, 1)
    for commit in commits:
        stored = resolved(next_field_versions(stored, version, commit), version + 1)
        version += 1
        row.update(commit)
        last.update(dict.fromkeys(commit, version))
    return row, stored, version, last


@given(writes, st.integers(1, 10), st.dictionaries(st.sampled_from(FIELDS), VALUES))
def test_merge_applies_what_nobody_changed_and_reports_the_rest(
    commits: list[dict[str, Any]], base: int, client: dict[str, Any]
) -> None:
    start = dict.fromkeys(FIELDS, "start")
    row, stored, version, last = history(start, commits)
    assert resolved(stored, version) == last  # the stored versions are the model's
    base = min(base, version)
    result = merge(row, stored, version, base, client)
    for name, value in client.items():
        if row[name] == value:
            assert name not in result.applied  # already so: nothing to do
        elif last[name] > base:  # changed on the server since the client's base
            assert name not in result.applied
            assert any(c.field == name and c.server_value == row[name] and
                       c.client_value == value for c in result.conflicts)  # fmt: skip
        else:
            assert result.applied[name] == value
    assert set(result.applied).isdisjoint(c.field for c in result.conflicts)


def test_a_parameter_of_the_edit_is_applied_as_given() -> None:
    result = merge({"status": "PENDING"}, {"status": 1}, 5, 1, {"reason": "duplicate"})
    assert result.applied == {"reason": "duplicate"}
    assert result.conflicts == ()


def test_a_field_with_no_record_changed_with_the_row() -> None:
    """Rows written before field versions existed: any field may have changed, so an
    edit from before the row's version is a conflict, never a silent overwrite."""
    result = merge({"city": "Pune"}, {}, 7, 3, {"city": "Nashik"})
    assert result.applied == {}
    assert [c.field for c in result.conflicts] == ["city"]
    assert merge({"city": "Pune"}, {}, 7, 7, {"city": "Nashik"}).applied == {"city": "Nashik"}
