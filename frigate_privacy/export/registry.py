"""The export registry: one SQLite row per `.fpx.age` file, so retention and erasure can find and delete it."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from frigate_privacy.export.errors import ExportError
from frigate_privacy.storage.sqlite import open_database

__all__ = ["REGISTRY_FILENAME", "ExportRecord", "ExportRegistry", "registry_path"]

REGISTRY_FILENAME = "exports.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS export (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    camera TEXT NOT NULL,
    start REAL NOT NULL,
    "end" REAL NOT NULL,
    event_ids TEXT NOT NULL DEFAULT '[]',
    sub_labels TEXT NOT NULL DEFAULT '[]',
    requester TEXT NOT NULL,
    created REAL NOT NULL,
    expires REAL NOT NULL,
    size INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS export_expires ON export (expires);
CREATE INDEX IF NOT EXISTS export_camera ON export (camera, start);
"""
# Append only: the file's user_version counts how many of these it has had (storage/sqlite.py).
_MIGRATIONS: tuple[str, ...] = (_SCHEMA,)
_COLUMNS = 'id, path, camera, start, "end", event_ids, sub_labels, requester, created, expires, size'


def registry_path(data_dir: Path) -> Path:
    """Where the registry lives inside the data directory."""
    return Path(data_dir) / REGISTRY_FILENAME


@dataclass(frozen=True)
class ExportRecord:
    """One export as registered: what it shows, who asked, and when it must go."""

    id: str
    path: Path
    camera: str
    start: float
    end: float
    requester: str
    created: float
    expires: float
    size: int
    event_ids: tuple[str, ...] = ()
    sub_labels: tuple[str, ...] = field(default=())
    """Recognised people the export shows or keeps visible (for erasure by sub_label)."""

    @property
    def export_id(self) -> str:
        """Alias of `id`."""
        return self.id


def _record(row: tuple[object, ...]) -> ExportRecord:
    return ExportRecord(
        id=str(row[0]),
        path=Path(str(row[1])),
        camera=str(row[2]),
        start=float(str(row[3])),
        end=float(str(row[4])),
        event_ids=tuple(json.loads(str(row[5]))),
        sub_labels=tuple(json.loads(str(row[6]))),
        requester=str(row[7]),
        created=float(str(row[8])),
        expires=float(str(row[9])),
        size=int(str(row[10])),
    )


class ExportRegistry:
    """SQLite registry (0600) of our exports. Safe to share between threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = open_database(self.path, _MIGRATIONS, what="the export registry", error=ExportError)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> ExportRegistry:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as err:
                raise ExportError(f"cannot read the export registry {self.path}: {err}") from None

    def add(self, record: ExportRecord) -> None:
        """Register one finished export (its id must be new)."""
        values = (
            record.id,
            str(record.path),
            record.camera,
            record.start,
            record.end,
            json.dumps(list(record.event_ids)),
            json.dumps(sorted(set(record.sub_labels))),
            record.requester,
            record.created,
            record.expires,
            record.size,
        )
        with self._lock:
            try:
                self._db.execute(f"INSERT INTO export ({_COLUMNS}) VALUES ({', '.join('?' * 11)})", values)  # noqa: S608
            except sqlite3.Error as err:
                raise ExportError(f"cannot register export {record.id}: {err}") from None

    def get(self, export_id: str) -> ExportRecord | None:
        """One record by id."""
        rows = self._query(f"SELECT {_COLUMNS} FROM export WHERE id = ?", (export_id,))  # noqa: S608
        return _record(rows[0]) if rows else None

    def all(self) -> list[ExportRecord]:
        """Every record, oldest first."""
        return [_record(r) for r in self._query(f"SELECT {_COLUMNS} FROM export ORDER BY created, id")]  # noqa: S608

    def expired(self, now: float) -> list[ExportRecord]:
        """Records whose expiry is at or before `now` (unix seconds)."""
        rows = self._query(f"SELECT {_COLUMNS} FROM export WHERE expires <= ? ORDER BY expires, id", (now,))  # noqa: S608
        return [_record(r) for r in rows]

    def find(
        self,
        camera: str | None = None,
        start: float | None = None,
        end: float | None = None,
        event_ids: Sequence[str] | None = None,
        sub_label: str | None = None,
    ) -> list[ExportRecord]:
        """Records matching every given filter: camera, overlap with [start, end], any event id, a sub_label."""
        clauses: list[str] = []
        params: list[object] = []
        if camera is not None:
            clauses.append("camera = ?")
            params.append(camera)
        if start is not None:
            clauses.append('"end" >= ?')
            params.append(start)
        if end is not None:
            clauses.append("start <= ?")
            params.append(end)
        sql = f"SELECT {_COLUMNS} FROM export"  # noqa: S608 - constant columns; values are bound
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        records = [_record(r) for r in self._query(sql + " ORDER BY created, id", params)]
        if event_ids is not None:
            wanted = set(event_ids)
            records = [r for r in records if wanted & set(r.event_ids)]
        if sub_label is not None:
            records = [r for r in records if sub_label in r.sub_labels]
        return records

    def delete(self, export_id: str) -> bool:
        """Delete the export's file and its row; True when anything was removed. Safe to repeat."""
        record = self.get(export_id)
        if record is None:
            return False
        removed = False
        with contextlib.suppress(FileNotFoundError):
            record.path.unlink()
            removed = True
        with self._lock:
            try:
                cursor = self._db.execute("DELETE FROM export WHERE id = ?", (export_id,))
            except sqlite3.Error as err:
                raise ExportError(f"cannot delete export {export_id} from the registry: {err}") from None
        return removed or cursor.rowcount > 0
