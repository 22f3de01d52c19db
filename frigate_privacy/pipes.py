"""OS pipes between native code (FFmpeg's `pipe:N`, pyrage) and Python threads.

Media flows through kernel pipe buffers only, never through a file, and each pipe holds at most
`PIPE_BYTES` at a time, which bounds memory however long the stream is.
"""

from __future__ import annotations

import contextlib
import fcntl
import os

__all__ = ["PIPE_BYTES", "FdWriter", "open_pipe"]

PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)


def open_pipe() -> tuple[int, int]:
    """A close-on-exec pipe (read fd, write fd) with a 1 MiB buffer where the kernel allows it.

    A bigger buffer means fewer hand-overs between the producing and the consuming thread (Linux only).
    """
    read_fd, write_fd = os.pipe()
    with contextlib.suppress(OSError):
        fcntl.fcntl(write_fd, _F_SETPIPE_SZ, PIPE_BYTES)
    return read_fd, write_fd


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
