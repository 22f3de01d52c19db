"""A bounded hand-over between pipeline threads that any side can abort."""

from __future__ import annotations

import queue
import threading
from typing import Generic, TypeVar

__all__ = ["Aborted", "Channel"]

T = TypeVar("T")

# How often a blocked put/get looks at the abort flag; short enough that Ctrl-C feels immediate.
_POLL_SECONDS = 0.1


class Aborted(Exception):
    """Another stage of the pipeline failed; this stage stops without doing more work."""


class Channel(Generic[T]):
    """A bounded FIFO: `put` blocks while full, `get` while empty, and both raise `Aborted` once aborted."""

    def __init__(self, maxsize: int, abort: threading.Event) -> None:
        self._queue: queue.Queue[T] = queue.Queue(maxsize=maxsize)
        self._abort = abort

    def put(self, item: T) -> None:
        """Hand one item to the consumer, waiting for room."""
        while True:
            if self._abort.is_set():
                raise Aborted
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue

    def get(self) -> T:
        """Take the next item, waiting for one."""
        while True:
            if self._abort.is_set():
                raise Aborted
            try:
                return self._queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
