"""Verify a bundle: manifest signature (embedded and trusted key), then every file's hash and size.

Each problem is named precisely ("video.mp4: sha256 mismatch", "manifest.json: signature invalid",
"extra file x"). Decryption happens in a stream, twice (see bundle_reader); no plaintext touches the disk
unless a caller's `sink_for` writes members somewhere (decrypt does, to unnamed temp files).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyrage import x25519

from frigate_privacy.crypto.age import DecryptingReader
from frigate_privacy.crypto.errors import KeyFileError
from frigate_privacy.crypto.signing import PublicKey
from frigate_privacy.errors import InputError
from frigate_privacy.export.bundle import MANIFEST_NAME, PUBLIC_KEY_NAME, SIGNATURE_NAME
from frigate_privacy.export.bundle_reader import (
    BundleFormatError,
    MemberDigest,
    MemberSink,
    hash_members,
    read_directory,
)
from frigate_privacy.export.manifest import Manifest, parse_manifest

__all__ = ["PlaintextOpener", "VerifyReport", "age_plaintext", "safe_member_name", "verify_bundle"]

PlaintextOpener = Callable[[], AbstractContextManager[BinaryIO]]
"""Opens a fresh plaintext stream of the bundle each time it is called."""


@dataclass
class VerifyReport:
    """The outcome: `problems` is empty exactly when everything checked out."""

    problems: list[str] = field(default_factory=list)
    manifest: Manifest | None = None
    signer: PublicKey | None = None
    files: list[MemberDigest] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was altered, missing or extra, and the signer is trusted."""
        return not self.problems


def safe_member_name(name: str) -> bool:
    """A plain file name (no directories, no hidden names), safe to create in an output directory."""
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".") and name == name.strip()


@contextlib.contextmanager
def age_plaintext(
    path: Path, identities: Sequence[x25519.Identity], passphrase: str | None
) -> Iterator[PlaintextOpener]:
    """An opener decrypting `path` in a stream each time, every pass from the one file opened here.

    The file is opened once and must be a regular file (a FIFO or device could answer each pass
    differently); each pass rewinds the same descriptor and checks the file did not change meanwhile,
    so a rename or swap between the passes cannot substitute other bytes.
    """
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror}") from None
    with open(fd, "rb") as handle:
        first = os.fstat(fd)
        if not stat.S_ISREG(first.st_mode):
            raise InputError(f"{path} is not a regular file; copy the export to a file first")
        os.set_blocking(fd, True)

        @contextlib.contextmanager
        def opener() -> Iterator[BinaryIO]:
            now = os.fstat(handle.fileno())
            if (now.st_size, now.st_mtime_ns) != (first.st_size, first.st_mtime_ns):
                raise InputError(f"{path} changed while it was being verified; try again when nothing writes to it")
            handle.seek(0)
            reader = DecryptingReader(handle, identities=identities, passphrase=passphrase)
            try:
                yield reader  # type: ignore[misc]
            finally:
                reader.close()

        yield opener


