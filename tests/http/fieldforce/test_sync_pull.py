"""Sync pull over HTTP on every backend: a paged snapshot of exactly what the user may
see, every change after a cursor once, tombstones, rows leaving and entering the scope,
and cursors that are not the caller's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fieldforce.conftest import Team

PULL = "/api/v1/sync/pull"


async def pull(team: Team, who: str, cursor: str | None = None, limit: int = 500) -> dict[str, Any]:
    response = await team.post(who, PULL, {"cursor": cursor, "limit": limit})
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


async def pull_all(
    team: Team, who: str, cursor: str | None = None, limit: int = 500
) -> tuple[dict[str, dict[str, list[Any]]], str, int]:
    """Every page until ``hasMore`` is false: the changes by kind (ids), the end cursor,
    the number of pages."""
    merged: dict[str, dict[str, list[Any]]] = {}
    pages = 0
    while True:
        page = await pull(team, who, cursor, limit)
        pages += 1
        for kind, change in page["changes"].items():
            into = merged.setdefault(kind, {"upserted": [], "deleted": []})
            into["upserted"] += [row["id"] for row in change["upserted"]]
            into["deleted"] += change["deleted"]
        cursor = page["cursor"]
        if not page["hasMore"]:
            assert cursor is not None
            return merged, cursor, pages


async def test_a_snapshot_holds_exactly_what_the_user_sees_paged(team: Team) -> None:
    mine = [(await team.contact("rep_a1", name=f"Mine {i}"))["id"] for i in range(5)]
    theirs = (await team.contact("rep_a2", name="Theirs"))["id"]
    visit = (await team.check_in("rep_a1", mine[0]))["id"]
    product = (await team.product())["id"]
    hidden = (await team.product(sku="OLD-1", active=False))["id"]
    changes, cursor, pages = await pull_all(team, "rep_a1", limit=2)
    assert pages >= 4
    assert sorted(changes["contacts"]["upserted"]) == sorted(mine)
    assert theirs not in changes["contacts"]["upserted"]
    assert changes["visits"]["upserted"] == [visit]
    assert changes["products"]["upserted"] == [product]
    assert hidden not in str(changes)
    assert changes["users"]["upserted"] == [team.ids["rep_a1"]]
    # A manager's replica: the whole book, the team's work, the team.
    manager, _, _ = await pull_all(team, "mgr_a")
    assert sorted(manager["contacts"]["upserted"]) == sorted([*mine, theirs])
    assert sorted(manager["users"]["upserted"]) == sorted(
        team.ids[k] for k in ("mgr_a", "rep_a1", "rep_a2")
    )
    assert sorted(manager["products"]["upserted"]) == sorted([product, hidden])
    # Nothing changed since: the end cursor hands out nothing.
    empty, again, _ = await pull_all(team, "rep_a1", cursor)
    assert not any(c["upserted"] or c["deleted"] for c in empty.values())
    assert again


async def test_a_cursor_hands_out_each_change_once_with_tombstones(team: Team) -> None:
    kept = await team.contact("rep_a1", name="Kept")
    gone = await team.contact("rep_a1", name="Gone")
    _, cursor, _ = await pull_all(team, "rep_a1")
    await team.patch("rep_a1", f"/api/v1/contacts/{kept['id']}", {"city": "Pune"})
    assert (await team.delete("mgr_a", f"/api/v1/contacts/{gone['id']}")).status_code == 200
    fresh = await team.contact("rep_a1", name="Fresh")
    page = await pull(team, "rep_a1", cursor)
    contacts = page["changes"]["contacts"]
    assert sorted(row["id"] for row in contacts["upserted"]) == sorted([kept["id"], fresh["id"]])
    assert next(r for r in contacts["upserted"] if r["id"] == kept["id"])["city"] == "Pune"
    assert contacts["deleted"] == [gone["id"]]
    after = await pull(team, "rep_a1", page["cursor"])
    assert not any(c["upserted"] or c["deleted"] for c in after["changes"].values())


async def test_a_reassigned_contact_moves_between_replicas_with_its_visits(team: Team) -> None:
    contact = await team.contact("rep_a1", name="Moving outlet")
    visit = (await team.check_in("rep_a1", contact["id"]))["id"]
    _, old_cursor, _ = await pull_all(team, "rep_a1")
    _, new_cursor, _ = await pull_all(team, "rep_a2")
    moved = await team.patch(
        "mgr_a", f"/api/v1/contacts/{contact['id']}", {"ownerId": team.ids["rep_a2"]}
    )
    assert moved.status_code == 200
    old, _, _ = await pull_all(team, "rep_a1", old_cursor)
    assert old["contacts"]["deleted"] == [contact["id"]]
    assert old["visits"]["deleted"] == []  # rep_a1's own visit stays theirs
    new, _, _ = await pull_all(team, "rep_a2", new_cursor)
    assert new["contacts"]["upserted"] == [contact["id"]]
    assert new["visits"]["upserted"] == [visit]  # the history comes with the outlet


async def test_a_rep_moved_to_another_team_leaves_the_managers_replica(team: Team) -> None:
    contact = await team.contact("rep_a2")
    visit = (await team.check_in("rep_a2", contact["id"]))["id"]
    point = {"latitude": 18.52, "longitude": 73.85, "accuracyM": 10}
    day = await team.post("rep_a2", "/api/v1/attendance/punch-in", point)
    assert day.status_code == 201, day.text
    claim = await team.post("rep_a2", "/api/v1/expenses", {"title": "Trip"})
    assert claim.status_code == 201, claim.text
    _, a_cursor, _ = await pull_all(team, "mgr_a")
    _, b_cursor, _ = await pull_all(team, "mgr_b")
    moved = await team.patch(
        "admin", f"/api/v1/users/{team.ids['rep_a2']}", {"managerId": team.ids["mgr_b"]}
    )
    assert moved.status_code == 200, moved.text
    lost, _, _ = await pull_all(team, "mgr_a", a_cursor)
    assert lost["users"]["deleted"] == [team.ids["rep_a2"]]
    assert lost["visits"]["deleted"] == [visit]
    # Everything else that is the rep's goes with them: their days and claims too.
    assert lost["attendance"]["deleted"] == [day.json()["data"]["id"]]
    assert lost["expenses"]["deleted"] == [claim.json()["data"]["id"]]
    gained, _, _ = await pull_all(team, "mgr_b", b_cursor)
    assert team.ids["rep_a2"] in gained["users"]["upserted"]
    assert gained["visits"]["upserted"] == [visit]
    assert gained["attendance"]["upserted"] == [day.json()["data"]["id"]]


async def test_cursors_that_are_not_the_callers_are_refused(team: Team) -> None:
    _, cursor, _ = await pull_all(team, "rep_a1")
    body, sig = cursor.split(".")
    for bad in (f"{body}.{'0' * len(sig)}", "garbage", f"{body[:-4]}AAAA.{sig}", "."):
        response = await team.post("rep_a1", PULL, {"cursor": bad})
        assert response.status_code == 422, (bad, response.text)
        assert "cursor" in response.json()["error"]["details"]
    other_user = await team.post("rep_a2", PULL, {"cursor": cursor})
    assert other_user.status_code == 422


async def test_a_cursor_past_retention_needs_a_reset(team: Team) -> None:
    _, cursor, _ = await pull_all(team, "rep_a1")
    me = (await team.api.me(team.tokens["rep_a1"])).json()["data"]["user"]
    team.api.clock.advance(timedelta(days=31).total_seconds())
    team.tokens["rep_a1"] = (await team.api.tokens(me["email"]))["accessToken"]
    response = await team.post("rep_a1", PULL, {"cursor": cursor})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "RESET_REQUIRED"


async def test_bad_pull_bodies_are_422(team: Team) -> None:
    for body in ({"limit": 0}, {"limit": 501}, {"limit": "5"}, {"cursor": 5}, {"extra": 1}):
        response = await team.post("rep_a1", PULL, body)
        assert response.status_code == 422, (body, response.text)


async def test_photos_follow_their_visit(team: Team) -> None:
    contact = await team.contact("rep_a1")
    visit = await team.check_in("rep_a1", contact["id"])
    url = await team.post(
        "rep_a1", f"/api/v1/visits/{visit['id']}/photos/upload-url", {"contentType": "image/jpeg"}
    )
    assert url.status_code in (200, 201), url.text
    photo = url.json()["data"]["photoId"]
    changes, _, _ = await pull_all(team, "rep_a1")
    assert changes["photos"]["upserted"] == [photo]
    other, _, _ = await pull_all(team, "rep_a2")
    assert other["photos"]["upserted"] == []
