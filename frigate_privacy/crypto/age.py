"""age encryption on byte streams through pyrage: plaintext never touches the disk.

Two modes per file, as the age format requires (an scrypt stanza must be a file's only stanza):
- **recipients**: X25519 public keys, streamed with bounded memory (pyrage's `encrypt_io` pulls
  plaintext from a bounded in-memory ChunkPipe that our writer pushes into from the producer's thread);
- **passphrase**: pyrage only offers a bytes-in/bytes-out API for scrypt, so this mode holds the
  plaintext in memory and refuses inputs above `PASSPHRASE_MAX_BYTES` (see docs/encryption.md).
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol

import pyrage
from pyrage import passphrase as age_passphrase
from pyrage import x25519

from frigate_privacy.background import BackgroundTask
from frigate_privacy.crypto.age_header import MAX_HEADER_BYTES, AgeHeaderInfo, parse_header_info, read_header_prefix
from frigate_privacy.crypto.chunk_pipe import ChunkPipe
from frigate_privacy.crypto.errors import (
    CorruptCiphertextError,
    CryptoError,
    EncryptionModeError,
    NotAnAgeFileError,
    PassphraseSizeError,
    WorkFactorError,
    WrongKeyError,
    WrongPassphraseError,
)
from frigate_privacy.errors import PrivacyError
from frigate_privacy.pipes import open_pipe
from frigate_privacy.storage.atomic import AtomicFile, path_of_open_file, storage_error

__all__ = [
    "PASSPHRASE_MAX_BYTES",
    "DecryptingReader",
    "EncryptingWriter",
    "decrypt_file",
    "decrypt_stream",
    "encrypt_file",
]

# Passphrase mode keeps plaintext and ciphertext in RAM at once (about twice this at peak).
PASSPHRASE_MAX_BYTES = 256 * 1024 * 1024
_COPY_CHUNK = 1 << 20
# How much plaintext the encryptor takes from the ChunkPipe at a time (measured in docs/encryption.md).
_READ_BUFFER = 1 << 20


class _Writable(Protocol):
    def write(self, data: bytes, /) -> int | None: ...


def _check_encrypt_mode(recipients: Sequence[x25519.Recipient], passphrase: str | None) -> None:
    if passphrase is not None and recipients:
        raise EncryptionModeError(
            "an age file is protected either by a passphrase or by public-key recipients, not both "
            "(the age format allows a passphrase only as a file's sole recipient); choose one"
        )
    if passphrase is None and not recipients:
        raise EncryptionModeError("no recipient and no passphrase given: nothing to encrypt to")
    if passphrase == "":
        raise EncryptionModeError("the passphrase is empty")


def _check_decrypt_mode(identities: Sequence[x25519.Identity], passphrase: str | None) -> None:
    if passphrase is not None and identities:
        raise EncryptionModeError("give either identities or a passphrase to decrypt, not both")
    if passphrase is None and not identities:
        raise EncryptionModeError("no identity and no passphrase given: cannot decrypt")


def _encrypt_from_pipe(pipe: ChunkPipe, sink: AtomicFile, recipients: list[x25519.Recipient]) -> None:
    # pyrage asks for 8 KiB per read; BufferedReader answers those in C, and only once per
    # _READ_BUFFER does Python code (ChunkPipe.readinto) run and the producer get a turn.
    source = io.BufferedReader(pipe, buffer_size=_READ_BUFFER)
    try:
        pyrage.encrypt_io(source, sink, recipients)  # an exception reaches the producer in write()/close()
    finally:
        # Makes a producer blocked in write() fail instead of hanging.
        pipe.close_reader()


class EncryptingWriter:
    """File-like sink: write plaintext, and an age file appears at `path` when `close()` succeeds.

    Ciphertext goes to a 0600 temporary file beside `path`; `close()` renames it into place,
    `abort()` (or an exception inside `with`) deletes it. Memory stays bounded in recipient mode.
    """

    def __init__(
        self,
        path: Path,
        *,
        recipients: Sequence[x25519.Recipient] = (),
        passphrase: str | None = None,
        overwrite: bool = False,
        passphrase_max_bytes: int = PASSPHRASE_MAX_BYTES,
    ) -> None:
        _check_encrypt_mode(recipients, passphrase)
        self.path = Path(path)
        self._passphrase = passphrase
        self._max_bytes = passphrase_max_bytes
        self._chunks: list[bytes] = []
        self._position = 0
        self._finished = False
        self._sink = AtomicFile(self.path, overwrite=overwrite)
        self._pipe: ChunkPipe | None = None
        self._thread: BackgroundTask | None = None
        if passphrase is None:
            self._pipe = ChunkPipe()
            # The thread must not reference `self`, so that a writer dropped unclosed is collected
            # and its __del__ aborts it.
            self._thread = BackgroundTask(
                "age-encrypt", functools.partial(_encrypt_from_pipe, self._pipe, self._sink, list(recipients))
            )
            self._thread.start()

    def writable(self) -> bool:
        """Always true."""
        return True

    def tell(self) -> int:
        """Plaintext bytes written so far (lets zipfile and tarfile compute offsets)."""
        return self._position

    def flush(self) -> None:
        """Nothing to do: data is handed on at once."""

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Encrypt a chunk of plaintext."""
        if self._finished:
            raise ValueError("write to a closed EncryptingWriter")
        view = memoryview(data).cast("B")
        size = view.nbytes
        if not size:
            return 0  # zipfile writes empty chunks; they carry nothing
        if self._pipe is None:
            if self._position + size > self._max_bytes:
                self.abort()
                raise PassphraseSizeError(
                    f"passphrase mode holds the whole file in memory and is limited to "
                    f"{self._max_bytes // (1024 * 1024)} MiB; encrypt larger exports to an age public key "
                    f"(`frigate-privacy keys generate-recipient`) instead"
                )
            self._chunks.append(bytes(view))
        else:
            try:
                # bytes are immutable, so the pipe may keep a reference; anything else is copied
                # because the caller may reuse its buffer after write() returns.
                self._pipe.put(data if isinstance(data, bytes) else bytes(view))
            except BrokenPipeError:
                # The encryptor stopped early (disk full, ...): its error says why.
                self.abort()
                raise self._translated_error() from None
        self._position += size
        return size

    def close(self) -> None:
        """Finish the age stream and move the file into place; on any failure nothing is left."""
        if self._finished:
            return
        try:
            if self._pipe is None:
                self._encrypt_in_memory()
            else:
                self._pipe.close_writer()
                assert self._thread is not None
                self._thread.join()
                if self._thread.error is not None:
                    raise self._translated_error()
        except BaseException:
            self.abort()
            raise
        self._finished = True
        self._sink.commit()

    def _encrypt_in_memory(self) -> None:
        assert self._passphrase is not None
        plaintext = b"".join(self._chunks)
        self._chunks.clear()
        try:
            ciphertext = age_passphrase.encrypt(plaintext, self._passphrase)
        except pyrage.EncryptError as err:
            raise CryptoError(f"passphrase encryption failed: {err}") from None
        del plaintext
        try:
            self._sink.write(ciphertext)
        except OSError as err:
            raise storage_error(err, self.path) from None

    def _translated_error(self) -> PrivacyError:
        if self._sink.failure is not None:
            return storage_error(self._sink.failure, self.path)
        return CryptoError(f"encryption failed: {self._thread.error if self._thread else 'unknown'}")

    def abort(self) -> None:
        """Stop and delete everything written so far."""
        if self._finished:
            return
        self._finished = True
        self._chunks.clear()
        if self._pipe is not None:
            # Abort before end of data: the thread sees a broken stream, not a clean end.
            self._pipe.close_reader()
            self._pipe.close_writer()
        if self._thread is not None:
            self._thread.join()
        self._sink.discard()

    def __enter__(self) -> EncryptingWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def __del__(self) -> None:
        # Dropped without close(): an unfinished export must never be published.
        with contextlib.suppress(Exception):
            self.abort()


