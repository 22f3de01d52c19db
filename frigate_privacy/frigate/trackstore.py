"""SQLite store of what Frigate reported per tracked object, queried by camera and time window."""

from __future__ import annotations

import contextlib
import json
import math
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from frigate_privacy.frigate.boxes import RelBox, Size
from frigate_privacy.frigate.models import ApiEvent, AttributeBox, EventMessage, TimelineEntry, TrackedObjectState
from frigate_privacy.frigate.tracks import OBJECT_KIND, BoxKeyframe, TrackedObject
from frigate_privacy.storage.sqlite import open_database

__all__ = ["TRACK_STORE_FILENAME", "TrackStore", "track_store_path"]

TRACK_STORE_FILENAME = "tracks.sqlite3"


def track_store_path(data_dir: Path) -> Path:
    """The track store's default file in the data directory."""
    return Path(data_dir) / TRACK_STORE_FILENAME


_SCHEMA = """
CREATE TABLE IF NOT EXISTS tracked_object (
    id TEXT PRIMARY KEY,
    camera TEXT NOT NULL,
    label TEXT NOT NULL,
    sub_label TEXT,
    sub_label_score REAL,
    start_time REAL NOT NULL,
    end_time REAL,
    detect_width INTEGER,
    detect_height INTEGER,
    zones TEXT NOT NULL DEFAULT '[]',
    attributes TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS tracked_object_camera_start ON tracked_object (camera, start_time);
CREATE TABLE IF NOT EXISTS keyframe (
    event_id TEXT NOT NULL REFERENCES tracked_object (id) ON DELETE CASCADE,
    t REAL NOT NULL,
    kind TEXT NOT NULL,
    x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
    score REAL,
    source TEXT NOT NULL,
    PRIMARY KEY (event_id, kind, t, x1, y1, x2, y2)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS path_point (
    event_id TEXT NOT NULL REFERENCES tracked_object (id) ON DELETE CASCADE,
    t REAL NOT NULL, x REAL NOT NULL, y REAL NOT NULL,
    PRIMARY KEY (event_id, t)
) WITHOUT ROWID;
"""

# Append only: the file's user_version counts how many of these it has had (storage/sqlite.py).
_MIGRATIONS: tuple[str, ...] = (_SCHEMA,)

# Rounding makes a reprocessed message produce byte-identical rows, so INSERT OR IGNORE deduplicates.
_DIGITS = 6


def _r(value: float) -> float:
    return round(value, _DIGITS)


@dataclass(frozen=True)
class _Sighting:
    """An object box (detect pixels) and its attribute boxes seen at time `t`, from an update or a snapshot."""

    t: float
    box: tuple[float, float, float, float] | None
    score: float | None
    attributes: Sequence[AttributeBox]


