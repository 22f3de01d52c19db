"""The snapshot redactor end to end: `frigate-privacy run` against mosquitto and the stand-in's person walks.

Every snapshot Frigate publishes must arrive masked on our topic, scored with the shared leak scorer
against the faces the stand-in drew into the frame the snapshot was cut from.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from tests.conftest import SHARED, Broker
from tests.service_harness import OWN_PREFIX, ServiceProcess, Watcher, wait_for, write_config
from tests.standin import FrigateStandin, StandinPublisher, WalkPlan, build_media
from tests.standin.scene import SharedAssetMissing, scene_frames
from tests.test_export_support import models_ready

DETECT = (1280, 720)
FPS = 10
SNAPSHOT_HEIGHT = 270  # the stand-in's (and Frigate's default) mqtt.height
PATHS = (
    ((0.08, 0.30, 0.20, 0.88), (0.45, 0.28, 0.57, 0.86), (0.80, 0.30, 0.92, 0.88)),
    ((0.70, 0.20, 0.80, 0.70), (0.40, 0.22, 0.50, 0.72), (0.10, 0.25, 0.20, 0.75)),
    ((0.30, 0.35, 0.38, 0.80), (0.55, 0.33, 0.63, 0.78), (0.62, 0.30, 0.72, 0.85)),
)


def _walks(start: float) -> list[WalkPlan]:
    return [
        WalkPlan(camera="front", start=start + 1 + 6 * i, duration=5.0, path=path, detect_size=DETECT)
        for i, path in enumerate(PATHS)
    ]


def _frame_time(seg_start: float, t: float) -> tuple[int, float]:
    """The frame `frame_at` picks for time t: the first whose time is >= t - 0.05 s; (index, scene time)."""
    k = math.ceil(round((t - seg_start - 0.05) * FPS, 6))
    return k, seg_start + k / FPS


def _walker_face(plan: WalkPlan, t: float) -> tuple[float, float, float, float]:
    """The face (eyebrows to chin) the stand-in pasted on the walker's head at time t, in detect pixels."""
    box = plan.rel_box_at(t)
    assert box is not None
    w, h = DETECT
    x1, y1, x2, y2 = int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)
    head = min(x2 - x1, (y2 - y1) // 4)
    cx = (x1 + x2) // 2
    px1, py1, px2, py2 = cx - head // 2, y1, cx + head // 2, y1 + int(head * 1.2)
    # face_crops() keeps 1/6 of the face's width and 1/8 of its height around it
    mw, mh = (px2 - px1) / 8, (py2 - py1) / 10
    return px1 + mw, py1 + mh, px2 - mw, py2 - mh


def _pedestrian_faces(seg_start: float, seg_first: int, k: int, walkers: list[WalkPlan]) -> list[tuple[int, ...]]:
    """Faces pasted on vtest's pedestrians in scene frame k: where the frame with faces differs from one without."""
    with_faces = list(scene_frames(seg_start, k + 1, FPS, DETECT, first_index=seg_first, faces=True, walkers=walkers))
    without = list(scene_frames(seg_start, k + 1, FPS, DETECT, first_index=seg_first, faces=False, walkers=walkers))
    diff = (np.abs(with_faces[k].astype(int) - without[k].astype(int)).max(axis=2) > 0).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(diff)
    faces = []
    for i in range(1, n):
        x, y, bw, bh = (int(v) for v in stats[i][:4])
        if bw >= 4 and bh >= 4:
            faces.append((x + bw / 8, y + bh / 10, x + bw - bw / 8, y + bh - bh / 10))
    return faces


def _to_snapshot(face: tuple[float, ...], plan: WalkPlan) -> list[float]:
    """Map a detect-pixel box through the stand-in's crop (box padded by a third, clipped) and resize."""
    bx1, by1, bx2, by2 = plan.abs_box_at(plan.snapshot_time)
    pad = max(bx2 - bx1, by2 - by1) // 3
    cx1, cy1 = max(0, bx1 - pad), max(0, by1 - pad)
    cx2, cy2 = min(DETECT[0], bx2 + pad), min(DETECT[1], by2 + pad)
    scale_y = SNAPSHOT_HEIGHT / (cy2 - cy1)
    scale_x = max(1, int((cx2 - cx1) * scale_y)) / (cx2 - cx1)
    return [(face[0] - cx1) * scale_x, (face[1] - cy1) * scale_y, (face[2] - cx1) * scale_x, (face[3] - cy1) * scale_y]


def _score(original: bytes, redacted: bytes, faces: list[list[float]], tmp: Path) -> dict[str, Any]:
    scorer = SHARED / "tools" / "leak_score.py"
    if not scorer.is_file():
        pytest.skip("../shared/tools/leak_score.py is not available")
    (tmp / "orig.png").write_bytes(cv2.imencode(".png", cv2.imdecode(np.frombuffer(original, np.uint8), 1))[1])
    (tmp / "red.png").write_bytes(cv2.imencode(".png", cv2.imdecode(np.frombuffer(redacted, np.uint8), 1))[1])
    (tmp / "gt.json").write_text(json.dumps({"frames": {"0": faces}}))
    done = subprocess.run(
        [sys.executable, str(scorer), str(tmp / "orig.png"), str(tmp / "red.png"), str(tmp / "gt.json"), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report: dict[str, Any] = json.loads(done.stdout.splitlines()[0])
    return report


def test_every_walk_snapshot_arrives_masked_without_leak(
    standin: FrigateStandin, mqtt_broker: Broker, tmp_path: Path
) -> None:
    """Three person walks: each snapshot is re-published masked, zero leak against every drawn face >= 24 px."""
    models_ready()
    seg_start = float(int(time.time()) - 60)
    walks = _walks(seg_start)
    try:
        segments = build_media(standin.media_root, "front", seg_start, 20, size=DETECT, fps=FPS, walkers=walks)
    except SharedAssetMissing as exc:
        pytest.skip(str(exc))
    standin.add_segments(segments)
    cfg = write_config(
        tmp_path / "fp.yml",
        frigate_url=standin.url,
        broker=mqtt_broker,
        data_dir=tmp_path / "data",
        service={"backfill_hours": 0},
    )
    watcher = Watcher(mqtt_broker)
    service = ServiceProcess(cfg, tmp_path / "service.log")
    topic = f"{OWN_PREFIX}/front/person/snapshot"
    scored = 0
    try:
        assert wait_for(lambda: watcher.last(f"{OWN_PREFIX}/available") == b"online", 30), service.log.read_text()
        with StandinPublisher(mqtt_broker.host, mqtt_broker.port, standin.version, standin=standin) as pub:
            for plan in walks:
                info = pub.publish_walk(plan)
                original = info.messages[-1][1]
                assert wait_for(
                    lambda eid=plan.event_id: any(  # type: ignore[misc]
                        json.loads(s).get("event_id") == eid for s in watcher.on(topic + "/status")
                    ),
                    30,
                ), service.log.read_text()[-3000:]
                status = next(
                    json.loads(s)
                    for s in watcher.on(topic + "/status")
                    if json.loads(s).get("event_id") == plan.event_id
                )
                assert status["status"] == "masked", status
                # The JPEG is published just before its status line.
                redacted = watcher.on(topic)[-1]
                assert redacted != original
                seg = next(s for s in segments if s.start <= plan.snapshot_time < s.end)
                k, t_frame = _frame_time(seg.start, plan.snapshot_time)
                seg_first = round((seg.start - seg_start) * FPS)
                faces = [_walker_face(plan, t_frame), *_pedestrian_faces(seg.start, seg_first, k, walks)]
                gt = [_to_snapshot(f, plan) for f in faces]
                out = tmp_path / plan.event_id
                out.mkdir()
                report = _score(original, redacted, gt, out)
                assert report["leak_frames"] == 0, (report, status)
                assert report["face_frames"] == 1, report  # the walker's face is big enough to be scored
                scored += 1
        code, took = service.terminate()
    finally:
        service.kill()
        watcher.close()
    assert scored == len(walks)
    assert code == 0 and took < 10