def encrypt_file(
    src: Path,
    dst: Path,
    *,
    recipients: Sequence[x25519.Recipient] = (),
    passphrase: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Encrypt an existing file to `dst`: file to file inside pyrage for recipients, in memory for a passphrase."""
    if passphrase is None:
        _check_encrypt_mode(recipients, passphrase)
        return _encrypt_file_natively(Path(src), Path(dst), list(recipients), overwrite=overwrite)
    try:
        infile = open(src, "rb")  # noqa: SIM115 - closed below, after the writer
    except OSError as err:
        raise PrivacyError(f"cannot read {src}: {err.strerror}") from None
    with infile, EncryptingWriter(dst, passphrase=passphrase, overwrite=overwrite) as out:
        while chunk := infile.read(_COPY_CHUNK):
            out.write(chunk)
    return dst


def _encrypt_file_natively(src: Path, dst: Path, recipients: list[x25519.Recipient], *, overwrite: bool) -> Path:
    """Let pyrage read `src` and write the temp file itself: no Python code runs per chunk.

    This is the fastest path pyrage offers (see docs/encryption.md); it needs a file that already
    exists, so exports, which must never put plaintext on disk, stream through EncryptingWriter.
    """
    try:
        infile = open(src, "rb", buffering=0)  # noqa: SIM115 - closed by the with below
    except OSError as err:
        raise PrivacyError(f"cannot read {src}: {err.strerror}") from None
    with infile:
        sink = AtomicFile(dst, overwrite=overwrite)
        try:
            pyrage.encrypt_file(path_of_open_file(infile.fileno(), src), sink.reopen_path(), recipients)
        except (pyrage.EncryptError, OSError) as err:
            sink.discard()
            raise _native_write_failure(err, src, dst) from None
        except BaseException:
            sink.discard()
            raise
    sink.commit()
    return dst


# Rust's io::Error text ends in "(os error N)"; pyrage passes on only that text, so the errno
# (needed to tell a full disk from other faults) is read back from it.
_OS_ERROR = re.compile(r"\(os error (\d+)\)")


def _native_write_failure(err: BaseException, src: Path, dst: Path) -> PrivacyError:
    text = str(err)
    found = _OS_ERROR.search(text)
    errno_value = int(found.group(1)) if found else getattr(err, "errno", None)
    if errno_value is not None:
        return storage_error(OSError(errno_value, os.strerror(errno_value)), dst)
    return CryptoError(f"encrypting {src} failed: {text}")


class _PrefixedReader(io.RawIOBase):
    """Re-serves the header bytes we peeked at, then the rest of the source."""

    def __init__(self, prefix: bytes, src: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        self._src = src

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            n = len(self._prefix) if size < 0 else min(size, len(self._prefix))
            out = bytes(self._prefix[:n])
            self._prefix = self._prefix[n:]
            return out
        return self._src.read(size)


class _RecordingWriter:
    """Passes writes on and remembers the first OSError (pyrage reduces it to text)."""

    def __init__(self, dst: _Writable) -> None:
        self._dst = dst
        self.failure: OSError | None = getattr(dst, "failure", None)

    def write(self, data: bytes) -> int:
        try:
            self._dst.write(data)
        except OSError as err:
            self.failure = self.failure or err
            raise
        return len(data)

    def flush(self) -> None:
        flush = getattr(self._dst, "flush", None)
        if flush is not None:
            flush()


def _header_info(prefix: bytes) -> AgeHeaderInfo:
    info = parse_header_info(prefix)
    if info is None:
        if not prefix:
            raise NotAnAgeFileError("the file is empty; it is not an age file")
        raise NotAnAgeFileError("this is not an age file, or its header is truncated or damaged")
    return info


# rage picks the work factor that takes about a second on the encrypting machine (2^17-2^20 measured
# here); 2^22 is age's own default limit for decryption and bounds a crafted header to 4 GiB and seconds.
MAX_SCRYPT_LOG_N = 22


def _check_work_factor(info: AgeHeaderInfo) -> None:
    """Refuse a crafted scrypt work factor before any key derivation (2^24 needs 16 GiB and a minute)."""
    log_n = info.scrypt_log_n
    if log_n is None:
        return
    if log_n < 1 or log_n > MAX_SCRYPT_LOG_N:
        shown = "unreadable" if log_n < 0 else f"2^{log_n}"
        raise WorkFactorError(
            f"the file's passphrase stanza asks for scrypt work factor {shown}; exports made by age or this "
            f"plugin use at most 2^{MAX_SCRYPT_LOG_N} (about {(128 * 8 << MAX_SCRYPT_LOG_N) >> 30} GiB of memory), "
            "so this file was crafted or damaged and is not opened"
        )


def _check_mode_matches(info: AgeHeaderInfo, identities: Sequence[x25519.Identity], passphrase: str | None) -> None:
    _check_work_factor(info)
    if info.armored:
        return  # pyrage reads armor itself; let it report mismatches
    if passphrase is not None and not info.is_passphrase:
        raise EncryptionModeError(
            "this file is encrypted to public keys, not with a passphrase; give an identity file instead"
        )
    if identities and info.is_passphrase:
        raise EncryptionModeError("this file is protected by a passphrase; give the passphrase instead of an identity")


def _decrypt_failure(err: BaseException, *, by_passphrase: bool, sink_failure: OSError | None, where: str) -> Exception:
    """Map pyrage's terse messages to errors a user can act on."""
    if sink_failure is not None:
        return storage_error(sink_failure, Path(where))
    text = str(err)
    if "No matching keys" in text:
        if by_passphrase:
            return WrongPassphraseError("wrong passphrase (or the file's header was altered)")
        return WrongKeyError(
            "none of the given identities can open this file: it was encrypted to other keys, or its header was altered"
        )
    if by_passphrase and text == "Decryption failed":
        return WrongPassphraseError("wrong passphrase (or the file's header was altered)")
    if "decryption error" in text:
        return CorruptCiphertextError(
            "the encrypted data failed authentication: the file is truncated or was altered after "
            "encryption; nothing was kept"
        )
    if "MAC" in text or "Header" in text or "header" in text or "fill whole buffer" in text:
        return NotAnAgeFileError(f"the age header is damaged or truncated ({text})")
    return CryptoError(f"decryption failed: {text}")


def decrypt_stream(
    src: BinaryIO,
    dst: _Writable,
    *,
    identities: Sequence[x25519.Identity] = (),
    passphrase: str | None = None,
    passphrase_max_bytes: int = PASSPHRASE_MAX_BYTES,
) -> None:
    """Decrypt `src` into `dst`.

    Plaintext reaches `dst` before the end of the file is authenticated: when this raises,
    whatever `dst` received must be thrown away (`decrypt_file` does so).
    """
    _check_decrypt_mode(identities, passphrase)
    prefix = read_header_prefix(src)
    info = _header_info(prefix)
    _check_mode_matches(info, identities, passphrase)
    sink = _RecordingWriter(dst)
    if passphrase is None:
        try:
            pyrage.decrypt_io(_PrefixedReader(prefix, src), sink, list(identities))
        except (pyrage.DecryptError, OSError) as err:
            raise _decrypt_failure(
                err, by_passphrase=False, sink_failure=sink.failure, where=getattr(dst, "path", "output")
            ) from None
        return
    # Passphrase mode: pyrage offers bytes only, so bound what we read.
    limit = passphrase_max_bytes + MAX_HEADER_BYTES + passphrase_max_bytes // 64
    ciphertext = prefix + src.read(limit - len(prefix) + 1)
    if len(ciphertext) > limit:
        raise PassphraseSizeError(
            f"passphrase-protected files are decrypted in memory and limited to about "
            f"{passphrase_max_bytes // (1024 * 1024)} MiB; this one is larger"
        )
    try:
        plaintext = age_passphrase.decrypt(ciphertext, passphrase)
    except pyrage.DecryptError as err:
        raise _decrypt_failure(err, by_passphrase=True, sink_failure=None, where="output") from None
    del ciphertext
    try:
        sink.write(plaintext)
    except OSError as err:
        raise storage_error(err, Path(str(getattr(dst, "path", "output")))) from None


def decrypt_file(
    src: Path,
    dst: Path,
    *,
    identities: Sequence[x25519.Identity] = (),
    passphrase: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Decrypt `src` to a new 0600 file `dst`; on any failure `dst` does not exist afterwards."""
    try:
        infile = open(src, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as err:
        raise PrivacyError(f"cannot read {src}: {err.strerror}") from None
    with infile, AtomicFile(dst, overwrite=overwrite) as out:
        decrypt_stream(infile, out, identities=identities, passphrase=passphrase)
        out.commit()
    return dst


def _decrypt_into_pipe(src: _PrefixedReader, writer: BinaryIO, identities: list[x25519.Identity]) -> None:
    try:
        pyrage.decrypt_io(src, writer, identities)  # an exception is re-raised in the reader at end of stream
    finally:
        with contextlib.suppress(OSError):
            writer.close()


class DecryptingReader(io.RawIOBase):
    """Readable plaintext view of an age stream, for consumers that must not write plaintext to disk.

    Reading happens through an OS pipe fed by a decryption thread. Until `read()` has returned
    b"" (end of stream, fully authenticated) the data must be treated as unverified: a truncated
    or altered file raises from `read()` instead of reaching a clean end.
    """

    def __init__(
        self,
        src: BinaryIO,
        *,
        identities: Sequence[x25519.Identity] = (),
        passphrase: str | None = None,
        passphrase_max_bytes: int = PASSPHRASE_MAX_BYTES,
    ) -> None:
        super().__init__()
        _check_decrypt_mode(identities, passphrase)
        self._memory: io.BytesIO | None = None
        self._thread: BackgroundTask | None = None
        self._pipe_r: int | None = None
        if passphrase is not None:
            self._memory = io.BytesIO()
            decrypt_stream(src, self._memory, passphrase=passphrase, passphrase_max_bytes=passphrase_max_bytes)
            self._memory.seek(0)
            return
        prefix = read_header_prefix(src)
        _check_mode_matches(_header_info(prefix), identities, None)
        self._pipe_r, write_fd = open_pipe()
        writer = os.fdopen(write_fd, "wb", buffering=0)
        self._thread = BackgroundTask(
            "age-decrypt", functools.partial(_decrypt_into_pipe, _PrefixedReader(prefix, src), writer, list(identities))
        )
        self._thread.start()

    def readable(self) -> bool:
        """Always true."""
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        """Fill `buffer` with plaintext; raises if the stream fails authentication."""
        if self._memory is not None:
            return self._memory.readinto(buffer)
        assert self._pipe_r is not None
        n = os.readv(self._pipe_r, [buffer])
        if n == 0:
            assert self._thread is not None
            self._thread.join()
            if self._thread.error is not None:
                raise _decrypt_failure(self._thread.error, by_passphrase=False, sink_failure=None, where="stream")
        return n

    def close(self) -> None:
        """Stop decrypting and release the pipe."""
        if self._pipe_r is not None:
            # Closing the read end makes the decryption thread stop with EPIPE.
            os.close(self._pipe_r)
            self._pipe_r = None
            if self._thread is not None:
                self._thread.join()
        super().close()
