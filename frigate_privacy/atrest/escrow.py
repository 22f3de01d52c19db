"""Escrow: each original, age-encrypted to the owner's public keys, indexed by camera and time.

The service only ever holds public keys, so it can write escrow copies but never read them back;
`restore` needs the owner's identity (secret key) file. Escrow copies follow the recordings: once Frigate
has deleted a file (its retention), `expire` deletes the escrow copy; erasure deletes them through the
`EscrowStore` extension point of the erasure plan.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyrage import x25519

from frigate_privacy.atrest.journal import EscrowRecord, Journal
from frigate_privacy.atrest.media import MediaFile
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.crypto.age import decrypt_file, encrypt_file
from frigate_privacy.errors import InputError, PrivacyError
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import FrigateApiError

__all__ = [
    "ESCROW_SUFFIX",
    "EscrowStore",
    "EventSpan",
    "RestoredFile",
    "escrow_id",
    "frigate_event_span",
    "open_escrow_store",
    "sha256_file",
]

logger = logging.getLogger(__name__)

ESCROW_SUFFIX = ".age"
# Expiry refuses to delete more than half of the escrow copies at once when more than this many are missing.
EXPIRE_GUARD_MIN = 10

# An event's start and end are when the person was tracked; footage outside that span does not show them.
EVENT_PADDING = 0.0

EventSpan = Callable[[str], "tuple[str, float, float] | None"]
"""(camera, start, end) of an event id, or None when unknown."""
_CHUNK = 1 << 20


def sha256_file(path: Path) -> tuple[str, int]:
    """(hex sha256, size) of a file."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def escrow_id(rel: str) -> str:
    """A stable id for the escrow copy of the media file `rel` (no path, no camera name leaks)."""
    return hashlib.sha256(rel.encode()).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class RestoredFile:
    """An original given back."""

    record: EscrowRecord
    path: Path


