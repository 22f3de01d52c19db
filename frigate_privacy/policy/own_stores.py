"""Our own stores that can hold a person's data, as erasure and retention see them.

The track store (boxes, paths and sub labels of every tracked object), our exports (exports_link), the
escrow of at-rest masking (escrow_link), snapshot caches and our logs. Erasure removes the person from
each and its report lists every store with what was removed; retention prunes the track store by the
same ages as Frigate's alert and detection footage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from frigate_privacy.frigate.trackstore import TrackStore, track_store_path

__all__ = [
    "AUDIT_NOTE",
    "LOGS_NOTE",
    "SNAPSHOT_CACHE_NOTE",
    "TrackStoreLike",
    "open_track_store",
    "track_retention_cutoffs",
]

LOGS_NOTE = (
    "the CLI and the service log to stdout/stderr only, so there is no log file of ours to erase; log lines may "
    "name event ids, and whatever collects them (journald, Docker) keeps them by its own retention"
)
SNAPSHOT_CACHE_NOTE = "the plugin keeps no snapshot files of its own (nothing cached on disk to erase)"
AUDIT_NOTE = (
    "entries naming this request are kept: the audit log is append-only and is the record that the erasure happened"
)


class TrackStoreLike(Protocol):
    """What erasure and retention need from the track store."""

    def find_ids(
        self,
        *,
        sub_label: str | None = None,
        event_ids: tuple[str, ...] | list[str] = (),
        camera: str | None = None,
        start: float | None = None,
        end: float | None = None,
    ) -> list[str]:
        """Ids of stored objects of the selection."""
        ...

    def delete(self, event_id: str) -> bool:
        """Remove one object (idempotent: False when not stored)."""
        ...

    def prune(self, ended_before: float, *, sub_label: str | None = None, dry_run: bool = False) -> int:
        """Remove (or count) objects that ended before a time."""
        ...


def open_track_store(data_dir: Path) -> TrackStore | None:
    """The data directory's track store, or None when there is none (never created here)."""
    path = track_store_path(data_dir)
    return TrackStore(path) if path.exists() else None


def track_retention_cutoffs(
    now: float, alerts_days: float | None, detections_days: float | None, sub_labels: dict[str, float]
) -> tuple[float | None, dict[str, float]]:
    """Prune times: everyone's boxes go with the longest-kept alert or detection footage, a person's sooner.

    Boxes are only needed to mask (or keep visible) a tracked object in footage that still exists, so
    they never outlive the footage under our retention policy (pure).
    """
    limits = [d for d in (alerts_days, detections_days) if d is not None]
    everyone = now - max(limits) * 86400.0 if limits else None
    return everyone, {name: now - days * 86400.0 for name, days in sub_labels.items()}
