"""Exports end to end against the Frigate stand-in (0.14, 0.16, 0.18), real models, real age and mosquitto."""

from __future__ import annotations

import contextlib
import io
import shutil
import stat
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import BinaryIO

import numpy as np
import pytest
from conftest import Broker, load_leak_scorer

from frigate_privacy.audit.location import audit_db_path
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.config.mqtt import MqttConfig
from frigate_privacy.crypto.age_keys import generate_identity_file, load_identities, load_recipients
from frigate_privacy.crypto.signing import load_or_create_signing_key
from frigate_privacy.export.bundle import VIDEO_NAME
from frigate_privacy.export.operations import OpenRequest, decrypt_export, make_export, verify_export
from frigate_privacy.export.registry import ExportRegistry, registry_path
from frigate_privacy.export.verify import PlaintextOpener, verify_bundle
from frigate_privacy.frigate.boxes import Size
from frigate_privacy.frigate.listener import FrigateListener
from frigate_privacy.frigate.models import EventMessage
from frigate_privacy.frigate.trackstore import TrackStore
from frigate_privacy.video.probe import probe
from tests.standin import FrigateStandin, StandinPublisher
from tests.test_export_support import FPS, Scene, config, face_box, gray_frames, make_scene, models_ready, request

AGE = shutil.which("age")


@pytest.fixture(scope="module")
def leak_score() -> ModuleType:
    """The shared leak scorer (../shared/tools/leak_score.py)."""
    return load_leak_scorer()


@pytest.fixture(autouse=True)
def _models() -> None:
    models_ready()


def _original_frames(scene: Scene) -> list[np.ndarray]:
    from tests.test_export_support import original_clip

    return list(gray_frames(original_clip(scene.standin, scene.span)))


def _bytes_opener(data: bytes) -> PlaintextOpener:
    @contextlib.contextmanager
    def opener() -> Iterator[BinaryIO]:
        yield io.BytesIO(data)

    return opener


def test_export_verify_decrypt_per_version(standin: FrigateStandin, tmp_path: Path, leak_score: ModuleType) -> None:
    """Everyone masked, audio stripped from an AAC source, bundle verified by us and opened by the age CLI."""
    scene = make_scene(standin, audio=True)
    standin.register_walk(scene.alice)
    standin.register_walk(scene.bob)
    cfg = config(standin, tmp_path / "data")
    key = generate_identity_file(tmp_path / "key.txt")
    ident = load_identities([key.path])
    result = make_export(cfg, request(scene, load_recipients([key.recipient])[0]), role="admin")
    assert result.path.parent == tmp_path / "data" / "exports"
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert [p.name for p in result.path.parent.iterdir()] == [result.path.name]  # no staging left
    assert result.manifest.frigate_version.startswith(standin.version)

    trusted = [load_or_create_signing_key(cfg.storage.data_dir).public]
    opened = OpenRequest(result.path, "tester", "admin", identities=ident, trusted=trusted)
    assert verify_export(opened, cfg).ok
    out = tmp_path / "out"
    report = decrypt_export(opened, cfg, out)
    assert report.ok, report.problems
    assert sorted(p.name for p in out.iterdir()) == sorted(f.name for f in report.files)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in out.iterdir())

    info = probe(out / VIDEO_NAME)
    assert not info.has_audio, "the source had AAC audio; exports always strip it"
    original = _original_frames(scene)
    redacted = list(gray_frames((out / VIDEO_NAME).read_bytes()))
    assert len(redacted) == len(original) == result.manifest.video.frames
    origin = result.manifest.clip_origin_unix
    checked = 0
    for k, (orig, red) in enumerate(zip(original, redacted, strict=True)):
        for plan in (scene.alice, scene.bob):
            box = face_box(plan, origin + k / FPS)
            if box is not None and box[3] - box[1] >= 24:
                checked += 1
                assert not leak_score.face_leaks(orig, red, box), f"frame {k}: {plan.sub_label}'s face leaks"
    assert checked > 150

    with ExportRegistry(registry_path(cfg.storage.data_dir)) as reg:
        (record,) = reg.find(camera="front")
    assert record.path == result.path and record.size == result.path.stat().st_size
    assert abs(record.expires - record.created - 30 * 86400) < 1
    assert set(record.sub_labels) == {"alice", "bob"} and scene.alice.event_id in record.event_ids

    with AuditLog(audit_db_path(cfg), None) as log:
        entries = [(e.action, e.result, e.actor) for e in log.entries()]
    # Each action: its intent entry before the effect, its outcome after.
    assert entries == [
        ("export", "started", "tester"),
        ("export", "success", "tester"),
        ("verify", "started", "tester"),
        ("verify", "success", "tester"),
        ("decrypt", "started", "tester"),
        ("decrypt", "success", "tester"),
    ]

    if AGE is not None:
        plain = subprocess.run([AGE, "-d", "-i", str(key.path), str(result.path)], check=True, capture_output=True)
        archive = zipfile.ZipFile(io.BytesIO(plain.stdout))
        assert archive.testzip() is None
        assert verify_bundle(_bytes_opener(plain.stdout), trusted).ok


