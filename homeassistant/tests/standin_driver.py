"""Run the Frigate stand-in (tests/standin) for the HA harness tests, driven by JSON lines on stdin.

Runs in the *main* venv (the stand-in needs paho 2, PyAV, numpy); Home Assistant's venv cannot import it.
Usage: python standin_driver.py VERSION BROKER_HOST BROKER_PORT CAMERA...
Prints {"url": ...} once ready, then one JSON answer per command:
  {"cmd": "runtime"}               -> {"runtime": {camera: {toggle: bool}}}
  {"cmd": "restart"}               -> {"ok": true}   (a Frigate restart: config reload, MQTT reconnect)
  {"cmd": "remove", "camera": C}   -> {"ok": true}   (drop C from the YAML, then restart)
  {"cmd": "walk", "camera": C}     -> {"event_id": ...} (a person walks by: events, reviews, snapshot)
  {"cmd": "scene_walk", "index": I, "dir": D}
      -> {"event_id", "original": path, "faces": [[x1, y1, x2, y2], ...]}  (walk I over the recorded scene of
         camera `front`, whose faces are known; the original snapshot JPEG is written to D)
  {"cmd": "score", "original": P, "redacted": P, "faces": [...], "dir": D}
      -> the shared leak scorer's report (or {"skip": reason} when ../shared lacks the scorer)
  {"cmd": "quit"}
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from tests.standin import CameraSpec, FrigateStandin, SharedAssetMissing, StandinPublisher, build_media  # noqa: E402
from tests.test_service_snapshots import (  # noqa: E402 - the known-faces arithmetic of the snapshot tests
    DETECT,
    FPS,
    _frame_time,
    _pedestrian_faces,
    _score,
    _to_snapshot,
    _walker_face,
    _walks,
)


def _answer(data: object) -> None:
    print(json.dumps(data), flush=True)


def main(argv: list[str]) -> int:
    version, host, port, *cameras = argv
    with tempfile.TemporaryDirectory(prefix="fp-ha-standin-") as tmp:
        specs = {name: CameraSpec(name) for name in cameras}
        standin = FrigateStandin(version, Path(tmp) / "media", cameras=specs, restart_delay=0.2)
        standin.start()
        seg_start = float(int(time.time()) - 60)
        walks = _walks(seg_start)
        segments = []
        if "front" in specs:
            try:
                segments = build_media(standin.media_root, "front", seg_start, 20, size=DETECT, fps=FPS, walkers=walks)
                standin.add_segments(segments)
            except SharedAssetMissing:
                segments = []
        pub = StandinPublisher(host, int(port), version, standin=standin).start()
        _answer({"url": standin.url, "scene": bool(segments)})
        try:
            for line in sys.stdin:
                cmd = json.loads(line)
                kind = cmd["cmd"]
                if kind == "quit":
                    break
                if kind == "runtime":
                    _answer({"runtime": standin.runtime})
                elif kind == "restart":
                    standin.restart(0.2)
                    _answer({"ok": True})
                elif kind == "remove":
                    doc = yaml.safe_load(standin.config_yaml)
                    del doc["cameras"][cmd["camera"]]
                    standin.set_raw_yaml(yaml.safe_dump(doc), apply_now=False)
                    standin.restart(0.2)
                    _answer({"ok": True})
                elif kind == "walk":
                    walk = pub.publish_person_walk(camera=cmd["camera"])
                    _answer({"event_id": walk.event_id})
                elif kind == "scene_walk":
                    plan = walks[int(cmd["index"])]
                    info = pub.publish_walk(plan)
                    original = Path(cmd["dir"]) / f"{plan.event_id}-original.jpg"
                    original.write_bytes(info.messages[-1][1])
                    seg = next(s for s in segments if s.start <= plan.snapshot_time < s.end)
                    k, t_frame = _frame_time(seg.start, plan.snapshot_time)
                    seg_first = round((seg.start - seg_start) * FPS)
                    faces = [_walker_face(plan, t_frame), *_pedestrian_faces(seg.start, seg_first, k, walks)]
                    gt = [_to_snapshot(f, plan) for f in faces]
                    _answer({"event_id": plan.event_id, "original": str(original), "faces": gt})
                elif kind == "score":
                    try:
                        report = _score(
                            Path(cmd["original"]).read_bytes(),
                            Path(cmd["redacted"]).read_bytes(),
                            cmd["faces"],
                            Path(cmd["dir"]),
                        )
                    except BaseException as err:  # pytest.skip() raises a BaseException subclass
                        if type(err).__name__ != "Skipped":
                            raise
                        _answer({"skip": str(err)})
                    else:
                        _answer(report)
                else:
                    _answer({"error": f"unknown command {kind}"})
        finally:
            pub.stop()
            standin.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
