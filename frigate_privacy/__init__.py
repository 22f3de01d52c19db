"""frigate-privacy: the privacy layer for Frigate NVR and Home Assistant."""

import os
from importlib.metadata import PackageNotFoundError, version

# onnxruntime otherwise keeps a device id and a telemetry database (with model names and the executable
# path) under ~/.cache/Microsoft/DeveloperTools/.onnxruntime/. Its documented switch must be set before the
# runtime loads, and this package is always imported first; an explicit ORT_DISABLE_TELEMETRY=0 is respected.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

try:
    __version__ = version("frigate-privacy")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