def _embedded_key(report: VerifyReport, manifest: Manifest | None, pem: bytes | None) -> PublicKey | None:
    from_manifest: PublicKey | None = None
    if manifest is not None:
        try:
            from_manifest = PublicKey.from_text(manifest.signing_key)
        except KeyFileError:
            report.problems.append("manifest.json: signing_key is not an Ed25519 public key")
    from_pem: PublicKey | None = None
    if pem is None:
        report.problems.append(f"{PUBLIC_KEY_NAME}: missing")
    else:
        try:
            key = serialization.load_pem_public_key(pem)
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError("not Ed25519")
            from_pem = PublicKey(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
        except ValueError:
            report.problems.append(f"{PUBLIC_KEY_NAME}: not an Ed25519 public key in PEM")
    if from_manifest is not None and from_pem is not None and from_manifest != from_pem:
        report.problems.append(f"{PUBLIC_KEY_NAME}: differs from the manifest's signing_key")
    return from_manifest or from_pem


def _check_signature(
    report: VerifyReport, data: bytes, signature: bytes | None, key: PublicKey | None, trusted: Sequence[PublicKey]
) -> None:
    if signature is None:
        report.problems.append(f"{SIGNATURE_NAME}: missing")
        return
    if key is None:
        report.problems.append(f"{MANIFEST_NAME}: no signing key in the bundle to check the signature with")
        return
    report.signer = key
    if not key.verify(data, signature):
        report.problems.append(
            f"{MANIFEST_NAME}: signature invalid (the manifest was edited after signing, or {SIGNATURE_NAME} replaced)"
        )
    if not trusted:
        report.problems.append(
            f"no trusted key to compare the signer {key.fingerprint} with; pass --trusted-key "
            "(the exporting service's `frigate-privacy keys show`)"
        )
    elif key not in trusted:
        known = ", ".join(t.fingerprint for t in trusted)
        report.problems.append(f"{SIGNATURE_NAME}: signed by {key.fingerprint}, which is not a trusted key ({known})")


def _check_file_list(report: VerifyReport, manifest: Manifest, names: list[str]) -> None:
    listed = [f.name for f in manifest.files]
    own = {MANIFEST_NAME, SIGNATURE_NAME}
    for name in sorted({n for n in names if names.count(n) > 1}):
        report.problems.append(f"{name}: appears more than once in the bundle")
    for name in names:
        if name not in own and name not in listed:
            report.problems.append(f"extra file {name} (not in the manifest)")
        if not safe_member_name(name):
            report.problems.append(f"{name!r}: unsafe file name")
    for name in listed:
        if name not in names:
            report.problems.append(f"{name}: missing (listed in the manifest)")
    if manifest.video.file not in listed:
        report.problems.append(f"{MANIFEST_NAME}: the video {manifest.video.file} is not among the listed files")


def verify_bundle(
    open_plaintext: PlaintextOpener,
    trusted: Sequence[PublicKey],
    sink_for: Callable[[str], MemberSink | None] | None = None,
) -> VerifyReport:
    """Check signature, signer and every file; decryption errors (wrong key, damaged file) propagate."""
    report = VerifyReport()
    with open_plaintext() as stream:
        try:
            directory = read_directory(stream, (MANIFEST_NAME, SIGNATURE_NAME, PUBLIC_KEY_NAME))
        except BundleFormatError as err:
            report.problems.append(str(err))
            return report
    names = [m.filename for m in directory.members]
    data = directory.small.get(MANIFEST_NAME)
    if data is None:
        report.problems.append(f"{MANIFEST_NAME}: missing")
        return report
    try:
        report.manifest = parse_manifest(data)
    except ValueError as err:
        report.problems.append(f"{MANIFEST_NAME}: {err}")
    key = _embedded_key(report, report.manifest, directory.small.get(PUBLIC_KEY_NAME))
    _check_signature(report, data, directory.small.get(SIGNATURE_NAME), key, trusted)
    if report.manifest is None:
        return report
    _check_file_list(report, report.manifest, names)
    with open_plaintext() as stream:
        try:
            report.files = hash_members(stream, directory.members, sink_for)
        except BundleFormatError as err:
            report.problems.append(str(err))
            return report
    actual = {d.name: d for d in report.files}
    # The manifest, signature and key were checked as read in pass 1; what pass 2 hashed (and a sink may
    # have written) must be those very bytes, or nothing is trusted.
    for name, data_one in directory.small.items():
        got = actual.get(name)
        if got is not None and got.sha256 != hashlib.sha256(data_one).hexdigest():
            report.problems.append(
                f"{name}: differs between the two reads of the bundle (the file was swapped or changed while "
                "being read); nothing was written"
            )
    for entry in report.manifest.files:
        got = actual.get(entry.name)
        if got is None:
            continue
        if got.size != entry.size:
            report.problems.append(f"{entry.name}: size {got.size} bytes, the manifest says {entry.size}")
        if got.sha256 != entry.sha256:
            report.problems.append(f"{entry.name}: sha256 mismatch")
    return report
