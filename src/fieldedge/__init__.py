"""fieldedge core: domain, services, ports and the HTTP app. Imports no driver."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fieldedge")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
