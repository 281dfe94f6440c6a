"""Entry adapters (Lambda, Cloud Run, CLI) and the composition root."""
