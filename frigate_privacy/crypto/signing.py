"""The service's Ed25519 signing key: created on first use (0600 in a 0700 data dir), sign and verify."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from frigate_privacy.crypto.errors import KeyFileError
from frigate_privacy.storage.atomic import AtomicFile

__all__ = [
    "KEY_FILENAME",
    "PUBLIC_KEY_PREFIX",
    "PublicKey",
    "SigningKey",
    "ensure_private_dir",
    "load_or_create_signing_key",
    "load_signing_key",
    "signing_key_path",
]

KEY_FILENAME = "signing_key.pem"
PUBLIC_KEY_PREFIX = "ed25519:"

logger = logging.getLogger(__name__)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 public key with a stable text form `ed25519:<base64 of the raw 32 bytes>`."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != 32:
            raise KeyFileError("an Ed25519 public key is 32 bytes")

    @classmethod
    def from_text(cls, text: str) -> PublicKey:
        """Parse the `ed25519:...` text form."""
        value = text.strip()
        if not value.startswith(PUBLIC_KEY_PREFIX):
            raise KeyFileError(f"a public key must start with {PUBLIC_KEY_PREFIX!r}")
        try:
            raw = base64.b64decode(value[len(PUBLIC_KEY_PREFIX) :], validate=True)
        except ValueError:
            raise KeyFileError("the public key is not valid base64") from None
        if len(raw) != 32:
            raise KeyFileError("the public key does not hold 32 bytes")
        return cls(raw)

    @property
    def text(self) -> str:
        """`ed25519:<base64>`, the form printed by `keys show` and stored in manifests."""
        return PUBLIC_KEY_PREFIX + _b64(self.raw)

    @property
    def fingerprint(self) -> str:
        """`SHA256:<base64>` of the raw key, short enough to compare by eye."""
        return "SHA256:" + _b64(hashlib.sha256(self.raw).digest()).rstrip("=")

    def pem(self) -> str:
        """SubjectPublicKeyInfo PEM, for tools such as openssl."""
        key = Ed25519PublicKey.from_public_bytes(self.raw)
        return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def verify(self, data: bytes, signature: bytes) -> bool:
        """True when `signature` is this key's signature over `data`."""
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, data)
        except InvalidSignature:
            return False
        return True


class SigningKey:
    """The private half; only `sign` and `public` leave this object."""

    def __init__(self, key: Ed25519PrivateKey, path: Path | None = None) -> None:
        self._key = key
        self.path = path
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public = PublicKey(raw)

    def sign(self, data: bytes) -> bytes:
        """Ed25519 signature (64 bytes) over `data`."""
        return self._key.sign(data)

    def __repr__(self) -> str:
        return f"SigningKey(public={self.public.text!r}, path={self.path!r})"


def signing_key_path(data_dir: Path) -> Path:
    """Where the service key lives inside the data dir."""
    return Path(data_dir) / KEY_FILENAME


def ensure_private_dir(directory: Path) -> Path:
    """Create `directory` (and parents) 0700 if missing; an existing one others can enter is fixed to 0700."""
    directory = Path(directory)
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        mode = stat.S_IMODE(directory.stat().st_mode)
        if mode & 0o077:
            if directory.stat().st_uid == os.getuid():
                os.chmod(directory, 0o700)
                logger.warning(
                    "data directory %s had mode %04o (others could read keys and logs); set to 0700", directory, mode
                )
            else:
                logger.warning(
                    "data directory %s has mode %04o and is not ours: others can read what it holds; make it 0700",
                    directory,
                    mode,
                )
    except OSError as err:
        raise KeyFileError(f"cannot create data directory {directory}: {err.strerror}") from None
    return directory


def load_signing_key(path: Path) -> SigningKey:
    """Load a PEM key file, refusing one that others can read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise KeyFileError(f"signing key {path} does not exist") from None
    except OSError as err:
        raise KeyFileError(f"cannot read signing key {path}: {err.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
        if mode & 0o077:
            raise KeyFileError(f"signing key {path} is readable by others (mode {mode:04o}); run chmod 600 on it")
        data = handle.read()
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise KeyFileError(f"signing key {path} is not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"signing key {path} is not an Ed25519 key")
    return SigningKey(key, path)


def load_or_create_signing_key(data_dir: Path) -> SigningKey:
    """The service key from `data_dir`, generated on first use."""
    path = signing_key_path(ensure_private_dir(data_dir))
    if path.exists():
        return load_signing_key(path)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    try:
        with AtomicFile(path) as out:
            out.write(pem)
            out.commit()
    except Exception:
        # Another process created it first (AtomicFile never overwrites): use theirs.
        if path.exists():
            return load_signing_key(path)
        raise
    return SigningKey(key, path)
