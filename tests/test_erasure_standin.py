"""Erasure against the Frigate stand-in (0.14, 0.16, 0.18): a person's data goes, the residue is reported truthfully."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from frigate_privacy.audit.location import open_audit_log
from frigate_privacy.cli import main
from frigate_privacy.config.loader import parse_config
from frigate_privacy.exit_codes import ExitCode
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.policy.erasure import run_erasure
from frigate_privacy.policy.plan_erasure import ErasureSelector
from frigate_privacy.policy.steps import StepKind
from tests.json_shapes import assert_json_shape
from tests.standin import CameraSpec, FrigateStandin, SharedAssetMissing, build_media

DAY = 86400.0


@pytest.fixture
def scene(frigate_version: str, tmp_path: Path) -> Any:
    """Two walks of alice and one of bob over 60 s of continuous footage an hour ago; no media_root configured."""
    with FrigateStandin(frigate_version, tmp_path / "media", cameras={"front": CameraSpec("front")}) as s:
        start = float(int(time.time() - 3600))
        try:
            segs = build_media(s.media_root, "front", start, 60, size=(320, 180))
        except SharedAssetMissing as exc:
            pytest.skip(str(exc))
        s.add_segments(segs)
        walks = {
            "alice1": s.add_walk(start=start + 2, duration=5, sub_label="alice"),
            "alice2": s.add_walk(start=start + 32, duration=5, sub_label="alice"),
            "bob": s.add_walk(start=start + 52, duration=5, sub_label="bob"),
        }
        data = {
            "frigate": {"url": s.url, "retries": 1},
            "storage": {"data_dir": str(tmp_path / "data")},
        }
        yield s, data, walks, start


def _erase(data: dict[str, Any], selector: ErasureSelector, apply: bool) -> Any:
    cfg = parse_config(data)
    audit = open_audit_log(cfg) if apply else None
    try:
        with FrigateClient.from_config(cfg.frigate) as client:
            return run_erasure(cfg, client, audit, selector, apply=apply)
    finally:
        if audit is not None:
            audit.close()


def test_sub_label_erasure_removes_every_event_and_reports_residue(scene: Any, frigate_version: str) -> None:
    s, data, walks, _ = scene
    alice = {walks["alice1"].event_id, walks["alice2"].event_id}
    report = _erase(data, ErasureSelector(sub_label="alice"), apply=True)
    assert report.complete, report.outcomes
    assert set(report.plan.events) == alice
    assert not alice & set(s.events)
    assert {walks["alice1"].review_id, walks["alice2"].review_id} <= {d.ident for d in s.deleted if d.kind == "review"}
    assert walks["bob"].event_id in s.events and walks["bob"].review_id in s.reviews
    residue = " | ".join(f"{r.what}: {r.why}" for r in report.plan.residue)
    # Without frigate.media_root the review thumbnails stay, and the report says so (and why).
    assert f"thumb-front-{walks['alice1'].review_id}.webp" in residue
    assert "retained MQTT snapshot" in residue
    if frigate_version == "0.14":
        assert "event thumbnail" not in residue  # 0.14 keeps thumbnails in the database row, deleted with it
    else:
        assert f"clips/thumbs/front/{walks['alice1'].event_id}.webp" in residue
        # Face-training crops of alice went through the face API.
        assert not list((s.media_root / "clips" / "faces" / "train").glob("*-alice-*"))
    if frigate_version == "0.18":
        assert any(st.kind is StepKind.delete_recordings for st in report.plan.steps)
        # only the pre/post-capture padding outside the review's span may stay (before 0.18), never the event's own
    assert "3 recording segment(s)" not in residue
    # Report: JSON and Markdown, 0600, in the data directory, listing what went and what stayed.
    json_file, md_file = report.report_files
    assert json_file.parent == Path(data["storage"]["data_dir"]) / "erasure"
    for path in (json_file, md_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    body = json.loads(json_file.read_text())
    assert body["complete"] and {d["target"] for d in body["deleted"] if d["kind"] == "delete_event"} == alice
    assert body["residue"] and "Left behind, and why" in md_file.read_text()
    with open_audit_log(parse_config(data)) as audit:
        erasures = [e for e in audit.entries() if e.action == "erasure"]
    assert {e.target for e in erasures} >= alice
    assert erasures[-1].target == "sub label 'alice'" and erasures[-1].result == "success"


def test_range_erasure_per_version(scene: Any, frigate_version: str) -> None:
    s, data, _walks, start = scene
    # 12..28 s: no walk in it, so no review item covers it: continuous footage only.
    selector = ErasureSelector(camera="front", start=start + 12, end=start + 28)
    report = _erase(data, selector, apply=True)
    residue = " | ".join(r.what for r in report.plan.residue)
    left = [r for r in s.recordings.values() if r["start_time"] < start + 28 and r["end_time"] > start + 12]
    if frigate_version == "0.18":
        assert left == [] and "continuous recording" not in residue
    else:
        # Before 0.18 no API deletes footage outside review items: kept, and reported.
        assert left and "continuous recording segment(s) in the range" in residue
        assert not [d for d in s.deleted if d.kind == "recording"]


def test_unknown_event_is_reported_and_nothing_else_deleted(scene: Any) -> None:
    s, data, _walks, _ = scene
    report = _erase(data, ErasureSelector(event_ids=("1700000000.000000-zzzzzz",)), apply=True)
    assert report.complete and s.deleted == []
    assert any("does not know it" in n for n in report.plan.notes)


def test_cli_dry_run_then_apply(scene: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s, data, walks, _ = scene
    config = tmp_path / "fp.yml"
    config.write_text(yaml.safe_dump(data))
    assert main(["erase", "--config", str(config), "--sub-label", "alice"]) == 0
    out = capsys.readouterr().out
    assert "dry run" in out and walks["alice1"].event_id in out
    assert s.deleted == []
    assert main(["erase", "--config", str(config), "--sub-label", "alice", "--apply", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert_json_shape("erase", body)
    assert body["complete"] and walks["alice2"].event_id not in s.events
    assert main(["erase", "--config", str(config), "--camera", "front", "--start", "10"]) == ExitCode.INPUT
    assert "start before its end" in capsys.readouterr().err


def test_review_covers_an_event_by_camera_and_time_not_by_its_list(frigate_version: str, tmp_path: Path) -> None:
    with FrigateStandin(frigate_version, tmp_path / "media", cameras={"front": CameraSpec("front")}) as s:
        start = float(int(time.time() - 3600))
        try:
            s.add_segments(build_media(s.media_root, "front", start, 30, size=(320, 180)))
        except SharedAssetMissing as exc:
            pytest.skip(str(exc))
        # real Frigate's review item spans carol's event but its data.detections names another object
        walk = s.add_walk(start=start + 12, duration=5, sub_label="carol", listed_in_review=False)
        assert walk.event_id not in s.reviews[walk.review_id]["data"]["detections"]
        data = {"frigate": {"url": s.url, "retries": 1}, "storage": {"data_dir": str(tmp_path / "data")}}
        report = _erase(data, ErasureSelector(sub_label="carol"), apply=True)
        assert report.complete, report.outcomes
        remaining = [r for r in s.recordings.values() if r["end_time"] > walk.start and r["start_time"] < walk.end]
    residue = " | ".join(f"{r.what}: {r.why}" for r in report.plan.residue)
    # only the pre/post-capture padding outside the review's span may stay (before 0.18), never the event's own
    assert "3 recording segment(s)" not in residue
    assert any(f"review item {walk.review_id} spans event(s) {walk.event_id}" in n for n in report.plan.notes)
    assert walk.review_id not in s.reviews and walk.event_id not in s.events
    # the footage of the event is gone, through the review delete (or 0.18's recordings delete)
    assert remaining == []


def test_erase_finds_a_sub_label_set_a_moment_ago_behind_nginx_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Real Frigate's nginx cached the events answer: erase found 0 events one second after the rename."""
    with FrigateStandin("0.16", tmp_path / "media", nginx_cache=True) as s:
        start = float(int(time.time() - 3600))
        walk = s.add_walk(start=start + 2, duration=5)  # not recognised yet: no sub label
        config = tmp_path / "fp.yml"
        config.write_text(
            yaml.safe_dump({"frigate": {"url": s.url, "retries": 1}, "storage": {"data_dir": str(tmp_path)}})
        )
        assert main(["erase", "--config", str(config), "--sub-label", "dave", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["events_found"] == []
        s.events[walk.event_id]["sub_label"] = "dave"  # what POST /api/events/<id>/sub_label does
        assert main(["erase", "--config", str(config), "--sub-label", "dave", "--json"]) == 0
        planned = json.loads(capsys.readouterr().out)["events_found"]
    assert planned == [walk.event_id]
    assert s.nginx_cache is not None and s.nginx_cache.hits == 0
