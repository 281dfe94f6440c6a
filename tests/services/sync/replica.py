"""A device's replica, written as ``docs/sync.md`` tells a PWA to write one: edits are
made locally and queued; ``sync`` pushes the queue, takes the server's record for each
result that has one, then pulls every page after its cursor.

``push`` and ``pull`` are the two routes (over HTTP, or the use cases called directly),
each taking a request body and answering the response's ``data``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

Call = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
KIND = {"contact": "contacts", "visit": "visits", "order": "orders", "payment": "payments"}
BATCH = 100


@dataclass
class Replica:
    push: Call
    pull: Call
    client_id: str = field(default_factory=lambda: str(uuid4()))
    rows: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    queue: list[dict[str, Any]] = field(default_factory=list)
    cursor: str | None = None
    next_id: int = 1
    results: list[dict[str, Any]] = field(default_factory=list)  # every result seen

    def kind(self, name: str) -> dict[str, dict[str, Any]]:
        return self.rows.setdefault(name, {})

    def _queue(self, entity: str, op: str, entity_id: str, **fields: Any) -> None:
        self.queue.append({"id": self.next_id, "entity": entity, "op": op,
                           "entityId": entity_id, **fields})  # fmt: skip
        self.next_id += 1

    def create(self, entity: str, data: dict[str, Any], entity_id: str | None = None) -> str:
        row_id = entity_id or str(uuid4())
        self.kind(KIND[entity])[row_id] = {"id": row_id, **data}  # shown at once, offline
        self._queue(entity, "create", row_id, data=data)
        return row_id

    def edit(self, entity: str, row_id: str, changes: dict[str, Any]) -> None:
        row = self.kind(KIND[entity])[row_id]
        self._queue(entity, "update", row_id, baseVersion=row.get("version", 0), data=changes)
        row.update(changes)

    def delete(self, entity: str, row_id: str) -> None:
        self.kind(KIND[entity]).pop(row_id, None)
        self._queue(entity, "delete", row_id)

    async def sync(self, page: int = 500) -> None:
        while self.queue:
            batch = self.queue[:BATCH]
            data = await self.push({"clientId": self.client_id, "mutations": batch})
            for result, sent in zip(data["results"], batch, strict=True):
                self.results.append(result)
                rows = self.kind(KIND[sent["entity"]])
                if result["record"] is not None:
                    rows[result["entityId"]] = result["record"]  # the server's truth
                elif result["error"] is not None and sent["op"] != "delete":
                    rows.pop(result["entityId"], None)  # never made, or gone: drop it
            self.queue = self.queue[len(batch) :]
        while True:
            data = await self.pull({"cursor": self.cursor, "limit": page})
            for kind, change in data["changes"].items():
                rows = self.kind(kind)
                for record in change["upserted"]:
                    rows[record["id"]] = record
                for row_id in change["deleted"]:
                    rows.pop(row_id, None)
            self.cursor = data["cursor"]
            if not data["hasMore"]:
                return
