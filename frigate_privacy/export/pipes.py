"""OS pipes between FFmpeg (which reads and writes `pipe:N` natively) and Python threads.

Media flows through kernel pipe buffers only: the clip from Frigate into the demuxer, and the encoded
MP4 from the muxer into the bundle. Neither ever exists as a file, and each pipe holds at most
`PIPE_BYTES` at a time, which bounds memory however long the clip is.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Callable

__all__ = ["PIPE_BYTES", "PipeThread", "open_pipe"]

PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)


def open_pipe() -> tuple[int, int]:
    """A close-on-exec pipe (read fd, write fd) with a 1 MiB buffer where the kernel allows it."""
    read_fd, write_fd = os.pipe()
    with contextlib.suppress(OSError):
        fcntl.fcntl(write_fd, _F_SETPIPE_SZ, PIPE_BYTES)
    return read_fd, write_fd


class PipeThread:
    """Runs `body` in a thread and keeps its exception for the caller to inspect."""

    def __init__(self, name: str, body: Callable[[], None]) -> None:
        self.error: BaseException | None = None
        self._body = body
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        try:
            self._body()
        except BaseException as err:  # handed to the caller's thread
            self.error = err

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def join(self) -> None:
        """Wait for the thread to end."""
        self._thread.join()


class FdWriter:
    """A minimal binary writer over a raw fd (the write end of a pipe)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, data: bytes) -> int:
        """Write everything (a pipe may take it in several parts)."""
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]
        return len(data)
