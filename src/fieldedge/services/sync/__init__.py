"""Offline sync: a device pushes its queued mutations, then pulls what changed.

``push`` applies mutations in order under the rules of ``fieldedge.domain.sync``;
``pull`` hands out a user's replica (a snapshot, then every change after a cursor). What
each synced entity means to sync (how to create, edit, delete and show it) is one
``SyncEntity`` registration (``entities``), made by the edge that knows its wire shape.
"""
