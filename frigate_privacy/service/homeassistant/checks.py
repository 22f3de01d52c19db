"""The periodic reads behind the HA sensors: compliance per camera, the audit log's verification."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from frigate_privacy.audit.verify import verify_log_file
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import PrivacyError
from frigate_privacy.export.operations import local_trusted_key
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import FrigateApiError
from frigate_privacy.frigate.survey import survey
from frigate_privacy.policy.check import evaluate
from frigate_privacy.service.homeassistant.facts import CameraCompliance, camera_compliance

__all__ = ["audit_verdict", "compliance"]

logger = logging.getLogger(__name__)


def compliance(cfg: PrivacyConfig, client: FrigateClient, cameras: list[str]) -> dict[str, CameraCompliance]:
    """Audio and retention facts of `cameras` from Frigate's config, recordings and newest segments.

    Raises FrigateApiError when Frigate cannot be surveyed; a camera whose recordings cannot be listed is left out.
    """
    report = evaluate(survey(client), cfg)
    now = time.time()
    found: dict[str, CameraCompliance] = {}
    for verdict in report.cameras:
        if verdict.name not in cameras:
            continue
        try:
            rows = client.recordings(verdict.name, 0.0, now)
        except FrigateApiError as err:
            logger.warning("could not list %s recordings: %s", verdict.name, err)
            continue
        oldest = min((r.start_time for r in rows), default=None)
        found[verdict.name] = camera_compliance(verdict, oldest, cfg.policy_for(verdict.name).retention, now)
    return found


def audit_verdict(log_path: Path, data_dir: Path) -> tuple[bool, dict[str, Any]]:
    """Verify the audit log as `audit verify` does (links, checkpoints, signed head, anchor) with our own key."""
    checked = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        report = verify_log_file(log_path, local_trusted_key(data_dir))
    except PrivacyError as err:  # the log or its anchor is gone or unreadable: not OK, and why
        return False, {"entries": None, "checked_at": checked, "problem": str(err)[:300]}
    problem = report.first_problem
    return report.ok, {
        "entries": report.last_seq,
        "checked_at": checked,
        "problem": None if problem is None else str(problem),
    }
