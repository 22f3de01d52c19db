"""Retention against the Frigate stand-in (0.14, 0.16, 0.18): plan, --apply, audit, and Frigate going down halfway."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from frigate_privacy.audit.location import open_audit_log
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.cli import main
from frigate_privacy.config.loader import parse_config
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.exit_codes import ExitCode
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.policy.apply import StepStatus
from frigate_privacy.policy.journal import StepJournal
from frigate_privacy.policy.retention import journal_path, run_retention
from frigate_privacy.policy.steps import StepKind
from tests.json_shapes import assert_json_shape
from tests.standin import CameraSpec, FrigateStandin, SharedAssetMissing, build_media
from tests.standin.media import local_path

DAY = 86400.0


@pytest.fixture
def scene(frigate_version: str, tmp_path: Path) -> Any:
    """A stand-in keeping 7 days of continuous footage, with alice (per-person limit 1 day) and bob 3 days ago."""
    spec = CameraSpec("front", retain_days=7, snapshots_retain_days=10)
    with FrigateStandin(frigate_version, tmp_path / "media", cameras={"front": spec}) as s:
        start = float(int(time.time() - 3 * DAY))
        try:
            segs = build_media(s.media_root, "front", start, 60, size=(320, 180))
        except SharedAssetMissing as exc:
            pytest.skip(str(exc))
        s.add_segments(segs)
        alice = s.add_walk(start=start + 2, duration=6, sub_label="alice")
        bob = s.add_walk(start=start + 42, duration=6, sub_label="bob")
        cfg = parse_config(
            {
                "frigate": {"url": s.url, "retries": 1, "media_root": str(s.media_root)},
                "storage": {"data_dir": str(tmp_path / "data")},
                "policy": {"retention": {"continuous_days": 1, "alerts_days": 5, "sub_labels": {"alice": 1}}},
            }
        )
        yield s, cfg, alice, bob


def _deleted(s: FrigateStandin, kind: str) -> list[str]:
    return [d.ident for d in s.deleted if d.kind == kind]


def _audit_targets(audit: AuditLog, action: str, result: str = "success") -> list[str]:
    return [e.target for e in audit.entries() if e.action == action and e.result == result]


def _expected_recordings(s: FrigateStandin, steps: list[Any]) -> set[str]:
    """Segment rows a plan's footage steps cover, computed from the stand-in's rows before applying."""
    out = set()
    for step in steps:
        if step.kind in (StepKind.delete_review, StepKind.delete_recordings):
            a, b = step.params["start"], step.params["end"]
            out |= {r["id"] for r in s.recording_rows("front", a, b)}
    return out


def bring_back(s: FrigateStandin) -> None:
    """Start the stand-in again once the fault's shutdown (in a thread) has released the port."""
    deadline = time.monotonic() + 10
    while s.running and time.monotonic() < deadline:
        time.sleep(0.02)
    while True:
        try:
            s.start()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _run(cfg: PrivacyConfig, audit: AuditLog | None, apply: bool) -> Any:
    with FrigateClient.from_config(cfg.frigate) as client:
        return run_retention(cfg, client, audit, time.time(), apply=apply)


def test_dry_run_changes_nothing(scene: Any) -> None:
    s, cfg, _alice, _bob = scene
    report = _run(cfg, None, apply=False)
    assert report.plan.steps and not report.applied
    assert s.deleted == []
    assert not [r for r in s.requests if r.method in ("PUT", "POST", "DELETE")]


def test_apply_deletes_exactly_the_plan(scene: Any, frigate_version: str) -> None:
    s, cfg, alice, bob = scene
    plan = _run(cfg, None, apply=False).plan
    expected_recordings = _expected_recordings(s, plan.steps)
    planned_events = {st.target for st in plan.steps if st.kind is StepKind.delete_event}
    planned_reviews = {st.target for st in plan.steps if st.kind is StepKind.delete_review}
    assert planned_events == {alice.event_id}
    assert planned_reviews == {alice.review_id}
    with open_audit_log(cfg) as audit:
        report = _run(cfg, audit, apply=True)
        assert report.complete, report.outcomes
        assert [st.key for st in report.plan.steps] == [st.key for st in plan.steps]
        assert set(_deleted(s, "event")) == planned_events
        assert set(_deleted(s, "review")) == planned_reviews
        assert set(_deleted(s, "recording")) == expected_recordings and expected_recordings
        assert bob.event_id in s.events and bob.review_id in s.reviews
        # Each deletion and each config change is in the audit log exactly once, as done.
        deletions = [st.target for st in plan.steps if st.kind is not StepKind.config_set]
        assert sorted(_audit_targets(audit, "retention_delete")) == sorted(deletions)
        configs = [st.target for st in plan.steps if st.kind is StepKind.config_set]
        assert sorted(_audit_targets(audit, "config_change")) == sorted(configs)
    # Residue files the API leaves are gone too (0.16+ event thumbnail; review thumbnail on every version).
    assert not local_path(s.media_root, f"/media/frigate/clips/review/thumb-front-{alice.review_id}.webp").exists()
    assert local_path(s.media_root, f"/media/frigate/clips/review/thumb-front-{bob.review_id}.webp").exists()
    if frigate_version != "0.14":
        train = s.media_root / "clips" / "faces" / "train"
        assert not list(train.glob(f"{alice.event_id}-*"))
        assert list(train.glob(f"{bob.event_id}-*"))
        assert not (s.media_root / "clips" / "thumbs" / "front" / f"{alice.event_id}.webp").exists()


