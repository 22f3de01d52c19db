"""Run the Frigate stand-in (tests/standin) for the HA harness tests, driven by JSON lines on stdin.

Runs in the *main* venv (the stand-in needs paho 2, PyAV, numpy); Home Assistant's venv cannot import it.
Usage: python standin_driver.py VERSION BROKER_HOST BROKER_PORT CAMERA...
Prints {"url": ...} once ready, then one JSON answer per command:
  {"cmd": "runtime"}               -> {"runtime": {camera: {toggle: bool}}}
  {"cmd": "restart"}               -> {"ok": true}   (a Frigate restart: config reload, MQTT reconnect)
  {"cmd": "remove", "camera": C}   -> {"ok": true}   (drop C from the YAML, then restart)
  {"cmd": "walk", "camera": C}     -> {"event_id": ...} (a person walks by: events, reviews, snapshot)
  {"cmd": "quit"}
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from tests.standin import CameraSpec, FrigateStandin, StandinPublisher  # noqa: E402


def _answer(data: object) -> None:
    print(json.dumps(data), flush=True)


def main(argv: list[str]) -> int:
    version, host, port, *cameras = argv
    with tempfile.TemporaryDirectory(prefix="fp-ha-standin-") as tmp:
        specs = {name: CameraSpec(name) for name in cameras}
        standin = FrigateStandin(version, Path(tmp) / "media", cameras=specs, restart_delay=0.2)
        standin.start()
        pub = StandinPublisher(host, int(port), version, standin=standin).start()
        _answer({"url": standin.url})
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
                else:
                    _answer({"error": f"unknown command {kind}"})
        finally:
            pub.stop()
            standin.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