class EscrowStore:
    """Encrypted originals under `escrow_dir`, mirroring Frigate's layout, indexed in the journal database."""

    def __init__(
        self,
        journal: Journal,
        escrow_dir: Path,
        media_root: Path | None = None,
        event_span: EventSpan | None = None,
    ) -> None:
        """`event_span` tells erasure where an event happened, so the segments it appears in go too."""
        self.journal = journal
        self.dir = Path(escrow_dir)
        self.media_root = media_root
        self.event_span = event_span

    def _file(self, rel: str) -> Path:
        return self.dir / f"{rel}{ESCROW_SUFFIX}"

    def write(
        self, src: Path, file: MediaFile, sha256: str, size: int, recipients: Sequence[x25519.Recipient]
    ) -> EscrowRecord:
        """Encrypt `src` (the original of `file`) into the escrow directory; complete and fsynced on return."""
        if not recipients:
            raise PrivacyError("no escrow recipients are configured (atrest.escrow_recipients)")
        dst = self._file(file.rel)
        dst.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        encrypt_file(src, dst, recipients=recipients, overwrite=True)
        return EscrowRecord(
            escrow_id(file.rel), file.rel, file.camera, file.kind, file.start, file.end,
            dst.relative_to(self.dir).as_posix(), sha256, size, time.time(),
        )  # fmt: skip

    # -- the erasure plan's extension point (policy.escrow_link.EscrowStore) ---------------------------

    def find(self, camera: str | None, start: float | None, end: float | None, event_ids: list[str]) -> list[str]:
        """Ids of escrow copies holding footage of the selection (time range, or the events' images)."""
        ids: list[str] = []
        if start is not None or end is not None or not event_ids:
            ids += [r.id for r in self.journal.find_escrow(camera, start, end)]
        for event_id in event_ids:
            ids += [r.id for r in self.journal.find_escrow(camera) if event_id in r.rel and not r.kind.is_video]
            span = self.event_span(event_id) if self.event_span is not None else None
            if span is not None:
                cam, start_t, end_t = span
                ids += [r.id for r in self.journal.find_escrow(cam, start_t - EVENT_PADDING, end_t + EVENT_PADDING)]
        return list(dict.fromkeys(ids))

    def delete(self, escrow_id: str) -> bool:
        """Delete one escrow copy and its index row; False when it was already gone."""
        record = self.journal.escrow_by_id(escrow_id)
        if record is None:
            return False
        with contextlib.suppress(FileNotFoundError):
            (self.dir / record.file).unlink()
        self.journal.drop_escrow(escrow_id)
        return True

    # -- retention and restore ----------------------------------------------------------------------

    def expire(self) -> list[EscrowRecord]:
        """Delete escrow copies (and journal entries) of files Frigate has deleted: they follow its retention.

        A masked file is replaced atomically, so its path always exists while Frigate keeps it; a path that
        is gone was deleted by Frigate (or by erasure), whatever step the job had reached.
        """
        if self.media_root is None or not media_mounted(self.media_root):
            return []
        records = self.journal.find_escrow()
        missing = [r for r in records if not (self.media_root / r.rel).exists()]
        if len(missing) > EXPIRE_GUARD_MIN and len(missing) > len(records) / 2:
            # Like Frigate's sync_recordings: so many gone at once looks like a missing mount, not retention.
            logger.error(
                "%d of %d escrowed files are missing under %s; not expiring their escrow copies (is the media "
                "folder mounted?)", len(missing), len(records), self.media_root,
            )  # fmt: skip
            return []
        gone: list[EscrowRecord] = []
        for record in missing:
            self.delete(record.id)
            gone.append(record)
        for rel in self.journal.states():
            if not (self.media_root / rel).exists():
                self.journal.forget(rel)
        if gone:
            logger.info("expired %d escrow copies whose recordings Frigate deleted", len(gone))
        return gone

    def restore(
        self, records: Sequence[EscrowRecord], identities: Sequence[x25519.Identity], out_dir: Path
    ) -> list[RestoredFile]:
        """Decrypt `records` under `out_dir` (Frigate's relative paths, files 0600), each checked by sha256."""
        if not identities:
            raise InputError("give the escrow identity (secret key) file with --identity")
        out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        restored: list[RestoredFile] = []
        for record in records:
            dst = out_dir / record.rel
            if dst.exists():
                raise InputError(f"{dst} already exists; choose an empty output directory")
            dst.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            decrypt_file(self.dir / record.file, dst, identities=identities)
            digest, _ = sha256_file(dst)
            if digest != record.sha256:
                dst.unlink()
                raise PrivacyError(f"escrow copy of {record.rel} decrypted to different bytes than were escrowed")
            restored.append(RestoredFile(record, dst))
        return restored


@contextlib.contextmanager
def open_escrow_store(cfg: PrivacyConfig, event_span: EventSpan | None = None) -> Iterator[EscrowStore | None]:
    """The escrow store of this config for erasure, or None when at-rest masking never ran here."""
    from frigate_privacy.atrest.workspace import workspace_for

    if cfg.frigate.media_root is None:
        yield None
        return
    workspace = workspace_for(cfg)
    if not workspace.journal_path.exists():
        yield None
        return
    with Journal(workspace.journal_path) as journal:
        yield EscrowStore(journal, workspace.escrow_dir, workspace.media_root, event_span)


def frigate_event_span(client: FrigateClient) -> EventSpan:
    """Event spans from Frigate's API (None for an event it no longer knows)."""

    def span(event_id: str) -> tuple[str, float, float] | None:
        try:
            event = client.event(event_id)
        except FrigateApiError:
            return None
        return event.camera, event.start_time, event.end_time if event.end_time is not None else time.time()

    return span


def media_mounted(media_root: Path) -> bool:
    """Frigate's media folder looks present (its `recordings/` exists): never expire escrow against an empty mount."""
    return (media_root / "recordings").is_dir()
