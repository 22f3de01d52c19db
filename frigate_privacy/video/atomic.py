"""Output files that appear only when complete: written under a temporary name, fsynced, then renamed.

On Linux the data first goes to an unnamed `O_TMPFILE` inode in the destination directory, so a crash
or SIGKILL leaves nothing on disk at all. Where the filesystem lacks `O_TMPFILE`, a hidden 0600 file
with a recognisable prefix and the writer's PID is used instead, and `sweep_stale_partials` removes the
ones whose writer is gone.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import time
from pathlib import Path
from types import TracebackType

from frigate_privacy.video.errors import OutputPathError

__all__ = ["PARTIAL_PREFIX", "AtomicOutput", "sweep_stale_partials"]

logger = logging.getLogger(__name__)

PARTIAL_PREFIX = ".frigate-privacy-partial-"
"""Name prefix of every temporary output file; followed by the writer's PID."""

# Files with our own PID but older than this moment were left by an earlier process that had the same
# PID (common in containers, where the service often runs as the same small PID after a restart).
_STARTED_AT = time.time()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def sweep_stale_partials(directory: Path) -> list[Path]:
    """Delete temporary outputs in `directory` left by processes that no longer run; return them."""
    removed: list[Path] = []
    try:
        entries = list(directory.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(PARTIAL_PREFIX):
            continue
        pid_text = entry.name[len(PARTIAL_PREFIX) :].split("-", 1)[0]
        if not pid_text.isdigit():
            continue
        pid = int(pid_text)
        try:
            mtime = entry.lstat().st_mtime
        except OSError:
            continue
        stale = not _pid_alive(pid) or (pid == os.getpid() and mtime < _STARTED_AT)
        if stale:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
            logger.info("removed stale partial output %s", entry)
            removed.append(entry)
    return removed


def _check_destination(dest: Path) -> Path:
    directory = dest.parent
    if not directory.is_dir():
        raise OutputPathError(f"cannot write {dest}: directory {directory} does not exist")
    if dest.is_dir():
        raise OutputPathError(f"cannot write {dest}: it is a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputPathError(f"cannot write {dest}: no write permission on {directory}")
    return directory


class AtomicOutput:
    """A 0600 file that becomes `dest` on `commit()` and vanishes on any failure.

    Use as a context manager; leaving the block without `commit()` (an exception, KeyboardInterrupt)
    discards everything written.
    """

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self._dir = _check_destination(dest)
        self._named: Path | None = None
        self._fd = self._open()

    def _open(self) -> int:
        tmpfile = getattr(os, "O_TMPFILE", 0)
        if tmpfile and Path("/proc/self/fd").is_dir():
            try:
                return os.open(self._dir, tmpfile | os.O_RDWR | os.O_CLOEXEC, 0o600)
            except OSError as err:
                if err.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
                    raise OutputPathError(f"cannot write {self.dest}: {err.strerror}") from None
        self._named = self._dir / f"{PARTIAL_PREFIX}{os.getpid()}-{secrets.token_hex(6)}"
        try:
            return os.open(self._named, os.O_CREAT | os.O_EXCL | os.O_RDWR | os.O_CLOEXEC, 0o600)
        except OSError as err:
            raise OutputPathError(f"cannot write {self.dest}: {err.strerror}") from None

    @property
    def path(self) -> str:
        """A path that opens the temporary file, for writers (such as FFmpeg) that want a name."""
        return str(self._named) if self._named is not None else f"/proc/self/fd/{self._fd}"

    @property
    def fd(self) -> int:
        """The open descriptor of the temporary file."""
        return self._fd

    def commit(self) -> None:
        """Flush to disk and give the file its final name (replacing an existing one)."""
        os.fsync(self._fd)
        if self._named is None:
            # Give the unnamed inode a hidden name first: linkat cannot replace an existing file.
            staging = self._dir / f"{PARTIAL_PREFIX}{os.getpid()}-{secrets.token_hex(6)}"
            dir_fd = os.open(self._dir, os.O_RDONLY)
            try:
                # Passing dir fds makes CPython call linkat(AT_SYMLINK_FOLLOW), which follows the
                # /proc magic link to the unnamed inode; plain link(2) would fail with EXDEV.
                os.link(f"/proc/self/fd/{self._fd}", staging.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            finally:
                os.close(dir_fd)
            self._named = staging
        try:
            os.replace(self._named, self.dest)
        except OSError as err:
            self.discard()
            raise OutputPathError(f"cannot write {self.dest}: {err.strerror}") from None
        self._named = None
        self._close()
        dir_fd = os.open(self._dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def discard(self) -> None:
        """Delete whatever was written."""
        if self._named is not None:
            with contextlib.suppress(FileNotFoundError):
                self._named.unlink()
            self._named = None
        self._close()

    def _close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> AtomicOutput:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fd >= 0:
            self.discard()
