"""The garbage collector set for a long-lived server: what start-up built is frozen, and
the youngest generation is collected less often.

Python's full collections walk every tracked object; a started app holds tens of
thousands (modules, schemas, compiled statements) that live as long as the process, so
each full collection under load paused every request in flight for what it spent on
them. ``gc.freeze`` moves them out of the collector's sight for good. Requests make and
drop many short-lived containers, nearly all freed by reference counting; a first
generation of 10,000 rather than 700 collects the few cycles among them with a tenth of
the passes. Measured side by side on one core (contact list, 16 connections): p99
275 -> 150 ms, req/s +15 % with the freeze alone, the threshold adding to both; the soak
(bench/soak.py) watches that memory still stays flat.
"""

from __future__ import annotations

import gc

YOUNGEST = 10_000


def settle() -> None:
    """Call once the app is built, before it serves."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST, middle, oldest)
