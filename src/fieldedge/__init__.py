"""fieldedge core: domain, services, ports and the HTTP app. Imports no driver."""

# The one place the release number lives (pyproject.toml reads it from here): asking
# importlib.metadata instead would cost every cold start ~80 ms of zipfile and email.
__version__ = "0.2.0"
