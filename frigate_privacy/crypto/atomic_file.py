"""A 0600 file written under a temporary name and renamed into place only when complete."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from frigate_privacy.crypto.errors import CryptoError, StorageFullError
from frigate_privacy.errors import PrivacyError

__all__ = ["AtomicFile", "path_of_open_file", "storage_error"]

# errno values that mean "no room": a full disk, a quota, or the RLIMIT_FSIZE cap.
_NO_ROOM = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
_BUFFER = 1 << 20


def storage_error(err: OSError, path: Path) -> PrivacyError:
    """Turn an OSError from writing `path` into a user-facing error."""
    if err.errno in _NO_ROOM:
        return StorageFullError(
            f"not enough space to write {path} ({err.strerror or 'no space left'}); the partial file was removed"
        )
    return CryptoError(f"cannot write {path}: {err.strerror or err}; the partial file was removed")


def path_of_open_file(fd: int, fallback: Path) -> str:
    """A path naming the inode behind `fd` (Linux /proc/self/fd), else `fallback`'s name.

    Native code that only takes paths then opens exactly the file we checked or created, even if
    the name was swapped for another file or a symlink meanwhile.
    """
    by_fd = f"/proc/self/fd/{fd}"
    return by_fd if os.path.exists(by_fd) else str(fallback)


class AtomicFile:
    """Write-only binary file: readers see either nothing or the complete file, never a partial one.

    The data goes to `.<name>.<random>.part` beside the target (same filesystem, so the final
    rename is atomic), created 0600 with O_EXCL. `commit()` fsyncs and renames; `discard()` (and
    any exception inside a `with` block) deletes the temporary file. The first OSError seen while
    writing is kept in `failure`, because callers such as a Rust encryption thread only pass on
    its text and lose the errno we need to tell "disk full" from other faults.
    """

    def __init__(self, path: Path, *, overwrite: bool = False) -> None:
        self.path = Path(path)
        self.overwrite = overwrite
        self.failure: OSError | None = None
        if not overwrite and self.path.exists():
            raise PrivacyError(f"{self.path} already exists; refusing to overwrite it")
        self.temp_path = self.path.with_name(f".{self.path.name}.{secrets.token_hex(6)}.part")
        try:
            fd = os.open(self.temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except OSError as err:
            raise CryptoError(f"cannot create a file in {self.path.parent}: {err.strerror}") from None
        self._file: BinaryIO = os.fdopen(fd, "wb", buffering=_BUFFER)
        self.closed = False
        self.bytes_written = 0

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Append bytes; an OSError is remembered in `failure` and raised again."""
        try:
            n = self._file.write(data)
        except OSError as err:
            self.failure = self.failure or err
            raise
        self.bytes_written += n
        return n

    def reopen_path(self) -> str:
        """A path that opens this very temp file, for native code that writes by path.

        /proc/self/fd/N names the inode we created with O_EXCL, so a name swapped in meanwhile is
        never written.
        """
        self.flush()
        return path_of_open_file(self._file.fileno(), self.temp_path)

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

    def commit(self) -> Path:
        """Make the file durable and visible under its final name."""
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self.closed = True
            if self.overwrite:
                os.replace(self.temp_path, self.path)
            else:
                # link() fails if the target appeared meanwhile, so we never clobber a file.
                os.link(self.temp_path, self.path)
                os.unlink(self.temp_path)
            _fsync_dir(self.path.parent)
        except FileExistsError:
            self.discard()
            raise PrivacyError(f"{self.path} already exists; refusing to overwrite it") from None
        except OSError as err:
            self.discard()
            raise storage_error(self.failure or err, self.path) from None
        return self.path

    def discard(self) -> None:
        """Close and delete the temporary file; safe to call more than once."""
        if not self.closed:
            with contextlib.suppress(OSError):
                self._file.close()
            self.closed = True
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.temp_path)

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


def _fsync_dir(directory: Path) -> None:
    """Persist a rename: the directory entry lives in the directory's own data."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
