"""At-rest masking assembled from the config: scan, select, process at a bounded CPU share, report."""

from __future__ import annotations

import fcntl
import logging
import os
import re
import resource
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from frigate_privacy.atrest.escrow import EscrowStore
from frigate_privacy.atrest.job import Checkpoint, Outcome, Processor, sweep_temp
from frigate_privacy.atrest.journal import JobState, Journal
from frigate_privacy.atrest.masker import (
    Boxes,
    EngineBuilder,
    StillBuilder,
    default_engine,
    default_still,
    person_regions,
)
from frigate_privacy.atrest.media import FaceLibrary, MediaFile, face_library, find_media, parse_media
from frigate_privacy.atrest.selection import Backlog, PersonActivity, due_files
from frigate_privacy.atrest.workspace import (
    CameraPlan,
    Workspace,
    at_rest_cameras,
    camera_plan,
    escrow_recipients,
    workspace_for,
)
from frigate_privacy.config.atrest import AtRestSelect
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import ConfigError, PrivacyError
from frigate_privacy.frigate.boxes import Size
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.trackstore import TrackStore
from frigate_privacy.masking.types import MaskRegion

__all__ = ["AtRest", "AtRestStatus", "CpuBudget", "track_store_path"]

logger = logging.getLogger(__name__)


def track_store_path(cfg: PrivacyConfig) -> Path:
    """The track store the service's MQTT listener fills (the same file exports read)."""
    from frigate_privacy.export.operations import TRACK_STORE_FILENAME

    return Path(cfg.storage.data_dir) / TRACK_STORE_FILENAME


