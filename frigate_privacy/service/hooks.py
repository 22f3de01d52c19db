"""Hand Frigate's snapshots to the components that want them, off paho's network thread, newest first."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from frigate_privacy.frigate.models import SnapshotImage

__all__ = ["SnapshotArrival", "SnapshotCallback", "SnapshotQueue"]

logger = logging.getLogger(__name__)

# Retained snapshots only matter as the latest one per camera and label; this bounds the waiting ones.
_MAX_KEYS = 1024


@dataclass(frozen=True)
class SnapshotArrival:
    """A Frigate snapshot and when it reached us (monotonic clock, for latency accounting)."""

    image: SnapshotImage
    received: float


SnapshotCallback = Callable[[SnapshotArrival], None]
"""Runs on the snapshot worker thread; may take as long as redaction takes."""


class SnapshotQueue:
    """One worker thread; per camera and label only the newest waiting snapshot is kept (it supersedes older).

    Memory stays bounded however fast Frigate publishes: at most one JPEG per camera/label waits.
    """

    def __init__(self, stopping: threading.Event) -> None:
        self._stopping = stopping
        self._cond = threading.Condition()
        self._waiting: OrderedDict[tuple[str, str], SnapshotArrival] = OrderedDict()
        self._callbacks: list[SnapshotCallback] = []
        self._thread: threading.Thread | None = None
        self._busy = False
        self.received = 0
        self.superseded = 0
        self.handled = 0

    def add_callback(self, callback: SnapshotCallback) -> None:
        """Call `callback(arrival)` for every snapshot that is not superseded while waiting."""
        self._callbacks.append(callback)

    def put(self, image: SnapshotImage) -> None:
        """Queue a snapshot (network thread; returns at once)."""
        key = (image.camera, image.label)
        with self._cond:
            self.received += 1
            if key in self._waiting:
                self.superseded += 1
                del self._waiting[key]
            elif len(self._waiting) >= _MAX_KEYS:
                self._waiting.popitem(last=False)
                self.superseded += 1
            self._waiting[key] = SnapshotArrival(image, time.monotonic())
            self._cond.notify()

    def start(self) -> None:
        """Start the worker thread."""
        self._thread = threading.Thread(target=self._loop, name="snapshots", daemon=True)
        self._thread.start()

    def stop(self, timeout: float) -> None:
        """Wake the worker, let it finish the snapshot in hand within `timeout`, drop the rest."""
        with self._cond:
            self._waiting.clear()
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def idle(self) -> bool:
        """Nothing waiting and nothing in hand."""
        with self._cond:
            return not self._waiting and not self._busy

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._waiting and not self._stopping.is_set():
                    self._cond.wait(0.5)
                if self._stopping.is_set():
                    return
                _, arrival = self._waiting.popitem(last=False)
                self._busy = True
            try:
                for callback in self._callbacks:
                    try:
                        callback(arrival)
                    except Exception:
                        logger.exception("snapshot handler failed on %s/%s", arrival.image.camera, arrival.image.label)
            finally:
                with self._cond:
                    self._busy = False
                    self.handled += 1
