"""The container of ports the composition root builds and every use case receives."""

from __future__ import annotations

from dataclasses import dataclass

from fieldedge.ports.clock import Clock, Ids
from fieldedge.ports.database import Database
from fieldedge.ports.kv import KeyValue
from fieldedge.ports.mail import Mailer
from fieldedge.ports.storage import ObjectStore
from fieldedge.settings import Settings


@dataclass(frozen=True, slots=True)
class Deps:
    settings: Settings
    db: Database
    kv: KeyValue
    storage: ObjectStore
    mailer: Mailer
    clock: Clock
    ids: Ids
