"""The service's policy jobs against the stand-in: retention planned on schedule, applied only when configured."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from frigate_privacy.audit.location import open_audit_log
from frigate_privacy.config.loader import parse_config
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.service.policy_jobs import RETENTION_JOB, PolicyJobs
from frigate_privacy.service.runtime import Service
from tests.conftest import Broker
from tests.standin import CameraSpec, FrigateStandin, SharedAssetMissing, build_media

DAY = 86400.0


@pytest.fixture
def standin_old_footage(frigate_version: str, tmp_path: Path) -> Iterator[FrigateStandin]:
    """Frigate keeping 7 days, with a person (bob) seen 3 days ago."""
    with FrigateStandin(
        frigate_version, tmp_path / "media", cameras={"front": CameraSpec("front", retain_days=7)}
    ) as s:
        start = float(int(time.time() - 3 * DAY))
        try:
            s.add_segments(build_media(s.media_root, "front", start, 20, size=(320, 180)))
        except SharedAssetMissing as exc:
            pytest.skip(str(exc))
        s.add_walk(start=start + 2, duration=6, sub_label="bob")
        yield s


def _config(standin: FrigateStandin, broker: Broker, data: Path, *, apply: bool) -> PrivacyConfig:
    return parse_config(
        {
            "frigate": {"url": standin.url, "retries": 1, "media_root": str(standin.media_root)},
            "mqtt": {"host": broker.host, "port": broker.port, "client_id": f"fp-policy-{apply}"},
            "storage": {"data_dir": str(data)},
            "policy": {"retention": {"continuous_days": 1, "detections_days": 1, "alerts_days": 1}},
            "service": {"retention": {"apply": apply}, "audio": "off", "backfill_hours": 0},
        }
    )


@pytest.mark.parametrize("apply", [False, True])
def test_retention_job_plans_and_applies_only_when_configured(
    standin_old_footage: FrigateStandin, mqtt_broker: Broker, tmp_path: Path, apply: bool
) -> None:
    """A scheduled run plans the deletions; only `service.retention.apply: true` deletes (and audits) them."""
    cfg = _config(standin_old_footage, mqtt_broker, tmp_path / "data", apply=apply)
    jobs = PolicyJobs(cfg)
    service = Service(cfg, components=[jobs])
    ctx = service.start()
    try:
        ctx.scheduler.trigger(RETENTION_JOB)
        assert ctx.scheduler.wait_runs(RETENTION_JOB, 1, 60)
        health = jobs.health()
    finally:
        service.stop()
    assert "planned" in health.reason or "applied" in health.reason, health
    steps = int(str(health.details["retention"]["reason"]).split(" ")[1])
    assert steps > 0, health  # 3-day-old footage against a 1-day policy
    # What changed Frigate: its retention lowered (config/set) and footage deleted.
    changes: list[object] = [
        r for r in standin_old_footage.requests if r.method in ("PUT", "POST", "DELETE") and r.status < 400
    ]
    changes += standin_old_footage.deleted
    with open_audit_log(cfg) as audit:
        audited = [e for e in audit.entries() if e.action == "retention_delete" and e.result == "success"]
    if apply:
        assert changes and audited, (health, changes)
        assert all(e.actor == "service:frigate-privacy" for e in audited)
    else:
        assert changes == [] and audited == []