def test_config_changes_take_the_version_form(scene: Any, frigate_version: str) -> None:
    s, cfg, _alice, _bob = scene
    with open_audit_log(cfg) as audit:
        report = _run(cfg, audit, apply=True)
    assert report.complete
    keys = {st.target for st in report.plan.steps if st.kind is StepKind.config_set}
    cont = "continuous.days" if frigate_version == "0.18" else "retain.days"
    alerts = "events.retain.default" if frigate_version == "0.14" else "alerts.retain.days"
    assert {f"cameras.front.record.{cont}", f"cameras.front.record.{alerts}"} <= keys
    assert "cameras.front.snapshots.retain.default" not in keys  # no snapshot limit in this policy
    rec = s.config["cameras"]["front"]["record"]
    if frigate_version == "0.18":
        # Applied live through update_topic: GET /api/config shows it without a restart.
        assert rec["continuous"]["days"] == 1 and rec["alerts"]["retain"]["days"] == 5
        assert not report.plan.restart_needed
    else:
        assert report.plan.restart_needed and s.pending_restart
        assert "days: 1" in s.config_yaml
        s.restart()
        rec = s.config["cameras"]["front"]["record"]
        assert rec["retain"]["days"] == 1
        assert (
            rec["events"]["retain"]["default"] if frigate_version == "0.14" else rec["alerts"]["retain"]["days"]
        ) == 5
    # Once Frigate shows the values, nothing is left to change.
    again = _run(cfg, None, apply=False)
    assert not [st for st in again.plan.steps if st.kind is StepKind.config_set]


def test_frigate_down_halfway_rerun_finishes_once(scene: Any) -> None:
    s, cfg, alice, _bob = scene
    plan = _run(cfg, None, apply=False).plan
    expected_recordings = _expected_recordings(s, plan.steps)
    # Frigate goes down when the event (the last step) is about to be deleted.
    s.fail_after(0, method="DELETE", path_contains="/api/events/")
    with open_audit_log(cfg) as audit:
        first = _run(cfg, audit, apply=True)
        assert not first.complete
        statuses = {o.step.kind: o.status for o in first.outcomes}
        assert statuses[StepKind.delete_event] is StepStatus.failed
        assert alice.event_id in s.events
        # The audit log says nothing about the event yet: it was not deleted.
        assert alice.event_id not in _audit_targets(audit, "retention_delete")
        s.clear_faults()
        bring_back(s)
        puts_before = sum(1 for r in s.requests if r.method == "PUT")
        second = _run(cfg, audit, apply=True)
        assert second.complete, second.outcomes
        assert alice.event_id not in s.events
        # Config changes sent in the first run wait for a restart; they are not sent again.
        if s.prof.minor < 17:
            assert sum(1 for r in s.requests if r.method == "PUT") == puts_before
            assert {o.status for o in second.outcomes if o.step.kind is StepKind.config_set} == {
                StepStatus.pending_restart
            }
        targets = _audit_targets(audit, "retention_delete") + _audit_targets(audit, "config_change")
        assert [t for t, n in Counter(targets).items() if n > 1] == []
        assert alice.event_id in targets
    counts = Counter((d.kind, d.ident) for d in s.deleted if d.kind in ("event", "review", "recording", "face"))
    assert all(n == 1 for n in counts.values()), counts
    assert set(_deleted(s, "recording")) == expected_recordings


def test_step_done_but_answer_lost_is_audited_once_as_confirmed(scene: Any) -> None:
    _s, cfg, alice, _bob = scene

    plan = _run(cfg, None, apply=False).plan
    [event_step] = [st for st in plan.steps if st.kind is StepKind.delete_event]
    # A crash after Frigate deleted the event but before we heard back: journal `started`, event gone.
    StepJournal(journal_path(cfg.storage.data_dir, "retention")).mark(
        event_step.key, "started", {"step": event_step.to_dict()}
    )
    with FrigateClient.from_config(cfg.frigate) as client:
        client.delete_event(alice.event_id)
    with open_audit_log(cfg) as audit:
        report = _run(cfg, audit, apply=True)
        assert report.complete
        [outcome] = [o for o in report.outcomes if o.step.kind is StepKind.delete_event]
        assert outcome.status is StepStatus.confirmed
        entries = [e for e in audit.entries() if e.target == alice.event_id]
        assert len(entries) == 1 and entries[0].result == "success" and "confirmed" in entries[0].details


def test_cli_json_dry_run_and_apply(scene: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s, cfg, alice, _bob = scene
    config = tmp_path / "fp.yml"
    config.write_text(cfg.model_dump_json())  # JSON is YAML
    assert main(["retention", "--config", str(config), "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert_json_shape("retention", body)
    assert not body["applied"] and any(st["target"] == alice.event_id for st in body["plan"]["steps"])
    assert s.deleted == []
    # 0.14-0.16 read the lowered retention only at a restart: the change is made but not in effect yet
    pending = s.version != "0.18"
    code = main(["retention", "--config", str(config), "--apply"])
    assert code == (ExitCode.PENDING_RESTART if pending else ExitCode.OK)
    assert "complete" in capsys.readouterr().out and alice.event_id not in s.events
    if pending:
        assert s.pending_restart
        assert main(["retention", "--config", str(config), "--apply", "--restart", "--json"]) == ExitCode.OK
        body = json.loads(capsys.readouterr().out)
        assert_json_shape("retention", body)
        assert body["restarted"] and not body["pending_restart"]
