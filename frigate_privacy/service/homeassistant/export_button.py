"""The "export last event (redacted, encrypted)" button: one export job per camera at a time, in its own thread."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.crypto.age_keys import load_recipients
from frigate_privacy.errors import InputError
from frigate_privacy.export.job import ExportRequest
from frigate_privacy.export.operations import make_export
from frigate_privacy.frigate.client import FrigateClient

__all__ = ["ExportButton"]

logger = logging.getLogger(__name__)

ReportFn = Callable[[str, dict[str, Any]], None]
"""`report(camera, attributes)`: shows the job's state on the button."""


class ExportButton:
    """Exports a camera's newest Frigate event to `homeassistant.export`'s recipients when pressed."""

    def __init__(
        self, config: PrivacyConfig, client: FrigateClient, report: ReportFn, *, actor: str, role: str
    ) -> None:
        self._cfg = config
        self._client = client
        self._report = report
        self._actor, self._role = actor, role
        self._lock = threading.Lock()
        self._running: set[str] = set()

    def press(self, camera: str) -> None:
        """Start the export in a thread; a press while that camera's export runs is ignored."""
        with self._lock:
            if camera in self._running:
                logger.info("export of %s already running; press ignored", camera)
                return
            self._running.add(camera)
        threading.Thread(target=self._run, args=(camera,), name=f"ha-export-{camera}", daemon=True).start()

    def _run(self, camera: str) -> None:
        settings = self._cfg.homeassistant.export
        self._report(camera, {"state": "running", "started": time.time()})
        event_id: str | None = None
        try:
            events = self._client.events(cameras=[camera], limit=1)
            if not events:
                raise InputError(f"Frigate has no event of camera {camera} to export")
            event_id = events[0].id
            files = [settings.recipients_file] if settings.recipients_file else []
            request = ExportRequest(
                camera=camera,
                span=None,
                requester=settings.requester,
                purpose=settings.purpose,
                legal_basis=settings.legal_basis,
                actor=self._actor,
                event_ids=(event_id,),
                recipients=load_recipients(settings.recipients, files),
            )
            # make_export audits the export (intent first, then outcome) like every other export.
            result = make_export(self._cfg, request, role=self._role, client=self._client)
            outcome = {"state": "done", "event_id": event_id, "export_id": result.record.id, "finished": time.time()}
        except Exception as err:  # shown on the button; make_export audited the failure when it got that far
            logger.warning("export of the last event of %s failed: %s", camera, err)
            outcome = {"state": "failed", "event_id": event_id, "error": str(err)[:300], "finished": time.time()}
        finally:
            with self._lock:
                self._running.discard(camera)
        self._report(camera, outcome)