class TrackStore:
    """Embedded track store. Thread-safe: MQTT handlers and API backfill may write concurrently."""

    def __init__(self, path: Path) -> None:
        self.db_path = path
        self._lock = threading.Lock()
        self._db = open_database(
            path,
            _MIGRATIONS,
            what="the track store",
            pragmas=("PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL"),
        )

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> TrackStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------------

    def _upsert_object(
        self,
        *,
        event_id: str,
        camera: str,
        label: str,
        start_time: float,
        end_time: float | None,
        sub_label: str | None,
        sub_label_score: float | None,
        detect: Size | None,
        zones: Iterable[str],
        attributes: dict[str, float],
    ) -> None:
        row = self._db.execute("SELECT zones, attributes FROM tracked_object WHERE id = ?", (event_id,)).fetchone()
        merged_zones = sorted(set(json.loads(row[0]) if row else []) | set(zones))
        merged_attrs: dict[str, float] = json.loads(row[1]) if row else {}
        for name, score in attributes.items():
            if math.isfinite(score):
                merged_attrs[name] = max(score, merged_attrs.get(name, score))
        self._db.execute(
            """
            INSERT INTO tracked_object (id, camera, label, sub_label, sub_label_score, start_time, end_time,
                                        detect_width, detect_height, zones, attributes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                label = excluded.label,
                sub_label = COALESCE(excluded.sub_label, sub_label),
                sub_label_score = COALESCE(excluded.sub_label_score, sub_label_score),
                start_time = MIN(start_time, excluded.start_time),
                end_time = COALESCE(excluded.end_time, end_time),
                detect_width = COALESCE(excluded.detect_width, detect_width),
                detect_height = COALESCE(excluded.detect_height, detect_height),
                zones = excluded.zones,
                attributes = excluded.attributes
            """,
            (
                event_id,
                camera,
                label,
                sub_label,
                sub_label_score,
                start_time,
                end_time,
                detect.width if detect else None,
                detect.height if detect else None,
                json.dumps(merged_zones),
                json.dumps(merged_attrs, sort_keys=True),
            ),
        )

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """One transaction under the lock: committed when the block ends, rolled back if it raises."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            yield

    def _keyframe(self, event_id: str, t: float, kind: str, box: RelBox, score: float | None, source: str) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO keyframe VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event_id, _r(t), kind, _r(box.x1), _r(box.y1), _r(box.x2), _r(box.y2), score, source),
        )

    def _state(self, state: TrackedObjectState, detect: Size) -> None:
        self._upsert_object(
            event_id=state.id,
            camera=state.camera,
            label=state.label,
            start_time=state.start_time,
            end_time=state.end_time,
            sub_label=state.sub_label,
            sub_label_score=state.sub_label_score,
            detect=detect,
            zones=[*state.entered_zones, *state.current_zones],
            attributes=state.attributes,
        )
        sighting = _Sighting(state.time, state.box, state.score, state.current_attributes)
        self._sighting(state.id, sighting, detect, "mqtt")
        snap = state.snapshot
        if snap is not None and snap.frame_time is not None:
            self._sighting(
                state.id, _Sighting(snap.frame_time, snap.box, snap.score, snap.attributes), detect, "snapshot"
            )
        self._path(state.id, [(p.t, p.x, p.y) for p in state.path_data])

    def _sighting(self, event_id: str, seen: _Sighting, detect: Size, source: str) -> None:
        """Keyframes for the object box and each attribute box seen at one moment."""
        if seen.box is not None:
            box = RelBox.from_detect_pixels(seen.box, detect)
            self._keyframe(event_id, seen.t, OBJECT_KIND, box, seen.score, source)
        for attr in seen.attributes:
            box = RelBox.from_detect_pixels(attr.box, detect)
            self._keyframe(event_id, seen.t, attr.label, box, attr.score, source)

    def _path(self, event_id: str, points: Iterable[tuple[float, float, float]]) -> None:
        self._db.executemany(
            "INSERT OR IGNORE INTO path_point VALUES (?, ?, ?, ?)",
            [(event_id, _r(t), _r(x), _r(y)) for t, x, y in points],
        )

    def add_event_message(self, message: EventMessage, detect: Size) -> None:
        """Store one `<prefix>/events` message; `detect` is the camera's detect resolution."""
        with self._write():
            if message.before is not None:
                # The earlier state is real too (even the false-positive one): more boxes mask more.
                self._state(message.before, detect)
            self._state(message.after, detect)

    def add_api_event(self, event: ApiEvent, detect: Size | None = None) -> None:
        """Store an event from `GET /api/events` (backfill): metadata and path; boxes come from the timeline."""
        with self._write():
            self._upsert_object(
                event_id=event.id,
                camera=event.camera,
                label=event.label,
                start_time=event.start_time,
                end_time=event.end_time,
                sub_label=event.sub_label,
                sub_label_score=event.data.sub_label_score,
                detect=detect,
                zones=event.zones,
                attributes={a.label: a.score for a in event.data.attributes if a.score is not None},
            )
            self._path(event.id, [(p.t, p.x, p.y) for p in event.data.path_data])

    def add_timeline(self, event: ApiEvent, entries: Iterable[TimelineEntry]) -> int:
        """Store an event's timeline rows as object keyframes; returns how many rows carried a box."""
        count = 0
        with self._write():
            for entry in entries:
                if entry.source_id not in (None, event.id) or entry.data.box is None:
                    continue
                self._keyframe(
                    event.id, entry.timestamp, OBJECT_KIND, RelBox.from_xywh(entry.data.box), None, "timeline"
                )
                count += 1
        return count

    # -- erasure and retention ---------------------------------------------------------------------

    def find_ids(
        self,
        *,
        sub_label: str | None = None,
        event_ids: Sequence[str] = (),
        camera: str | None = None,
        start: float | None = None,
        end: float | None = None,
    ) -> list[str]:
        """Ids of stored objects of a person (sub label), of given events, or alive on a camera in a window."""
        found: set[str] = set()
        with self._lock:
            if sub_label is not None:
                rows = self._db.execute("SELECT id FROM tracked_object WHERE sub_label = ?", (sub_label,))
                found.update(str(r[0]) for r in rows)
            for event_id in event_ids:
                rows = self._db.execute("SELECT id FROM tracked_object WHERE id = ?", (event_id,))
                found.update(str(r[0]) for r in rows)
            if camera is not None and start is not None and end is not None:
                rows = self._db.execute(
                    "SELECT id FROM tracked_object WHERE camera = ? AND start_time < ? "
                    "AND COALESCE(end_time, start_time) > ?",
                    (camera, end, start),
                )
                found.update(str(r[0]) for r in rows)
        return sorted(found)

    def delete(self, event_id: str) -> bool:
        """Remove one object with its keyframes and path (cascade); False when it was not stored."""
        with self._write():
            cursor = self._db.execute("DELETE FROM tracked_object WHERE id = ?", (event_id,))
        return cursor.rowcount > 0

    def prune(self, ended_before: float, *, sub_label: str | None = None, dry_run: bool = False) -> int:
        """Remove objects (of one person, if given) that ended before `ended_before`; returns how many.

        An object that never reported an end counts from its start. `dry_run` only counts.
        """
        where = "COALESCE(end_time, start_time) < ?" + (" AND sub_label = ?" if sub_label is not None else "")
        params: tuple[object, ...] = (ended_before,) if sub_label is None else (ended_before, sub_label)
        if dry_run:
            with self._lock:
                row = self._db.execute(f"SELECT COUNT(*) FROM tracked_object WHERE {where}", params).fetchone()  # noqa: S608 - constant clauses
            return int(row[0])
        with self._write():
            cursor = self._db.execute(f"DELETE FROM tracked_object WHERE {where}", params)  # noqa: S608 - constant clauses
        return int(cursor.rowcount)

    def count(self) -> int:
        """How many objects are stored."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM tracked_object").fetchone()[0])

    # -- reading -----------------------------------------------------------------------------------

    def visible(self, camera: str, t1: float, t2: float) -> list[TrackedObject]:
        """Tracked objects alive in camera `camera` between `t1` and `t2`, with the keyframes that matter.

        Keyframes inside the window are returned together with the last one before and the first one
        after it (per kind), so `box_at` can interpolate across the window's edges.
        """
        with self._lock:
            rows = self._db.execute(
                """
                SELECT id, camera, label, sub_label, sub_label_score, start_time, end_time,
                       detect_width, detect_height, zones, attributes
                FROM tracked_object
                WHERE camera = ? AND start_time <= ? AND (end_time IS NULL OR end_time >= ?)
                ORDER BY start_time, id
                """,
                (camera, t2, t1),
            ).fetchall()
            objects = []
            for row in rows:
                frames = self._db.execute(
                    "SELECT t, kind, x1, y1, x2, y2, score FROM keyframe WHERE event_id = ? ORDER BY kind, t",
                    (row[0],),
                ).fetchall()
                objects.append(self._object(row, _window([_frame(f) for f in frames], t1, t2)))
        return objects

    def with_sub_label(
        self, sub_label: str, *, after: float | None = None, before: float | None = None
    ) -> list[TrackedObject]:
        """Objects recognised as `sub_label` (exact) alive in [after, before], without keyframes (right of access)."""
        with self._lock:
            rows = self._db.execute(
                """
                SELECT id, camera, label, sub_label, sub_label_score, start_time, end_time,
                       detect_width, detect_height, zones, attributes
                FROM tracked_object
                WHERE sub_label = ? AND start_time <= ? AND (end_time IS NULL OR end_time >= ?)
                ORDER BY start_time, id
                """,
                (sub_label, math.inf if before is None else before, -math.inf if after is None else after),
            ).fetchall()
        return [self._object(row, []) for row in rows]

    def get(self, event_id: str) -> TrackedObject | None:
        """One tracked object with all its keyframes."""
        with self._lock:
            row = self._db.execute(
                """
                SELECT id, camera, label, sub_label, sub_label_score, start_time, end_time,
                       detect_width, detect_height, zones, attributes
                FROM tracked_object WHERE id = ?
                """,
                (event_id,),
            ).fetchone()
            if row is None:
                return None
            frames = self._db.execute(
                "SELECT t, kind, x1, y1, x2, y2, score FROM keyframe WHERE event_id = ? ORDER BY t, kind",
                (event_id,),
            ).fetchall()
        return self._object(row, sorted((_frame(f) for f in frames), key=lambda k: (k.t, k.kind)))

    def path(self, event_id: str) -> list[tuple[float, float, float]]:
        """Bottom-centre path points `(t, x, y)` (relative) of one object, sorted by time (0.16+)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT t, x, y FROM path_point WHERE event_id = ? ORDER BY t", (event_id,)
            ).fetchall()
        return [(float(t), float(x), float(y)) for t, x, y in rows]

    @staticmethod
    def _object(row: tuple[object, ...], keyframes: list[BoxKeyframe]) -> TrackedObject:
        width, height = row[7], row[8]
        return TrackedObject(
            id=str(row[0]),
            camera=str(row[1]),
            label=str(row[2]),
            sub_label=None if row[3] is None else str(row[3]),
            sub_label_score=None if row[4] is None else float(str(row[4])),
            start_time=float(str(row[5])),
            end_time=None if row[6] is None else float(str(row[6])),
            detect_size=Size(int(str(width)), int(str(height))) if width and height else None,
            zones=json.loads(str(row[9])),
            attributes=json.loads(str(row[10])),
            keyframes=keyframes,
        )


def _frame(row: tuple[float, str, float, float, float, float, float | None]) -> BoxKeyframe:
    t, kind, x1, y1, x2, y2, score = row
    return BoxKeyframe(t=t, kind=kind, box=RelBox(x1, y1, x2, y2), score=score)


def _window(frames: list[BoxKeyframe], t1: float, t2: float) -> list[BoxKeyframe]:
    """Frames in [t1, t2] plus the nearest one on each side, per kind, sorted by time."""
    kept: list[BoxKeyframe] = []
    for kind in sorted({f.kind for f in frames}):
        series = sorted((f for f in frames if f.kind == kind), key=lambda f: f.t)
        before = [f for f in series if f.t < t1]
        after = [f for f in series if f.t > t2]
        kept.extend(before[-1:])
        kept.extend(f for f in series if t1 <= f.t <= t2)
        kept.extend(after[:1])
    return sorted(kept, key=lambda f: (f.t, f.kind))
