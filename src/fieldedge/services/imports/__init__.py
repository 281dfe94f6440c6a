"""Bulk imports of products and users from CSV: read in pieces, checked row by row,
applied in batches, reported per row (see ``docs/integrations.md``)."""
