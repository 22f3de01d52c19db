"""A bounded in-memory pipe between a producer thread and a pyrage thread."""

from __future__ import annotations

import threading
from collections import deque

__all__ = ["ChunkPipe"]


class ChunkPipe:
    """Bounded FIFO of byte chunks: `put` blocks while full, `read` blocks while empty.

    It replaces an OS pipe because pyrage holds the GIL while it encrypts: with a kernel pipe the
    two threads swapped the GIL every 8 KiB read, while here each side runs for a whole buffer
    (waiting on the condition releases the GIL), which is several times faster.
    """

    def __init__(self, limit: int = 8 << 20) -> None:
        self._chunks: deque[memoryview] = deque()
        self._buffered = 0
        self._limit = limit
        self._eof = False
        self._reader_gone = False
        self._cond = threading.Condition()

    def put(self, data: bytes) -> None:
        """Queue a chunk; raises BrokenPipeError when the reader has stopped."""
        with self._cond:
            while self._buffered >= self._limit and not self._reader_gone:
                self._cond.wait()
            if self._reader_gone:
                raise BrokenPipeError("the encryption thread stopped")
            self._chunks.append(memoryview(data))
            self._buffered += len(data)
            self._cond.notify_all()

    def close_writer(self) -> None:
        """Signal end of data."""
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def close_reader(self) -> None:
        """The reader is gone: wake a blocked writer with an error."""
        with self._cond:
            self._reader_gone = True
            self._chunks.clear()
            self._cond.notify_all()

    def readable(self) -> bool:
        """File-like: always readable."""
        return True

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes; b"" at end of data."""
        with self._cond:
            while not self._chunks and not self._eof:
                self._cond.wait()
            if not self._chunks:
                return b""
            head = self._chunks[0]
            n = len(head) if size < 0 else min(size, len(head))
            out = bytes(head[:n])
            if n == len(head):
                self._chunks.popleft()
            else:
                self._chunks[0] = head[n:]
            self._buffered -= n
            if self._buffered < self._limit:
                self._cond.notify_all()
            return out
