"""The transactional outbox: events written with the change that causes them, rendered
and sent later by the dispatcher (inline after a write, from the CLI, or on a schedule)."""
