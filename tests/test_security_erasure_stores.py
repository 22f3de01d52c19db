"""Erasure covers our own stores (the track store above all), and retention prunes the track store."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from frigate_privacy.audit.location import open_audit_log
from frigate_privacy.cli import main
from frigate_privacy.config.loader import parse_config
from frigate_privacy.frigate.boxes import Size
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.trackstore import TrackStore, track_store_path
from frigate_privacy.policy.erasure import run_erasure
from frigate_privacy.policy.plan_erasure import ErasureSelector
from frigate_privacy.policy.retention import run_retention
from tests.standin import CameraSpec, FrigateStandin, SharedAssetMissing, build_media

DAY = 86400.0


@pytest.fixture
def scene(tmp_path: Path) -> Iterator[tuple[FrigateStandin, dict[str, Any], dict[str, str]]]:
    """Alice twice and Bob once; our track store filled from Frigate's API the way backfill does it."""
    with FrigateStandin("0.16", tmp_path / "media", cameras={"front": CameraSpec("front")}) as s:
        start = float(int(time.time() - 3600))
        try:
            s.add_segments(build_media(s.media_root, "front", start, 40, size=(320, 180)))
        except SharedAssetMissing as exc:
            pytest.skip(str(exc))
        walks = {
            "alice1": s.add_walk(start=start + 2, duration=5, sub_label="alice").event_id,
            "alice2": s.add_walk(start=start + 15, duration=5, sub_label="alice").event_id,
            "bob": s.add_walk(start=start + 30, duration=5, sub_label="bob").event_id,
        }
        data = {"frigate": {"url": s.url, "retries": 1}, "storage": {"data_dir": str(tmp_path / "data")}}
        cfg = parse_config(data)
        with FrigateClient.from_config(cfg.frigate) as client, TrackStore(track_store_path(tmp_path / "data")) as st:
            for event in client.events():
                st.add_api_event(event, Size(1280, 720))
        yield s, data, walks


def _ids(data: dict[str, Any]) -> set[str]:
    with TrackStore(track_store_path(Path(data["storage"]["data_dir"]))) as store:
        return set(store.find_ids(camera="front", start=0, end=time.time() + DAY))


def test_erasure_removes_the_person_from_our_track_store_and_reports_it(
    scene: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, data, walks = scene
    assert _ids(data) == set(walks.values())  # alice's boxes, paths and name are in our store
    config = tmp_path / "fp.yml"
    config.write_text(yaml.safe_dump(data))
    assert main(["erase", "--config", str(config), "--sub-label", "alice"]) == 0
    dry = capsys.readouterr().out
    assert "track store: 2 found, 0 removed" in dry and _ids(data) == set(walks.values())
    assert main(["erase", "--config", str(config), "--sub-label", "alice", "--apply", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["complete"]
    assert _ids(data) == {walks["bob"]}  # alice gone from our store too, bob untouched
    stores = {x["store"]: x for x in body["our_stores"]}
    assert stores["track store"]["found"] == stores["track store"]["removed"] == 2
    assert {"redacted exports", "escrow (at-rest originals)", "cached snapshots", "logs"} <= set(stores)
    md = next(Path(data["storage"]["data_dir"], "erasure").glob("*.md")).read_text()
    assert "## Our own stores" in md and "track store: 2 found, 2 removed" in md
    with open_audit_log(parse_config(data)) as audit:
        targets = {e.target for e in audit.entries() if e.action == "erasure" and e.result == "success"}
    assert {walks["alice1"], walks["alice2"]} <= targets


def test_range_and_event_erasure_cover_the_track_store(scene: Any) -> None:
    _, data, walks = scene
    cfg = parse_config(data)
    with open_audit_log(cfg) as audit, FrigateClient.from_config(cfg.frigate) as client:
        report = run_erasure(cfg, client, audit, ErasureSelector(event_ids=(walks["bob"],)), apply=True)
    assert report.complete and walks["bob"] not in _ids(data)


def test_retention_prunes_the_track_store_by_the_same_ages(scene: Any) -> None:
    _, data, walks = scene
    old = time.time() - 3600
    # alerts/detections kept 1 day: everything is younger; alice is limited to 0.01 day (~15 min).
    data["policy"] = {"retention": {"alerts_days": 1, "detections_days": 1, "sub_labels": {"alice": 0.01}}}
    cfg = parse_config(data)
    with FrigateClient.from_config(cfg.frigate) as client:
        dry = run_retention(cfg, client, None, time.time())
        assert dry.tracks_pruned == 2 and _ids(data) == set(walks.values())
        with open_audit_log(cfg) as audit:
            done = run_retention(cfg, client, audit, time.time(), apply=True)
            entries = [e for e in audit.entries() if e.target == "track store"]
    assert done.tracks_pruned == 2 and _ids(data) == {walks["bob"]}
    assert [e.result for e in entries] == ["started", "success"]
    # A week later everything is past the 1-day limit.
    with FrigateClient.from_config(cfg.frigate) as client, open_audit_log(cfg) as audit:
        later = run_retention(cfg, client, audit, old + 7 * DAY, apply=True)
    assert later.tracks_pruned == 1 and _ids(data) == set()
