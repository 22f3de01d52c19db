"""The one atomic writer: a 0600 file that appears under its name only when complete.

On Linux the data goes to an unnamed `O_TMPFILE` inode in the destination directory, so a crash or
SIGKILL leaves nothing on disk at all; `commit()` links it in under its final name. Where the filesystem
lacks `O_TMPFILE`, a hidden file named by `storage.leftovers` (who made it) is used instead, and
`sweep_leftovers(directory, PARTIAL_PREFIX)` removes the ones whose writer is gone.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from frigate_privacy.errors import InputError, OutputPathError, StorageError, StorageFullError
from frigate_privacy.storage.leftovers import leftover_name

__all__ = ["PARTIAL_PREFIX", "AtomicFile", "path_of_open_file", "storage_error"]

PARTIAL_PREFIX = ".frigate-privacy-partial-"
"""Name prefix of a named temporary file (the fallback without O_TMPFILE); the owner tag follows."""

# errno values that mean "no room": a full disk, a quota, or the RLIMIT_FSIZE cap.
_NO_ROOM = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
_BUFFER = 1 << 20


def storage_error(err: OSError, path: Path | str) -> StorageError:
    """Turn an OSError from writing `path` into a user-facing error."""
    if err.errno in _NO_ROOM:
        return StorageFullError(
            f"not enough space to write {path} ({err.strerror or 'no space left'}); the partial file was removed"
        )
    return StorageError(f"cannot write {path}: {err.strerror or err}; the partial file was removed")


def path_of_open_file(fd: int, fallback: Path) -> str:
    """A path naming the inode behind `fd` (Linux /proc/self/fd), else `fallback`'s name.

    Native code that only takes paths then opens exactly the file we checked or created, even if
    the name was swapped for another file or a symlink meanwhile.
    """
    by_fd = f"/proc/self/fd/{fd}"
    return by_fd if os.path.exists(by_fd) else str(fallback)


def _check_destination(path: Path, overwrite: bool) -> Path:
    directory = path.parent
    if not directory.is_dir():
        raise OutputPathError(f"cannot write {path}: directory {directory} does not exist")
    if path.is_dir():
        raise OutputPathError(f"cannot write {path}: it is a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputPathError(f"cannot write {path}: no write permission on {directory}")
    if not overwrite and os.path.lexists(path):
        raise InputError(f"{path} already exists; refusing to overwrite it")
    return directory


def _fsync_dir(directory: Path) -> None:
    """Persist a rename or link: the directory entry lives in the directory's own data."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AtomicFile:
    """Write-only 0600 file: readers see either nothing or the complete file, never a partial one.

    Write with `write()` (buffered), or through `fd` / `reopen_path()` for native writers (PyAV,
    pyrage) — not both. `commit()` fsyncs and gives the file its name; leaving a `with` block
    without `commit()` (an exception, an early return) discards everything written. Without
    `overwrite` an existing file is never replaced, even one that appears while we write. The first
    OSError seen while writing is kept in `failure`, because callers such as a Rust encryption thread
    pass on only its text and lose the errno that tells "disk full" from other faults.
    """

    def __init__(self, path: Path, *, overwrite: bool = False) -> None:
        self.path = Path(path)
        self.overwrite = overwrite
        self.failure: OSError | None = None
        self.bytes_written = 0
        self._dir = _check_destination(self.path, overwrite)
        self.temp_path: Path | None = None  # None while the data sits in an unnamed O_TMPFILE inode
        self._fd = self._open()
        self._file: BinaryIO = os.fdopen(self._fd, "wb", buffering=_BUFFER, closefd=False)
        self.closed = False

    def _open(self) -> int:
        tmpfile = getattr(os, "O_TMPFILE", 0)
        if tmpfile and Path("/proc/self/fd").is_dir():
            try:
                return os.open(self._dir, tmpfile | os.O_WRONLY | os.O_CLOEXEC, 0o600)
            except OSError as err:
                if err.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
                    raise OutputPathError(f"cannot write {self.path}: {err.strerror}") from None
        self.temp_path = self._dir / leftover_name(PARTIAL_PREFIX)
        try:
            return os.open(self.temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except OSError as err:
            raise OutputPathError(f"cannot write {self.path}: {err.strerror}") from None

    @property
    def fd(self) -> int:
        """The open descriptor of the temporary file, for writers that take one."""
        return self._fd

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Append bytes; an OSError is remembered in `failure` and raised again."""
        try:
            n = self._file.write(data)
        except OSError as err:
            self.failure = self.failure or err
            raise
        self.bytes_written += n
        return n

    def flush(self) -> None:
        """Flush Python's buffer to the kernel."""
        try:
            self._file.flush()
        except OSError as err:
            self.failure = self.failure or err
            raise

    def writable(self) -> bool:
        """Always true: this is a write-only file."""
        return True

    def reopen_path(self) -> str:
        """A path that opens this very temporary file, for native code that writes by name.

        /proc/self/fd/N names the inode we created, so a name swapped in meanwhile is never written.
        """
        self.flush()
        return path_of_open_file(self._fd, self.temp_path or self.path)

    def _link_in(self) -> None:
        """Give the data its final name: link (never clobbers) or link-then-replace (overwrite)."""
        if self.temp_path is None:
            # The unnamed inode gets a name by linkat(AT_SYMLINK_FOLLOW) on its /proc link; passing dir
            # fds makes CPython use linkat, plain link(2) would fail with EXDEV.
            name = leftover_name(PARTIAL_PREFIX) if self.overwrite else self.path.name
            dir_fd = os.open(self._dir, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.link(f"/proc/self/fd/{self._fd}", name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            finally:
                os.close(dir_fd)
            if not self.overwrite:
                return
            self.temp_path = self._dir / name
        if self.overwrite:
            os.replace(self.temp_path, self.path)
        else:
            os.link(self.temp_path, self.path)  # fails if the target appeared meanwhile
            os.unlink(self.temp_path)
        self.temp_path = None

    def commit(self) -> Path:
        """Make the file durable and visible under its final name."""
        try:
            self._file.flush()
            os.fsync(self._fd)
            self._link_in()
            self._close()
            _fsync_dir(self._dir)
        except FileExistsError:
            self.discard()
            raise InputError(f"{self.path} already exists; refusing to overwrite it") from None
        except OSError as err:
            self.discard()
            raise storage_error(self.failure or err, self.path) from None
        return self.path

    def discard(self) -> None:
        """Close and delete the temporary file; safe to call more than once."""
        self._close()
        if self.temp_path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.temp_path)
            self.temp_path = None

    def _close(self) -> None:
        if not self.closed:
            with contextlib.suppress(OSError):
                self._file.close()
            os.close(self._fd)
            self.closed = True

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.discard()  # after commit() there is nothing left to discard
