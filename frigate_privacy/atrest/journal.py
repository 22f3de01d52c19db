"""The at-rest journal and escrow index: one SQLite file shared by every worker (the journal decides).

Each stored file is, at any moment, either "original, no escrow" (no row, or a row before `escrowed`
whose replace has not happened) or "masked + escrow" (`done`). A row moves
`working -> masked -> escrowed -> done`; the step a crash interrupted is redone from the recorded state,
and a `done` file is never masked again. Claims carry a lease that the working process renews; an
expired lease means the worker died, and the next claimant takes the file over.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from frigate_privacy.atrest.media import MediaFile, MediaKind
from frigate_privacy.errors import PrivacyError
from frigate_privacy.storage.sqlite import open_database

__all__ = ["EscrowRecord", "JobRow", "JobState", "Journal"]

_MIGRATIONS = [
    """
CREATE TABLE IF NOT EXISTS job (
    rel TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    camera TEXT NOT NULL,
    start REAL NOT NULL,
    end_time REAL NOT NULL,
    state TEXT NOT NULL,
    owner TEXT,
    lease_until REAL NOT NULL DEFAULT 0,
    orig_sha256 TEXT,
    orig_size INTEGER,
    masked_sha256 TEXT,
    masked_size INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS job_state ON job (state);
CREATE TABLE IF NOT EXISTS escrow (
    id TEXT PRIMARY KEY,
    rel TEXT NOT NULL UNIQUE,
    camera TEXT NOT NULL,
    kind TEXT NOT NULL,
    start REAL NOT NULL,
    end_time REAL NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS escrow_camera_start ON escrow (camera, start);
"""
]


class JobState(StrEnum):
    """Where a file is in the masking sequence."""

    working = "working"
    """Claimed; the original is untouched, a masked temp may be under way."""
    masked = "masked"
    """The masked temp is complete (its hash recorded); no escrow yet."""
    escrowed = "escrowed"
    """The encrypted original is written and indexed; the replace may or may not have happened."""
    done = "done"
    """The masked file is in place and the original is only in escrow."""
    failed = "failed"
    """Given up after repeated errors; the original is untouched."""
    inactive = "inactive"
    """A segment with no person in it once its activity had settled: left alone under `select: activity`
    (not asked about again), masked like any other under `select: all`."""


@dataclass(frozen=True, slots=True)
class JobRow:
    """One file's journal entry."""

    file: MediaFile
    state: JobState
    owner: str | None
    lease_until: float
    orig_sha256: str | None
    orig_size: int | None
    masked_sha256: str | None
    masked_size: int | None
    attempts: int
    error: str | None


@dataclass(frozen=True, slots=True)
class EscrowRecord:
    """One encrypted original."""

    id: str
    rel: str
    camera: str
    kind: MediaKind
    start: float
    end: float
    file: str
    """Path of the .age file relative to the escrow directory."""
    sha256: str
    size: int
    created: float


_JOB_COLUMNS = (
    "rel, kind, camera, start, end_time, state, owner, lease_until, orig_sha256, orig_size, "
    "masked_sha256, masked_size, attempts, error"
)
_ESCROW_COLUMNS = "id, rel, camera, kind, start, end_time, file, sha256, size, created"


def _job(row: tuple[object, ...]) -> JobRow:
    rel, kind, camera, start, end, state, owner, lease, osha, osize, msha, msize, attempts, error = row
    return JobRow(
        MediaFile(float(start), str(rel), MediaKind(str(kind)), str(camera), float(end)),  # type: ignore[arg-type]
        JobState(str(state)),
        owner if owner is None else str(owner),
        float(lease),  # type: ignore[arg-type]
        osha if osha is None else str(osha),
        osize if osize is None else int(osize),  # type: ignore[call-overload]
        msha if msha is None else str(msha),
        msize if msize is None else int(msize),  # type: ignore[call-overload]
        int(attempts),  # type: ignore[call-overload]
        error if error is None else str(error),
    )


def _escrow(row: tuple[object, ...]) -> EscrowRecord:
    ident, rel, camera, kind, start, end, file, sha, size, created = row
    return EscrowRecord(
        str(ident),
        str(rel),
        str(camera),
        MediaKind(str(kind)),
        float(start),  # type: ignore[arg-type]
        float(end),  # type: ignore[arg-type]
        str(file),
        str(sha),
        int(size),  # type: ignore[call-overload]
        float(created),  # type: ignore[arg-type]
    )


class Journal:
    """The journal and escrow index in `<state_dir>/atrest.db` (0600, WAL, shared by processes)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # synchronous=FULL: a step the journal calls committed must survive a power cut.
        self._db = open_database(
            self.path, _MIGRATIONS, what="the at-rest journal", pragmas=("PRAGMA synchronous=FULL",), timeout=60
        )
        self._lock = threading.RLock()

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: concurrent workers serialise here, so a claim is atomic."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- jobs ----------------------------------------------------------------------------------------

    def get(self, rel: str) -> JobRow | None:
        """The journal entry of one file."""
        with self._lock:
            row = self._db.execute(f"SELECT {_JOB_COLUMNS} FROM job WHERE rel = ?", (rel,)).fetchone()  # noqa: S608 - constant column lists
        return _job(row) if row else None

    def claim(self, file: MediaFile, owner: str, lease_seconds: float, now: float | None = None) -> JobRow | None:
        """Take `file` for `owner`; None when it is done, failed, or held by a live claim of another worker."""
        now = time.time() if now is None else now
        with self._write() as db:
            row = db.execute(f"SELECT {_JOB_COLUMNS} FROM job WHERE rel = ?", (file.rel,)).fetchone()  # noqa: S608 - constant column lists
            if row is None:
                db.execute(
                    "INSERT INTO job (rel, kind, camera, start, end_time, state, owner, lease_until, attempts, updated)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
                    (file.rel, file.kind.value, file.camera, file.start, file.end, JobState.working.value, owner,
                     now + lease_seconds, now),
                )  # fmt: skip
            else:
                job = _job(row)
                if job.state in (JobState.done, JobState.failed):
                    return None
                if job.owner != owner and job.lease_until > now:
                    return None
                db.execute(
                    "UPDATE job SET owner = ?, lease_until = ?, attempts = attempts + 1, updated = ?,"
                    " state = CASE WHEN state = ? THEN ? ELSE state END WHERE rel = ?",
                    (owner, now + lease_seconds, now, JobState.inactive.value, JobState.working.value, file.rel),
                )
            claimed = db.execute(f"SELECT {_JOB_COLUMNS} FROM job WHERE rel = ?", (file.rel,)).fetchone()  # noqa: S608 - constant column lists
        return _job(claimed)

    def renew(self, rel: str, owner: str, lease_seconds: float) -> bool:
        """Extend `owner`'s claim; False when it lost the claim (it must then stop before the next step)."""
        now = time.time()
        with self._write() as db:
            cur = db.execute(
                "UPDATE job SET lease_until = ?, updated = ? WHERE rel = ? AND owner = ? AND state NOT IN (?, ?)",
                (now + lease_seconds, now, rel, owner, JobState.done.value, JobState.failed.value),
            )
            return cur.rowcount == 1

    def set_state(self, rel: str, owner: str, state: JobState, **values: str | int | None) -> None:
        """Record a step as finished; raises when `owner` no longer holds the claim (another worker took over)."""
        allowed = {"orig_sha256", "orig_size", "masked_sha256", "masked_size", "error"}
        if not set(values) <= allowed:
            raise ValueError(f"unknown journal fields {sorted(set(values) - allowed)}")
        sets = ", ".join(f"{k} = ?" for k in values)
        with self._write() as db:
            cur = db.execute(
                f"UPDATE job SET state = ?, updated = ?{', ' + sets if sets else ''} WHERE rel = ? AND owner = ?",  # noqa: S608 - constant column lists
                (state.value, time.time(), *values.values(), rel, owner),
            )
            if cur.rowcount != 1:
                raise LostClaim(f"{rel}: another worker took this file over")

    def release(self, rel: str, owner: str) -> None:
        """Give the claim up (a worker stopping mid-job); the state stays, so the next claimant resumes."""
        with self._write() as db:
            db.execute("UPDATE job SET lease_until = 0 WHERE rel = ? AND owner = ?", (rel, owner))

    def jobs(self, states: tuple[JobState, ...] = ()) -> list[JobRow]:
        """Entries, optionally only those in `states`."""
        sql = f"SELECT {_JOB_COLUMNS} FROM job"  # noqa: S608 - constant column lists
        params: tuple[str, ...] = ()
        if states:
            sql += f" WHERE state IN ({', '.join('?' * len(states))})"
            params = tuple(s.value for s in states)
        with self._lock:
            return [_job(r) for r in self._db.execute(sql + " ORDER BY start DESC", params).fetchall()]

    def states(self) -> dict[str, JobState]:
        """Every file's state, by relative path."""
        with self._lock:
            return {str(r): JobState(str(s)) for r, s in self._db.execute("SELECT rel, state FROM job").fetchall()}

    def mark_inactive(self, files: list[MediaFile]) -> None:
        """Record segments found without activity once it had settled (files with an entry are left as they are)."""
        now = time.time()
        with self._write() as db:
            db.executemany(
                "INSERT OR IGNORE INTO job (rel, kind, camera, start, end_time, state, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(f.rel, f.kind.value, f.camera, f.start, f.end, JobState.inactive.value, now) for f in files],
            )

    def forget(self, rel: str) -> None:
        """Drop a file's entry (Frigate deleted the file)."""
        with self._write() as db:
            db.execute("DELETE FROM job WHERE rel = ?", (rel,))

    # -- escrow index --------------------------------------------------------------------------------

    def add_escrow(self, record: EscrowRecord, owner: str) -> None:
        """Index an escrow copy and move its job to `escrowed`, in one transaction."""
        with self._write() as db:
            db.execute(
                f"INSERT OR REPLACE INTO escrow ({_ESCROW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - constant column lists
                (record.id, record.rel, record.camera, record.kind.value, record.start, record.end, record.file,
                 record.sha256, record.size, record.created),
            )  # fmt: skip
            cur = db.execute(
                "UPDATE job SET state = ?, updated = ? WHERE rel = ? AND owner = ?",
                (JobState.escrowed.value, time.time(), record.rel, owner),
            )
            if cur.rowcount != 1:
                raise LostClaim(f"{record.rel}: another worker took this file over")

    def escrow_for(self, rel: str) -> EscrowRecord | None:
        """The escrow copy of one file."""
        with self._lock:
            row = self._db.execute(f"SELECT {_ESCROW_COLUMNS} FROM escrow WHERE rel = ?", (rel,)).fetchone()  # noqa: S608 - constant column lists
        return _escrow(row) if row else None

    def find_escrow(
        self, camera: str | None = None, start: float | None = None, end: float | None = None
    ) -> list[EscrowRecord]:
        """Escrow copies of `camera` whose content overlaps [start, end], oldest first."""
        sql = f"SELECT {_ESCROW_COLUMNS} FROM escrow WHERE 1 = 1"  # noqa: S608 - constant column lists
        params: list[object] = []
        if camera is not None:
            sql += " AND camera = ?"
            params.append(camera)
        if start is not None:
            sql += " AND end_time >= ?"
            params.append(start)
        if end is not None:
            sql += " AND start <= ?"
            params.append(end)
        with self._lock:
            return [_escrow(r) for r in self._db.execute(sql + " ORDER BY start, rel", params).fetchall()]

    def escrow_by_id(self, escrow_id: str) -> EscrowRecord | None:
        """One escrow copy by id."""
        with self._lock:
            row = self._db.execute(f"SELECT {_ESCROW_COLUMNS} FROM escrow WHERE id = ?", (escrow_id,)).fetchone()  # noqa: S608 - constant column lists
        return _escrow(row) if row else None

    def drop_escrow(self, escrow_id: str) -> None:
        """Remove an escrow copy's index row (its file is deleted first by the caller)."""
        with self._write() as db:
            db.execute("DELETE FROM escrow WHERE id = ?", (escrow_id,))


class LostClaim(PrivacyError):
    """Another worker holds this file now (our lease expired); stop without touching it."""