class _StoreFeed:
    """The plugin side of MQTT: a listener filling a track store from `frigate/events`."""

    def __init__(self, broker: Broker, store: TrackStore) -> None:
        cfg = MqttConfig(host=broker.host, port=broker.port, client_id="fp-export-test", reconnect_min_delay=1)
        self.listener = FrigateListener(cfg)
        self.listener.subscribe(EventMessage, lambda m: store.add_event_message(m, Size(1280, 720)))
        self.listener.start()
        assert self.listener.wait_connected(10)


def test_kept_subject_stays_visible_from_mqtt_track_store(
    standin: FrigateStandin, mqtt_broker: Broker, tmp_path: Path, leak_score: ModuleType
) -> None:
    """Alice (kept by sub_label) stays as recorded; Bob is masked in every frame."""
    scene = make_scene(standin)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    store = TrackStore(data_dir / "tracks.sqlite3")
    feed = _StoreFeed(mqtt_broker, store)
    try:
        with StandinPublisher(mqtt_broker.host, mqtt_broker.port, standin.version, standin=standin) as pub:
            pub.publish_walk(scene.alice)
            pub.publish_walk(scene.bob)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                stored = store.get(scene.alice.event_id)
                if stored is not None and stored.end_time is not None and store.get(scene.bob.event_id) is not None:
                    break
                time.sleep(0.05)
    finally:
        feed.listener.stop()
        store.close()
    cfg = config(standin, data_dir)
    key = generate_identity_file(tmp_path / "key.txt")
    req = request(scene, load_recipients([key.recipient])[0], keep_sub_labels=("alice",))
    result = make_export(cfg, req, role="admin")
    (kept,) = result.manifest.kept_subjects
    assert kept.event_id == scene.alice.event_id and kept.keyframe_source == "track store"
    assert kept.keyframes >= 10

    trusted = [load_or_create_signing_key(data_dir).public]
    out = tmp_path / "out"
    assert decrypt_export(
        OpenRequest(result.path, "t", "admin", load_identities([key.path]), None, trusted), None, out
    ).ok
    original = _original_frames(scene)
    redacted = list(gray_frames((out / VIDEO_NAME).read_bytes()))
    origin = result.manifest.clip_origin_unix
    alice_frames = alice_visible = 0
    for k, (orig, red) in enumerate(zip(original, redacted, strict=True)):
        t = origin + k / FPS
        bob = face_box(scene.bob, t)
        if bob is not None:
            assert not leak_score.face_leaks(orig, red, bob), f"frame {k}: Bob's face leaks"
        alice = face_box(scene.alice, t)
        if alice is not None and scene.alice.start + 0.5 < t < scene.alice.end - 0.5:
            alice_frames += 1
            x1, y1, x2, y2 = alice
            diff = float(np.abs(orig[y1:y2, x1:x2] - red[y1:y2, x1:x2]).mean())
            if diff < 8.0 and leak_score.face_leaks(orig, red, alice):
                alice_visible += 1
    assert alice_frames > 100
    # Most of Alice's walk stays visible; frames where the match is unsure are masked (fail closed).
    assert alice_visible >= 0.7 * alice_frames, (alice_visible, alice_frames)
    assert kept.visible_frames >= alice_visible
