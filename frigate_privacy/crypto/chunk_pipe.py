"""A bounded in-memory pipe between a producer thread and a pyrage thread."""

from __future__ import annotations

import io
import threading
from collections import deque

__all__ = ["ChunkPipe"]


class ChunkPipe(io.RawIOBase):
    """Bounded FIFO of byte chunks: `put` blocks while full, `readinto` blocks while empty.

    It replaces an OS pipe because pyrage holds the GIL while it encrypts: with a kernel pipe the
    two threads swapped the GIL every 8 KiB read, while here each side runs for a whole buffer
    (waiting on the condition releases the GIL). Wrap it in an `io.BufferedReader` before handing
    it to pyrage: pyrage reads 8 KiB at a time, and a C-level buffer serves those reads without
    running Python code or taking this pipe's lock (see docs/encryption.md).
    """

    def __init__(self, limit: int = 8 << 20) -> None:
        super().__init__()
        self._chunks: deque[memoryview] = deque()
        self._buffered = 0
        self._limit = limit
        self._eof = False
        self._reader_gone = False
        self._cond = threading.Condition()

    def put(self, data: bytes) -> None:
        """Queue a chunk, kept by reference (pass immutable bytes); BrokenPipeError once the reader stopped."""
        if not data:
            return  # an empty chunk must never read as end of data
        with self._cond:
            while self._buffered >= self._limit and not self._reader_gone:
                self._cond.wait()
            if self._reader_gone:
                raise BrokenPipeError("the encryption thread stopped")
            self._chunks.append(memoryview(data).cast("B"))
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
            self._buffered = 0
            self._cond.notify_all()

    def readable(self) -> bool:
        """File-like: always readable."""
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        """Fill `buffer` with as many queued bytes as fit (blocking only while none are queued); 0 at end of data."""
        target = memoryview(buffer).cast("B")
        with self._cond:
            while not self._chunks and not self._eof:
                self._cond.wait()
            filled = 0
            while self._chunks and filled < len(target):
                head = self._chunks[0]
                n = min(len(head), len(target) - filled)
                target[filled : filled + n] = head[:n]
                filled += n
                if n == len(head):
                    self._chunks.popleft()
                else:
                    self._chunks[0] = head[n:]
            self._buffered -= filled
            if filled:
                self._cond.notify_all()
            return filled
