"""frigate-privacy: the privacy layer for Frigate NVR and Home Assistant."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("frigate-privacy")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
