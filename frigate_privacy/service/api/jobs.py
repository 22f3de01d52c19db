"""Exports started through the API: their state while the service runs (the registry keeps finished ones)."""

from __future__ import annotations

import threading
from typing import Literal

from pydantic import BaseModel

__all__ = ["ExportJob", "ExportJobs"]


class ExportJob(BaseModel):
    """A running or finished export started through the API."""

    job_id: str
    state: Literal["running", "done", "failed"]
    camera: str
    export_id: str | None = None
    error: str | None = None


class ExportJobs:
    """Jobs by id, shared by the request handlers and the export threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, ExportJob] = {}

    def put(self, job: ExportJob) -> None:
        """Add or replace a job's state."""
        with self._lock:
            self._jobs[job.job_id] = job

    def get(self, job_id: str) -> ExportJob | None:
        """A job's state, or None."""
        with self._lock:
            return self._jobs.get(job_id)
