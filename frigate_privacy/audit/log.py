"""The append-only audit log in SQLite: record, checkpoint and query entries."""

from __future__ import annotations

import base64
import contextlib
import re
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from frigate_privacy.audit.actions import AuditAction, AuditResult
from frigate_privacy.audit.anchor import Anchor, anchor_path, read_anchor, write_anchor
from frigate_privacy.audit.details import check_free_text, validate_details
from frigate_privacy.audit.entry import GENESIS_HASH, AuditEntry, Checkpoint, checkpoint_message, entry_hash
from frigate_privacy.audit.errors import AuditError, AuditInputError, AuditIntegrityError
from frigate_privacy.crypto.signing import PublicKey
from frigate_privacy.storage.sqlite import open_database

__all__ = ["AuditLog", "EntryFilter", "Head", "Signer"]

_NAME = re.compile(r"^[A-Za-z0-9_.@:-]{1,128}$")
_ACTION = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")
_CAMERA = re.compile(r"^[a-zA-Z0-9_-]+$")

_ENTRY_COLUMNS = "seq, ts, unix, actor, role, action, target, camera, reason, result, details, prev_hash, hash"

# Triggers make the append-only rule hold for every client of the file, not only for this class.
# They stop mistakes, not an attacker (who can drop them): `audit verify` is what detects tampering.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    unix INTEGER NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    camera TEXT,
    reason TEXT NOT NULL,
    result TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS checkpoints (
    seq INTEGER PRIMARY KEY,
    entry_hash TEXT NOT NULL,
    created TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_unix ON entries (unix);
"""
_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS checkpoints_no_update BEFORE UPDATE ON checkpoints
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS checkpoints_no_delete BEFORE DELETE ON checkpoints
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
# Append only: the file's user_version counts how many of these it has had (storage/sqlite.py).
_MIGRATIONS: tuple[str, ...] = (_SCHEMA + _TRIGGERS,)


class Signer(Protocol):
    """What the log needs from the service key (crypto.signing.SigningKey fits)."""

    @property
    def public(self) -> PublicKey:
        """The matching public key."""
        ...

    def sign(self, data: bytes) -> bytes:
        """Ed25519 signature over `data`."""
        ...


@dataclass(frozen=True)
class Head:
    """The signed pointer to the newest entry, rewritten with every entry."""

    seq: int
    hash: str
    public_key: str
    signature: str


@dataclass(frozen=True)
class EntryFilter:
    """What `audit show` selects; every field is optional."""

    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    action: str | None = None
    camera: str | None = None
    limit: int | None = None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _check_name(value: str, field: str, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise AuditInputError(f"{field} {value!r} is not a valid name (letters, digits and _ . @ : -)")
    return value


class AuditLog:
    """Append-only, hash-chained log. Safe to share between threads and between processes."""

    def __init__(self, path: Path, signer: Signer | None, *, checkpoint_every: int = 100) -> None:
        self.path = Path(path)
        self.signer = signer
        self.checkpoint_every = checkpoint_every
        self._lock = threading.Lock()
        self.anchor_path = anchor_path(self.path)
        if signer is None:
            # Readers (verify, show) must not change the file, not even re-create a dropped trigger.
            self._db = open_database(self.path, _MIGRATIONS, what="audit log", error=AuditError, read_only=True)
            return
        anchor = read_anchor(self.anchor_path)
        if anchor is not None and anchor.seq > 0 and not self.path.exists():
            raise AuditIntegrityError(
                f"audit log {self.path} is missing, but its anchor {self.anchor_path.name} says it held {anchor.seq} "
                "entries; restore the file from a backup, or start a new log deliberately with "
                "`frigate-privacy audit init --force` (recorded in the new log)"
            )
        self._db = open_database(
            self.path, _MIGRATIONS, what="audit log", error=AuditError, pragmas=("PRAGMA synchronous=FULL",)
        )
        try:
            # A writer puts back a dropped trigger on every open (the schema itself is migrated once).
            self._db.executescript(_TRIGGERS)
        except sqlite3.Error as err:
            self._db.close()
            raise AuditError(f"cannot open audit log {self.path}: {err}") from None
        if anchor is not None:
            self._check_anchor(anchor)

    def _check_anchor(self, anchor: Anchor) -> None:
        """Refuse to append to a log that no longer reaches as far as its anchor says it did."""
        rows = self._read("SELECT hash FROM entries WHERE seq = ?", (anchor.seq,)) if anchor.seq else [("",)]
        if not rows or (anchor.seq and rows[0][0] != anchor.hash):
            self._db.close()
            raise AuditIntegrityError(
                f"audit log {self.path} does not match its anchor (entry {anchor.seq} is missing or altered): "
                "entries were deleted or the log was replaced; run `frigate-privacy audit verify`, restore the "
                "file from a backup, or start a new log deliberately with `frigate-privacy audit init --force`"
            )

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _require_signer(self) -> Signer:
        if self.signer is None:
            raise AuditError("this audit log was opened read-only (no signing key); cannot write")
        return self.signer

    def record(
        self,
        *,
        actor: str,
        role: str,
        action: AuditAction | str,
        target: str,
        reason: str,
        result: AuditResult | str,
        camera: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one entry (validated first) and return it as stored."""
        signer = self._require_signer()
        _check_name(actor, "actor", _NAME)
        _check_name(role, "role", _NAME)
        _check_name(str(action), "action", _ACTION)
        if str(result) not in AuditResult.__members__:
            raise AuditInputError(f"result must be one of {', '.join(AuditResult)}, not {result!r}")
        if camera is not None:
            _check_name(camera, "camera", _CAMERA)
        check_free_text(target, "target", 512)
        check_free_text(reason, "reason", 1000)
        details_text = validate_details(details)
        now = datetime.now(UTC)
        fields: dict[str, Any] = {
            "ts": now.isoformat(timespec="microseconds").replace("+00:00", "Z"),
            "unix": int(now.timestamp()),
            "actor": actor,
            "role": role,
            "action": str(action),
            "target": target,
            "camera": camera,
            "reason": reason,
            "result": str(result),
            "details": details_text,
        }
        with self._write_transaction():
            row = self._db.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS_HASH)
            digest = entry_hash(seq=seq, prev_hash=prev, **fields)
            entry = AuditEntry(seq=seq, prev_hash=prev, hash=digest, **fields)
            self._db.execute(
                f"INSERT INTO entries ({_ENTRY_COLUMNS}) VALUES ({', '.join('?' * 13)})",  # noqa: S608 - constant columns
                _row(entry),
            )
            self._write_head(signer, seq, digest)
            if seq % self.checkpoint_every == 0:
                self._write_checkpoint(signer, seq, digest, fields["ts"])
        # After the commit: the anchor outside the database moves forward with the log. It may lag one entry
        # behind (a crash right here, or a concurrent writer), which still vouches for a true prefix.
        write_anchor(self.anchor_path, signer, seq, digest)
        return entry

    @contextlib.contextmanager
    def _write_transaction(self) -> Iterator[None]:
        """One write transaction, serialized by the lock; rolled back on any error, sqlite's becoming AuditError."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as err:
                raise AuditError(f"cannot write to audit log {self.path}: {err}") from None

    def _write_head(self, signer: Signer, seq: int, digest: str) -> None:
        signature = _b64(signer.sign(checkpoint_message(seq, digest)))
        self._db.execute(
            "INSERT OR REPLACE INTO head (id, seq, hash, public_key, signature) VALUES (1, ?, ?, ?, ?)",
            (seq, digest, signer.public.text, signature),
        )

    def _write_checkpoint(self, signer: Signer, seq: int, digest: str, created: str) -> None:
        signature = _b64(signer.sign(checkpoint_message(seq, digest)))
        self._db.execute(
            "INSERT OR IGNORE INTO checkpoints (seq, entry_hash, created, public_key, signature) "
            "VALUES (?, ?, ?, ?, ?)",
            (seq, digest, created, signer.public.text, signature),
        )

    def checkpoint(self) -> Checkpoint | None:
        """Sign a checkpoint over the newest entry now; None when the log is empty."""
        signer = self._require_signer()
        created = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        with self._write_transaction():
            row = self._db.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
            if row is not None:
                self._write_checkpoint(signer, row[0], row[1], created)
        if row is None:
            return None
        return next(c for c in self.checkpoints() if c.seq == row[0])

    def entries(self, where: EntryFilter | None = None) -> list[AuditEntry]:
        """Entries in sequence order, optionally filtered."""
        where = where or EntryFilter()
        clauses: list[str] = []
        params: list[Any] = []
        if where.since is not None:
            clauses.append("unix >= ?")
            params.append(int(where.since.timestamp()))
        if where.until is not None:
            clauses.append("unix <= ?")
            params.append(int(where.until.timestamp()))
        for column, value in (("actor", where.actor), ("action", where.action), ("camera", where.camera)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        # Only constant column names are formatted in; every value is a bound parameter.
        sql = f"SELECT {_ENTRY_COLUMNS} FROM entries"  # noqa: S608
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY seq"
        if where.limit is not None:
            sql += " LIMIT ?"
            params.append(where.limit)
        return [_entry_from_row(row) for row in self._read(sql, params)]

    def checkpoints(self) -> list[Checkpoint]:
        """Every stored checkpoint in sequence order."""
        sql = "SELECT seq, entry_hash, created, public_key, signature FROM checkpoints ORDER BY seq"
        return [Checkpoint(*row) for row in self._read(sql)]

    def head(self) -> Head | None:
        """The signed head pointer, or None for an empty log."""
        rows = self._read("SELECT seq, hash, public_key, signature FROM head WHERE id = 1")
        return Head(*rows[0]) if rows else None

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as err:
                raise AuditError(f"cannot read audit log {self.path}: {err}") from None


def _row(entry: AuditEntry) -> tuple[Any, ...]:
    return (
        entry.seq,
        entry.ts,
        entry.unix,
        entry.actor,
        entry.role,
        entry.action,
        entry.target,
        entry.camera,
        entry.reason,
        entry.result,
        entry.details,
        entry.prev_hash,
        entry.hash,
    )


def _entry_from_row(row: tuple[Any, ...]) -> AuditEntry:
    return AuditEntry(*row)
