"""Adapters: one small package per technology, each importing its driver only when chosen."""
