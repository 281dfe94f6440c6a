"""Use cases: one module per use case, one async function named as a verb."""
