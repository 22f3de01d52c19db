"""One audit entry and its hash-chain link (pure: no I/O)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["GENESIS_HASH", "AuditEntry", "Checkpoint", "checkpoint_message", "entry_hash", "recompute_hash"]

# The "previous hash" of entry 1.
GENESIS_HASH = "0" * 64
_ENTRY_DOMAIN = "frigate-privacy-audit-entry/v1"
_CHECKPOINT_DOMAIN = b"frigate-privacy-audit-checkpoint/v1\n"


@dataclass(frozen=True)
class AuditEntry:
    """A stored entry exactly as in the table; `details` is the canonical JSON text that was hashed."""

    seq: int
    ts: str
    unix: int
    actor: str
    role: str
    action: str
    target: str
    camera: str | None
    reason: str
    result: str
    details: str
    prev_hash: str
    hash: str

    def details_dict(self) -> dict[str, Any]:
        """The details as a mapping (empty when unreadable, which verify reports separately)."""
        try:
            value = json.loads(self.details)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping for `audit show --json`."""
        data = asdict(self)
        data["details"] = self.details_dict()
        return data


def entry_hash(
    *,
    seq: int,
    prev_hash: str,
    ts: str,
    unix: int,
    actor: str,
    role: str,
    action: str,
    target: str,
    camera: str | None,
    reason: str,
    result: str,
    details: str,
) -> str:
    """SHA-256 over a canonical JSON array of every field, the sequence number and the previous hash.

    An array (not an object) fixes the field order; `details` goes in as the stored text, so a
    change of even one byte of it (whitespace included) changes the hash.
    """
    fields = [_ENTRY_DOMAIN, seq, prev_hash, ts, unix, actor, role, action, target, camera, reason, result, details]
    blob = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def recompute_hash(entry: AuditEntry) -> str:
    """The hash `entry` should carry given its content."""
    return entry_hash(
        seq=entry.seq,
        prev_hash=entry.prev_hash,
        ts=entry.ts,
        unix=entry.unix,
        actor=entry.actor,
        role=entry.role,
        action=entry.action,
        target=entry.target,
        camera=entry.camera,
        reason=entry.reason,
        result=entry.result,
        details=entry.details,
    )


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement "entry `seq` has hash `entry_hash`" made with the service key."""

    seq: int
    entry_hash: str
    created: str
    public_key: str
    signature: str


def checkpoint_message(seq: int, entry_hash: str) -> bytes:
    """The exact bytes a checkpoint signature covers."""
    return _CHECKPOINT_DOMAIN + f"{seq}\n{entry_hash}\n".encode("ascii")
