"""Entities and rules. No I/O, no framework."""
