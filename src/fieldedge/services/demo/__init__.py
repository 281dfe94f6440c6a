"""The demo company a developer logs in to on a fresh clone."""
