"""The audit log's anchor: a small signed "the log held N entries ending in hash H", kept outside the database.

Whoever can write the database file can drop its triggers, delete every entry and its signed head, or
delete the file: the chain alone then looks like a valid empty log. The anchor, a file next to the
database (and published retained over MQTT by the service), remembers how far the log went. `audit
verify` compares the log with it, and a writer refuses to start a new log where the anchor says one
existed, unless `audit init --force` (itself audited) starts one on purpose.

What stays undetectable: someone holding the signing key can re-sign a rewritten log and a matching
anchor; someone who deletes the log, the anchor and every copy of the retained MQTT message leaves no
trace in this installation. Keep the public key and a copy of the anchor elsewhere to catch those.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from frigate_privacy.audit.errors import AuditError
from frigate_privacy.crypto.errors import KeyFileError
from frigate_privacy.crypto.signing import PublicKey
from frigate_privacy.errors import PrivacyError
from frigate_privacy.storage.atomic import AtomicFile

__all__ = ["ANCHOR_TOPIC_SUFFIX", "Anchor", "anchor_path", "anchor_payload", "read_anchor", "write_anchor"]

_DOMAIN = b"frigate-privacy-audit-anchor/v1\n"
_FORMAT = "frigate-privacy-audit-anchor/1"
_MAX_BYTES = 4096
# The service publishes the anchor retained on `<our topic prefix>/audit/anchor`.
ANCHOR_TOPIC_SUFFIX = "audit/anchor"


class _Signer(Protocol):
    @property
    def public(self) -> PublicKey: ...

    def sign(self, data: bytes) -> bytes: ...


@dataclass(frozen=True)
class Anchor:
    """How far the log went when it was last written: entry count (= newest seq) and that entry's hash."""

    seq: int
    hash: str
    created: str
    public_key: str
    signature: str
    format: str = _FORMAT

    def message(self) -> bytes:
        """The exact bytes the signature covers."""
        return _DOMAIN + f"{self.seq}\n{self.hash}\n{self.created}\n".encode("ascii")

    def signature_ok(self, key: PublicKey | None) -> bool:
        """Signed by `key` (or, without one, by the key named in the anchor: consistency only)."""
        try:
            signer = key or PublicKey.from_text(self.public_key)
            return signer.verify(self.message(), base64.b64decode(self.signature, validate=True))
        except (KeyFileError, binascii.Error, ValueError):
            return False


def anchor_path(db_path: Path) -> Path:
    """The anchor file of a log: next to the database, outside it."""
    return Path(db_path).with_name(Path(db_path).name + ".anchor.json")


def read_anchor(path: Path) -> Anchor | None:
    """The stored anchor, None when there is none; AuditError when it exists but cannot be read."""
    try:
        with open(path, "rb") as f:
            data = f.read(_MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise AuditError(f"cannot read the audit anchor {path}: {err.strerror}") from None
    try:
        raw: Any = json.loads(data) if len(data) <= _MAX_BYTES else None
        anchor = Anchor(**raw) if isinstance(raw, dict) else None
        if anchor is None or anchor.format != _FORMAT or not isinstance(anchor.seq, int) or anchor.seq < 0:
            raise ValueError("unexpected content")
    except (ValueError, TypeError, RecursionError):
        raise AuditError(
            f"the audit anchor {path} is damaged; run `frigate-privacy audit verify` and restore it from a copy"
        ) from None
    return anchor


def make_anchor(signer: _Signer, seq: int, digest: str) -> Anchor:
    """A freshly signed anchor for entry `seq` with hash `digest`."""
    created = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    unsigned = Anchor(seq, digest, created, signer.public.text, "")
    signature = base64.b64encode(signer.sign(unsigned.message())).decode("ascii")
    return Anchor(seq, digest, created, signer.public.text, signature)


def write_anchor(path: Path, signer: _Signer, seq: int, digest: str) -> Anchor:
    """Sign and atomically replace the anchor file (0600)."""
    anchor = make_anchor(signer, seq, digest)
    try:
        with AtomicFile(path, overwrite=True) as out:
            out.write(json.dumps(asdict(anchor), sort_keys=True).encode("ascii"))
            out.commit()
        os.chmod(path, 0o600)
    except (OSError, PrivacyError) as err:
        raise AuditError(f"cannot write the audit anchor {path}: {err}") from None
    return anchor


def anchor_payload(db_path: Path) -> bytes | None:
    """The anchor as the JSON payload the service publishes retained on `<prefix>/audit/anchor` (None: none yet)."""
    anchor = read_anchor(anchor_path(db_path))
    return None if anchor is None else json.dumps(asdict(anchor), sort_keys=True).encode("ascii")
