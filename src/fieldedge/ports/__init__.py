"""Ports: what the core needs from the outside world, as Protocols. Adapters implement them."""

from fieldedge.ports.clock import Clock, Ids
from fieldedge.ports.database import Database, SchemaState, UnitOfWork
from fieldedge.ports.kv import KeyValue, RateWindow
from fieldedge.ports.mail import EmailMessage, Mailer
from fieldedge.ports.storage import ObjectInfo, ObjectStore, PresignedUpload, StoredObject

__all__ = [
    "Clock",
    "Database",
    "EmailMessage",
    "Ids",
    "KeyValue",
    "Mailer",
    "ObjectInfo",
    "ObjectStore",
    "PresignedUpload",
    "RateWindow",
    "SchemaState",
    "StoredObject",
    "UnitOfWork",
]
