"""One file through the crash-safe sequence: claim, mask to temp, escrow the original, replace, done.

Every step is recorded in the journal before the next begins, and each is redone safely after a
crash (SIGKILL included): the masked temp is written as an unnamed file and named only when complete;
the escrow copy is written the same way; the original is replaced (os.replace, same filesystem) only
when its escrow copy is indexed; a file whose bytes already are the recorded masked result is never
masked again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pyrage import x25519

from frigate_privacy.atrest.closed import is_closed
from frigate_privacy.atrest.escrow import EscrowStore, escrow_id, media_mounted, sha256_file
from frigate_privacy.atrest.journal import JobRow, JobState, Journal, LostClaim
from frigate_privacy.atrest.masker import Boxes, EngineBuilder, StillBuilder, mask_image, mask_video
from frigate_privacy.atrest.media import MediaFile
from frigate_privacy.atrest.workspace import CameraPlan, Workspace
from frigate_privacy.errors import PrivacyError
from frigate_privacy.storage.atomic import PARTIAL_PREFIX
from frigate_privacy.storage.leftovers import sweep_leftovers

__all__ = ["STEPS", "Checkpoint", "Outcome", "Processor"]

logger = logging.getLogger(__name__)

STEPS = ("claimed", "masked", "escrowed", "replaced", "done")
"""The points after which a worker may die; the kill test stops a worker at each one."""

Checkpoint = Callable[[str, str], None]
"""Called with (step, relative path) after each step is durable."""

MAX_ATTEMPTS = 3


class Outcome(StrEnum):
    """How processing one file ended."""

    done = "done"
    skipped = "skipped"
    """Done already, claimed by a live worker, not closed yet, or failed before."""
    gone = "gone"
    """Frigate deleted the file meanwhile."""
    retry = "retry"
    """An error; the original is intact and the file will be tried again."""
    failed = "failed"
    lost = "lost"
    """Another worker took the claim over (ours expired)."""


@dataclass(frozen=True)
class Processor:
    """Masks files in place for one worker (`owner`)."""

    workspace: Workspace
    journal: Journal
    escrow: EscrowStore
    recipients: Sequence[x25519.Recipient]
    plan_for: Callable[[str], CameraPlan]
    engine: EngineBuilder
    still: StillBuilder
    owner: str
    boxes_for: Callable[[MediaFile, CameraPlan], Boxes | None] = lambda file, plan: None
    checkpoint: Checkpoint | None = None

    def _cp(self, step: str, rel: str) -> None:
        if self.checkpoint is not None:
            self.checkpoint(step, rel)

    def _tmp(self, file: MediaFile) -> Path:
        return self.workspace.tmp_dir / f"{escrow_id(file.rel)}{Path(file.rel).suffix}"

    def process(self, file: MediaFile) -> Outcome:
        """Take `file` through every remaining step; never raises for a per-file problem."""
        path = file.path(self.workspace.media_root)
        if not path.exists():
            self._forget(file)
            return Outcome.gone
        previous = self.journal.get(file.rel)
        resuming = previous is not None and previous.state in (JobState.masked, JobState.escrowed)
        if not resuming and not is_closed(path, time.time(), self.workspace.settle_seconds):
            return Outcome.skipped
        job = self.journal.claim(file, self.owner, self.workspace.lease_seconds)
        if job is None:
            return Outcome.skipped
        stop = threading.Event()
        renewer = threading.Thread(target=self._renew, args=(file.rel, stop), name="atrest-lease", daemon=True)
        renewer.start()
        try:
            self._cp("claimed", file.rel)
            return self._advance(file, job, path)
        except LostClaim as err:
            logger.warning("%s", err)
            return Outcome.lost
        except PrivacyError as err:
            return self._error(file, job, err)
        except OSError as err:
            return self._error(file, job, PrivacyError(f"{file.rel}: {err.strerror or err}"))
        finally:
            stop.set()
            renewer.join()

    def _forget(self, file: MediaFile) -> None:
        """Frigate deleted the file: its escrow copy, temp file and journal entry go too."""
        if not media_mounted(self.workspace.media_root):
            return  # an unmounted media folder is not a deletion
        record = self.journal.escrow_for(file.rel)
        if record is not None:
            self.escrow.delete(record.id)
        with contextlib.suppress(FileNotFoundError):
            self._tmp(file).unlink()
        if self.journal.get(file.rel) is not None:
            self.journal.forget(file.rel)

    def _renew(self, rel: str, stop: threading.Event) -> None:
        while not stop.wait(self.workspace.lease_seconds / 3):
            with contextlib.suppress(PrivacyError, OSError):
                if not self.journal.renew(rel, self.owner, self.workspace.lease_seconds):
                    return

    def _error(self, file: MediaFile, job: JobRow, err: PrivacyError) -> Outcome:
        tmp = self._tmp(file)
        current = self.journal.get(file.rel)
        state = current.state if current is not None else JobState.working
        if state is JobState.working:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        final = job.attempts >= MAX_ATTEMPTS and state is JobState.working
        logger.error("at-rest masking of %s failed%s: %s", file.rel, " for good" if final else "", err)
        with contextlib.suppress(LostClaim):
            self.journal.set_state(file.rel, self.owner, JobState.failed if final else state, error=str(err)[:500])
            self.journal.release(file.rel, self.owner)
        return Outcome.failed if final else Outcome.retry

    def _advance(self, file: MediaFile, job: JobRow, path: Path) -> Outcome:
        tmp = self._tmp(file)
        state = job.state
        if state is JobState.working:
            job = self._mask(file, path, tmp)
            state = job.state
        if state is JobState.masked:
            current, _ = sha256_file(path)
            if current != job.orig_sha256 or not tmp.exists():
                # The file changed since it was masked, or the temp was removed: mask again from scratch.
                self.journal.set_state(file.rel, self.owner, JobState.working)
                job = self._mask(file, path, tmp)
            assert job.orig_sha256 is not None and job.orig_size is not None
            record = self.escrow.write(path, file, job.orig_sha256, job.orig_size, self.recipients)
            self.journal.add_escrow(record, self.owner)
            self._cp("escrowed", file.rel)
            state = JobState.escrowed
        if state is JobState.escrowed:
            return self._replace(file, path, tmp)
        raise PrivacyError(f"{file.rel}: unexpected journal state {state}")

    def _mask(self, file: MediaFile, path: Path, tmp: Path) -> JobRow:
        plan = self.plan_for(file.camera)
        orig_sha, orig_size = sha256_file(path)
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        sweep_leftovers(tmp.parent, PARTIAL_PREFIX)
        boxes = self.boxes_for(file, plan)
        if file.kind.is_video:
            mask_video(
                path, tmp, plan.masking, start=file.start, keep_audio=plan.keep_audio, encoding=plan.encoding,
                max_size_ratio=plan.max_size_ratio, boxes=boxes, engine=self.engine,
            )  # fmt: skip
        else:
            mask_image(path, tmp, plan.masking, still=self.still)
        # Frigate (and nginx) read the file as before: same permission bits as the original.
        os.chmod(tmp, path.stat().st_mode & 0o777)
        masked_sha, masked_size = sha256_file(tmp)
        self.journal.set_state(
            file.rel, self.owner, JobState.masked,
            orig_sha256=orig_sha, orig_size=orig_size, masked_sha256=masked_sha, masked_size=masked_size,
        )  # fmt: skip
        self._cp("masked", file.rel)
        job = self.journal.get(file.rel)
        assert job is not None
        return job

    def _replace(self, file: MediaFile, path: Path, tmp: Path) -> Outcome:
        job = self.journal.get(file.rel)
        assert job is not None
        current, _ = sha256_file(path)
        if current == job.masked_sha256:
            pass  # replaced before a crash; only the journal entry was missing
        elif current == job.orig_sha256 and tmp.exists():
            if not self.journal.renew(file.rel, self.owner, self.workspace.lease_seconds):
                raise LostClaim(f"{file.rel}: another worker took this file over")
            os.replace(tmp, path)
            _fsync_dir(path.parent)
        elif current == job.orig_sha256:
            # Escrowed, but the masked temp is gone: mask again (the escrow copy is rewritten identically).
            self.journal.set_state(file.rel, self.owner, JobState.working)
            job = self._mask(file, path, tmp)
            return self._advance(file, job, path)
        else:
            raise PrivacyError(f"{file.rel} changed while it was being masked; it was left as it is")
        self._cp("replaced", file.rel)
        self.journal.set_state(file.rel, self.owner, JobState.done, error=None)
        self._cp("done", file.rel)
        logger.info("masked %s in place (original in escrow)", file.rel)
        return Outcome.done


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sweep_temp(workspace: Workspace, journal: Journal) -> list[Path]:
    """Delete temp files no unfinished job needs (left by a crash), and stale partial outputs."""
    keep = {
        f"{escrow_id(j.file.rel)}{Path(j.file.rel).suffix}" for j in journal.jobs((JobState.masked, JobState.escrowed))
    }
    removed = sweep_leftovers(workspace.tmp_dir, PARTIAL_PREFIX)
    with contextlib.suppress(FileNotFoundError):
        for entry in workspace.tmp_dir.iterdir():
            if entry.is_file() and entry.name not in keep:
                entry.unlink()
                removed.append(entry)
    return removed
