"""Periodic and on-demand jobs of the service (retention, export expiry, audio-off, probes), one thread each."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from frigate_privacy.service.component import ComponentHealth

__all__ = ["Job", "Scheduler"]

logger = logging.getLogger(__name__)


@dataclass
class Job:
    """One named job and what it last did (shown in health)."""

    name: str
    fn: Callable[[], None]
    interval: float | None
    first_delay: float
    wake: threading.Event = field(default_factory=threading.Event)
    runs: int = 0
    failures: int = 0
    last_start: float | None = None
    last_end: float | None = None
    last_error: str | None = None
    running: bool = False
    thread: threading.Thread | None = None


class Scheduler:
    """Runs each job in its own thread: every `interval` seconds and whenever `trigger(name)` is called.

    A job never overlaps itself: triggers that arrive while it runs coalesce into one more run. A job
    that raises is logged and counted; it runs again at its next turn (the service never stops on it).
    """

    def __init__(self, stopping: threading.Event) -> None:
        self._stopping = stopping
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._started = False

    def every(self, seconds: float, name: str, fn: Callable[[], None], *, first_delay: float | None = None) -> Job:
        """Run `fn` every `seconds` (first after `first_delay`, default `seconds`), and on `trigger(name)`."""
        if seconds <= 0:
            raise ValueError(f"job {name}: interval must be positive, got {seconds}")
        return self._add(Job(name, fn, seconds, seconds if first_delay is None else first_delay))

    def on_demand(self, name: str, fn: Callable[[], None]) -> Job:
        """Run `fn` only when `trigger(name)` is called (e.g. from the Frigate-online hook)."""
        return self._add(Job(name, fn, None, 0.0))

    def _add(self, job: Job) -> Job:
        with self._lock:
            if job.name in self._jobs:
                raise ValueError(f"job {job.name!r} is registered twice")
            self._jobs[job.name] = job
            if self._started:
                self._spawn(job)
        return job

    def trigger(self, name: str) -> None:
        """Run the job soon (returns at once)."""
        with self._lock:
            job = self._jobs.get(name)
        if job is None:
            raise KeyError(f"no job named {name!r}")
        job.wake.set()

    def start(self) -> None:
        """Start every job's thread (jobs added later start at once)."""
        with self._lock:
            self._started = True
            for job in self._jobs.values():
                self._spawn(job)

    def stop(self, timeout: float) -> None:
        """Wake every job so it sees `stopping`; wait up to `timeout` s for running jobs to finish."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.wake.set()
        deadline = time.monotonic() + timeout
        for job in jobs:
            if job.thread is not None:
                job.thread.join(max(0.0, deadline - time.monotonic()))
                if job.thread.is_alive():
                    logger.warning("job %s still running at shutdown; abandoned", job.name)

    def jobs(self) -> list[Job]:
        """The registered jobs."""
        with self._lock:
            return list(self._jobs.values())

    def wait_runs(self, name: str, runs: int, timeout: float) -> bool:
        """Block until job `name` finished at least `runs` runs; True when it did (for tests and benchmarks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                job = self._jobs.get(name)
            if job is not None and job.runs >= runs:
                return True
            time.sleep(0.02)
        return False

    def health(self) -> ComponentHealth:
        """Degraded when a job's last run failed; details per job."""
        details = {
            job.name: {
                "interval": job.interval,
                "runs": job.runs,
                "failures": job.failures,
                "running": job.running,
                "last_end": job.last_end,
                "last_error": job.last_error,
            }
            for job in self.jobs()
        }
        failing = sorted(name for name, d in details.items() if d["last_error"] is not None)
        if failing:
            return ComponentHealth("degraded", f"last run failed: {', '.join(failing)}", details)
        return ComponentHealth("ok", f"{len(details)} job(s) scheduled", details)

    def _spawn(self, job: Job) -> None:
        job.thread = threading.Thread(target=self._loop, args=(job,), name=f"job-{job.name}", daemon=True)
        job.thread.start()

    def _loop(self, job: Job) -> None:
        wait: float | None = job.first_delay if job.interval is not None else None
        while not self._stopping.is_set():
            job.wake.wait(wait)
            job.wake.clear()
            if self._stopping.is_set():
                return
            self._run(job)
            wait = job.interval

    def _run(self, job: Job) -> None:
        job.running = True
        job.last_start = time.time()
        try:
            job.fn()
            job.last_error = None
        except Exception as err:  # one failing job must not stop the others or the service
            job.failures += 1
            job.last_error = f"{type(err).__name__}: {err}"[:500]
            logger.warning("job %s failed: %s", job.name, job.last_error, extra={"job": job.name})
        finally:
            job.last_end = time.time()
            job.running = False
            job.runs += 1