def _lock_slot(state_dir: Path, slot: str) -> int:
    """Hold `<state_dir>/slots/<slot>.lock` for this process's life: one live process per worker slot."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", slot):
        raise ConfigError(f"worker slot {slot[:40]!r} must be letters, digits, '_' or '-'")
    directory = state_dir / "slots"
    directory.mkdir(mode=0o700, exist_ok=True)
    fd = os.open(directory / f"{slot}.lock", os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise PrivacyError(f"another at-rest process on this host already runs as worker slot {slot!r}") from None
    return fd


class CpuBudget:
    """Keeps a worker under its share of the machine: after each job it rests in proportion to the CPU it used."""

    def __init__(self, share: float, workers: int = 1) -> None:
        # `share` is of the whole machine; one process may use several cores (x264 and ONNX threads).
        self.cores = max(1.0, share * (os.cpu_count() or 1) / max(1, workers))
        self._cpu = self._wall = 0.0
        self.start()

    @staticmethod
    def _cpu_now() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def start(self) -> None:
        """Begin measuring a job."""
        self._cpu, self._wall = self._cpu_now(), time.monotonic()

    def rest_seconds(self) -> float:
        """How long to rest after the job, so CPU used / wall time stays within the budget."""
        cpu = self._cpu_now() - self._cpu
        wall = time.monotonic() - self._wall
        return max(0.0, cpu / self.cores - wall)


@dataclass
class AtRestStatus:
    """What `atrest status` reports."""

    cameras: list[str]
    states: dict[str, int]
    backlog: Backlog
    escrow_copies: int
    escrow_bytes: int
    face_library: FaceLibrary
    failed: list[tuple[str, str]] = field(default_factory=list)


class AtRest:
    """The at-rest machinery for one process: journal, escrow, and a processor owned by `owner`."""

    def __init__(
        self,
        cfg: PrivacyConfig,
        *,
        slot: str = "once",
        engine: EngineBuilder | None = None,
        still: StillBuilder | None = None,
        frigate: FrigateClient | None = None,
        store: TrackStore | None = None,
        checkpoint: Checkpoint | None = None,
        workers: int = 1,
        masking_enabled: Callable[[str], bool] | None = None,
    ) -> None:
        self.cfg = cfg
        # The per-camera privacy masking switch (Home Assistant, the panel): while it is off, no new file of
        # that camera is handed out for masking; what is already masked stays masked.
        self._masking_enabled = masking_enabled
        self.cameras = at_rest_cameras(cfg)
        self.workspace: Workspace = workspace_for(cfg).ensure()
        self.plans: dict[str, CameraPlan] = {c: camera_plan(cfg, c) for c in self.cameras}
        recipients = escrow_recipients(cfg) if self.cameras else []
        self.journal = Journal(self.workspace.journal_path)
        self.escrow = EscrowStore(self.journal, self.workspace.escrow_dir, self.workspace.media_root)
        store_path = track_store_path(cfg)
        self._own_store = store is None
        self.store = store if store is not None else TrackStore(store_path) if store_path.exists() else None
        self._own_frigate = frigate is None
        self.frigate = frigate if frigate is not None else FrigateClient.from_config(cfg.frigate)
        self._slot_lock = _lock_slot(self.workspace.state_dir, slot)
        # A worker slot has one name across restarts, so a restarted worker resumes its own claims at once.
        self.owner = f"{os.uname().nodename}-{slot}"
        self.processor = Processor(
            workspace=self.workspace,
            journal=self.journal,
            escrow=self.escrow,
            recipients=recipients,
            plan_for=self._plan,
            engine=engine or default_engine(),
            still=still or default_still(),
            owner=self.owner,
            boxes_for=self._boxes,
            checkpoint=checkpoint,
        )
        self.budget = CpuBudget(cfg.atrest.cpu_share, workers)

    def _plan(self, camera: str) -> CameraPlan:
        plan = self.plans.get(camera)
        if plan is None:
            raise ConfigError(f"camera {camera} does not set policy.mask_at_rest")
        return plan

    def _boxes(self, file: MediaFile, plan: CameraPlan) -> Boxes | None:
        """Frigate's person boxes for a video, from the track store, scaled to each frame's size."""
        if self.store is None or not file.kind.is_video:
            return None
        people = [o for o in self.store.visible(file.camera, file.start - 2, file.end + 2) if o.label == "person"]
        if not people:
            return None

        def boxes(t: float, width: int, height: int) -> Sequence[MaskRegion]:
            found = [b for o in people if (b := o.pixel_box_at(t, Size(width, height))) is not None]
            return person_regions([(b.x1, b.y1, b.x2, b.y2) for b in found], plan.masking.bodies)

        return boxes

    def close(self) -> None:
        """Close the journal, the track store and our Frigate client; free the worker slot."""
        self.journal.close()
        os.close(self._slot_lock)
        if self.store is not None and self._own_store:
            self.store.close()
        if self._own_frigate:
            self.frigate.close()

    def __enter__(self) -> AtRest:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- work ------------------------------------------------------------------------------------------

    def scan(self, now: float | None = None) -> tuple[list[MediaFile], Backlog]:
        """Files due now, newest first, and the backlog."""
        at = self.cfg.atrest
        cameras = {c for c in self.cameras if self._masking_enabled is None or self._masking_enabled(c)}
        files = find_media(self.workspace.media_root, cameras, snapshots=at.snapshots, previews=at.previews)
        activity = None
        if at.select is AtRestSelect.activity:
            activity = PersonActivity(self.store, self.frigate, at.activity_padding_seconds)
        inactive: list[MediaFile] = []
        found = due_files(
            files,
            self.workspace.media_root,
            self.journal.states(),
            now=time.time() if now is None else now,
            delay_seconds=at.delay_minutes * 60,
            settle_seconds=at.settle_seconds,
            activity=activity,
            inactive=inactive,
        )
        if inactive:
            self.journal.mark_inactive(inactive)
        return found

    def recover(self) -> None:
        """Clean up after a crash: temp files no job needs and escrow copies of deleted recordings."""
        for path in sweep_temp(self.workspace, self.journal):
            logger.info("removed leftover temp file %s", path)
        self.escrow.expire()

    def process(self, rel: str) -> Outcome:
        """Mask one file named by its path under the media root (as jobs on the broker name it)."""
        file = parse_media(rel)
        if file is None or file.camera not in self.plans:
            logger.warning("ignoring a job for %r: not a stored file of a mask_at_rest camera", rel[:200])
            return Outcome.skipped
        self.budget.start()
        outcome = self.processor.process(file)
        return outcome

    def rest(self, stop: threading.Event) -> None:
        """Wait out the CPU budget after a job (returns early when stopping)."""
        stop.wait(self.budget.rest_seconds())

    def run_pass(
        self, stop: threading.Event | None = None, on_done: Callable[[Outcome], None] | None = None
    ) -> dict[str, int]:
        """One pass over the backlog, newest first, in this process; counts of outcomes."""
        stop = stop or threading.Event()
        self.recover()
        due, backlog = self.scan()
        logger.info("at-rest backlog: %d files, %.1f MB", backlog.files, backlog.bytes / 1e6)
        counts: dict[str, int] = {}
        for file in due:
            if stop.is_set():
                break
            outcome = self.process(file.rel)
            counts[outcome.value] = counts.get(outcome.value, 0) + 1
            if on_done is not None:
                on_done(outcome)
            if outcome is Outcome.done:
                self.rest(stop)
        return counts

    def status(self) -> AtRestStatus:
        """Journal counts, backlog, escrow size and the face library (left alone, reported)."""
        states: dict[str, int] = {}
        for state in self.journal.states().values():
            states[state.value] = states.get(state.value, 0) + 1
        _, backlog = self.scan()
        copies = self.journal.find_escrow()
        size = 0
        for record in copies:
            try:
                size += (self.workspace.escrow_dir / record.file).stat().st_size
            except OSError:
                continue
        failed = [(j.file.rel, j.error or "") for j in self.journal.jobs((JobState.failed,))]
        return AtRestStatus(
            self.cameras, states, backlog, len(copies), size, face_library(self.workspace.media_root), failed
        )
