"""Checking the hash chain, the signed checkpoints and the signed head (pure, plus one I/O entry point)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from frigate_privacy.audit.actions import AuditResult
from frigate_privacy.audit.anchor import Anchor, anchor_path, read_anchor
from frigate_privacy.audit.entry import GENESIS_HASH, AuditEntry, Checkpoint, checkpoint_message, recompute_hash
from frigate_privacy.audit.errors import AuditError, AuditIntegrityError
from frigate_privacy.audit.log import AuditLog, Head
from frigate_privacy.crypto.errors import KeyFileError
from frigate_privacy.crypto.signing import PublicKey

__all__ = ["Problem", "VerifyReport", "verify_chain", "verify_log_file"]


@dataclass(frozen=True, order=True)
class Problem:
    """One finding: the sequence number where the log stops being trustworthy, and why."""

    seq: int
    what: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.what}"


@dataclass
class VerifyReport:
    """The outcome of `audit verify`."""

    entries: int = 0
    checkpoints: int = 0
    last_seq: int = 0
    trusted_key: bool = True
    problems: list[Problem] = field(default_factory=list)
    # The signed anchor outside the database (None: the log predates anchors or has never been written).
    anchor: Anchor | None = None
    # Intent entries with no outcome: the action was killed or crashed (or is still running).
    unfinished: list[AuditEntry] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        """The earliest bad entry, which is where trust in the log ends."""
        return min(self.problems) if self.problems else None


def _signature_ok(key: PublicKey, seq: int, digest: str, signature_b64: str) -> bool:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        return False
    return key.verify(checkpoint_message(seq, digest), signature)


def _key_for(stored: str, trusted: PublicKey | None) -> PublicKey | None:
    if trusted is not None:
        return trusted
    try:
        return PublicKey.from_text(stored)
    except KeyFileError:
        return None


def _check_entries(entries: Iterable[AuditEntry], report: VerifyReport) -> dict[int, str]:
    hashes: dict[int, str] = {}
    started: dict[int, AuditEntry] = {}
    expected, prev = 1, GENESIS_HASH
    for entry in entries:
        report.entries += 1
        if entry.result == AuditResult.started:
            started[entry.seq] = entry
        else:
            intent = entry.details_dict().get("intent")
            if isinstance(intent, int):
                started.pop(intent, None)
        if not isinstance(entry.seq, int) or entry.seq < expected:
            report.problems.append(Problem(expected, f"sequence number {entry.seq!r} is out of order"))
            continue
        if entry.seq > expected:
            missing = f"{expected}" if entry.seq == expected + 1 else f"{expected}..{entry.seq - 1}"
            report.problems.append(Problem(expected, f"entry {missing} is missing (deleted)"))
        if recompute_hash(entry) != entry.hash:
            report.problems.append(
                Problem(entry.seq, "its content does not match its hash: a field (or the hash) was edited")
            )
        elif entry.prev_hash != prev and entry.seq == expected:
            report.problems.append(
                Problem(
                    entry.seq,
                    "it does not link to the entry before it (prev_hash differs): entries were "
                    "reordered, replaced or re-chained",
                )
            )
        hashes[entry.seq] = entry.hash
        prev, expected = entry.hash, entry.seq + 1
    report.last_seq = expected - 1
    report.unfinished = sorted(started.values(), key=lambda e: e.seq)
    return hashes


def verify_chain(
    entries: Iterable[AuditEntry],
    checkpoints: Sequence[Checkpoint],
    head: Head | None,
    public_key: PublicKey | None,
    anchor: Anchor | None = None,
    copies: Sequence[Anchor] = (),
) -> VerifyReport:
    """Check every link, checkpoint and the head; signatures against `public_key` when given.

    Without a trusted key the signatures are checked against the key stored in the log itself,
    which proves consistency only (`trusted_key` is then False).
    """
    report = VerifyReport(trusted_key=public_key is not None)
    hashes = _check_entries(entries, report)
    last = report.last_seq
    for cp in checkpoints:
        report.checkpoints += 1
        key = _key_for(cp.public_key, public_key)
        if key is None or not _signature_ok(key, cp.seq, cp.entry_hash, cp.signature):
            report.problems.append(
                Problem(
                    cp.seq, "its checkpoint signature is invalid: the checkpoint was altered or signed by another key"
                )
            )
        elif cp.seq > last:
            report.problems.append(
                Problem(last + 1, f"entries after {last} were deleted (a signed checkpoint vouches for entry {cp.seq})")
            )
        elif hashes.get(cp.seq) != cp.entry_hash:
            report.problems.append(Problem(cp.seq, "it differs from the entry its signed checkpoint vouches for"))
    _check_anchor(report, hashes, anchor, public_key)
    for copy in copies:  # anchors kept elsewhere (the retained MQTT message, a backup): same checks
        _check_anchor(report, hashes, copy, public_key)
    report.anchor = anchor or (copies[0] if copies else None)
    if head is None:
        if last:
            report.problems.append(Problem(last, "the signed head record is missing"))
        return report
    key = _key_for(head.public_key, public_key)
    if key is None or not _signature_ok(key, head.seq, head.hash, head.signature):
        report.problems.append(
            Problem(max(head.seq, 1), "the head signature is invalid: the head was altered or signed by another key")
        )
    elif head.seq > last:
        report.problems.append(
            Problem(last + 1, f"entries after {last} were deleted (the signed head records entry {head.seq})")
        )
    elif head.seq < last:
        report.problems.append(Problem(head.seq + 1, f"entries after {head.seq} were added without the service key"))
    elif hashes.get(head.seq) != head.hash:
        report.problems.append(Problem(head.seq, "it differs from the newest entry the signed head vouches for"))
    return report


def _check_anchor(report: VerifyReport, hashes: dict[int, str], anchor: Anchor | None, key: PublicKey | None) -> None:
    """The log must still reach as far as the signed anchor outside the database says it went."""
    report.anchor = anchor
    if anchor is None:
        return
    last = report.last_seq
    if not anchor.signature_ok(key):
        report.problems.append(
            Problem(max(anchor.seq, 1), "the anchor's signature is invalid: it was altered or signed by another key")
        )
    elif anchor.seq > last:
        report.problems.append(
            Problem(
                last + 1,
                f"entries after {last} were deleted (the signed anchor outside the database records entry "
                f"{anchor.seq}): the log was emptied, truncated or replaced",
            )
        )
    elif anchor.seq and hashes.get(anchor.seq) != anchor.hash:
        report.problems.append(Problem(anchor.seq, "it differs from the entry the signed anchor vouches for"))


def verify_log_file(path: Path, public_key: PublicKey | None, copies: Sequence[Path] = ()) -> VerifyReport:
    """Open the log read-only-in-spirit (no signer) and verify it, against its anchor and copies of it.

    `copies` are anchor files kept elsewhere (e.g. the retained MQTT payload saved to a file): they catch a
    log deleted or cut together with the anchor next to it.
    """
    anchor = read_anchor(anchor_path(Path(path)))
    extra = []
    for copy_path in copies:
        copy = read_anchor(Path(copy_path))
        if copy is None:
            raise AuditError(f"anchor copy {copy_path} does not exist")
        extra.append(copy)
    if not Path(path).exists():
        held = max([a.seq for a in [anchor, *extra] if a is not None], default=0)
        if held > 0:
            raise AuditIntegrityError(
                f"audit log {path} is missing, but its signed anchor says it held {held} entries "
                "(deleted or moved); restore it from a backup"
            )
        raise AuditError(f"audit log {path} does not exist")
    with AuditLog(path, signer=None) as log:
        return verify_chain(log.entries(), log.checkpoints(), log.head(), public_key, anchor, extra)
