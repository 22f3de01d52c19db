"""Service benchmarks (issue 12 parts 1-2): snapshot latency and steady-state memory of `frigate-privacy run`.

`latency`: a real mosquitto, the Frigate stand-in and `frigate-privacy run` as a subprocess. The bench
publishes full-frame snapshots (the stand-in's scene: vtest pedestrians with real faces, JPEG quality 70
as Frigate sends) on `frigate/front/person/snapshot`, one at a time, and times each from just before the
publish to the arrival of our masked JPEG on `frigate_privacy/front/person/snapshot` (one clock, the
bench's). Floors in the same table: decoding + encoding the same JPEG in-process, and an MQTT round trip
through the same broker with no service in between.

`rss`: the service's resident memory while 1 or 4 cameras send person walks (events, cropped snapshots)
and full-frame 1080p snapshots for a while; sampled every second from /proc.

    .venv/bin/python -m bench.service_bench latency [--count 200]
    .venv/bin/python -m bench.service_bench rss [--seconds 90]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np
import paho.mqtt.client as mqtt
import yaml
from paho.mqtt.enums import CallbackAPIVersion

from tests.conftest import SHARED, Broker, free_port
from tests.standin import CameraSpec, FrigateStandin, StandinPublisher, WalkPlan, profile
from tests.standin.scene import scene_frames
from tests.standin.walk import event_messages

OWN = "frigate_privacy"
RESOLUTIONS = {"720p": (1280, 720), "1080p": (1920, 1080)}


def _percentiles(values: list[float]) -> tuple[float, float, float]:
    arr = np.asarray(values) * 1000.0
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 95)), float(np.percentile(arr, 99))


@contextmanager
def _broker(tmp: Path) -> Iterator[Broker]:
    port = free_port()
    conf = tmp / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    broker = Broker("127.0.0.1", port, conf)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@contextmanager
def _service(
    tmp: Path, standin: FrigateStandin, broker: Broker, profile: str = "default"
) -> Iterator[subprocess.Popen[bytes]]:
    config = tmp / "fp.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "frigate": {"url": standin.url},
                "mqtt": {"host": broker.host, "port": broker.port, "client_id": "fp-bench"},
                "storage": {"data_dir": str(tmp / "data")},
                "service": {"backfill_hours": 0},
                "api": {"enabled": False},
                "masking": {"profile": profile},
            }
        )
    )
    log = (tmp / "service.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "frigate_privacy", "run", "--config", str(config)], stdout=log, stderr=log
    )
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()


class _Receiver:
    """Records when each message arrives on the watched topics."""

    def __init__(self, broker: Broker, topics: list[str]) -> None:
        self.arrived: list[tuple[str, float]] = []
        self.statuses: list[dict[str, object]] = []
        self.cond = threading.Condition()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"fp-bench-rx-{os.getpid()}")
        self.client.on_connect = lambda c, u, f, r, p: c.subscribe([(t, 1) for t in topics])
        self.client.on_message = self._on_message
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        now = time.monotonic()
        with self.cond:
            if msg.topic.endswith("/status"):
                self.statuses.append(json.loads(msg.payload))
            self.arrived.append((msg.topic, now))
            self.cond.notify_all()

    def wait_count(self, topic: str, count: int, timeout: float) -> float | None:
        """Arrival time of the `count`-th message on `topic`, or None on timeout."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                hits = [t for name, t in self.arrived if name == topic]
                if len(hits) >= count:
                    return hits[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def close(self) -> None:
        """Disconnect."""
        self.client.disconnect()
        self.client.loop_stop()


def _scene_jpegs(size: tuple[int, int], count: int) -> list[bytes]:
    frames = scene_frames(0.0, count, 10, size, first_index=20, faces=True)
    return [bytes(cv2.imencode(".jpg", f, [cv2.IMWRITE_JPEG_QUALITY, 70])[1].tobytes()) for f in frames]


def _floor(jpegs: list[bytes], count: int) -> list[float]:
    """Decode + encode (quality 85, as we publish) in-process: the cost no redactor can avoid."""
    times = []
    for i in range(count):
        start = time.perf_counter()
        image = cv2.imdecode(np.frombuffer(jpegs[i % len(jpegs)], np.uint8), cv2.IMREAD_COLOR)
        cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
        times.append(time.perf_counter() - start)
    return times


def _fit(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Centre-crop to the aspect ratio of `size`, then resize."""
    w, h = size
    ih, iw = image.shape[:2]
    if iw / ih > w / h:
        cw = int(ih * w / h)
        image = image[:, (iw - cw) // 2 : (iw - cw) // 2 + cw]
    else:
        ch = int(iw * h / w)
        image = image[(ih - ch) // 2 : (ih - ch) // 2 + ch]
    return np.ascontiguousarray(cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA))


def _colour_jpegs(size: tuple[int, int]) -> list[bytes]:
    """Colour scenes with faces: deface's street crossing and EgoBlur's kitchen (../shared/data)."""
    out = []
    for name in ("city.jpg", "egoblur_gen2_test_face_image.png"):
        image = cv2.imread(str(SHARED / "data" / name), cv2.IMREAD_COLOR)
        if image is None:
            raise SystemExit(f"../shared/data/{name} is missing")
        out.append(bytes(cv2.imencode(".jpg", _fit(image, size), [cv2.IMWRITE_JPEG_QUALITY, 70])[1].tobytes()))
    return out


SCENES = {
    "colour (street, kitchen)": _colour_jpegs,
    "gray (vtest CCTV, IR-like)": lambda size: _scene_jpegs(size, 10),
}


def latency(count: int, warmup: int, profile: str) -> None:
    """Print the latency table."""
    rows: list[tuple[str, str, str, list[float]]] = []
    cpu_rows: list[tuple[str, str, float]] = []
    with tempfile.TemporaryDirectory(prefix="fp-bench-") as name:
        tmp = Path(name)
        with _broker(tmp) as broker, FrigateStandin("0.16", tmp / "media", mqtt_port=broker.port) as standin:
            cam = standin.config["cameras"]["front"]
            topics = [f"{OWN}/front/person/snapshot", f"{OWN}/front/person/snapshot/status", "bench/echo"]
            rx = _Receiver(broker, topics)
            pub = StandinPublisher(broker.host, broker.port, "0.16", standin=standin).start()
            # MQTT round trip with nothing in between (same broker, same clients).
            echo: list[float] = []
            for i in range(count):
                start = time.monotonic()
                pub.client.publish("bench/echo", b"x" * 200_000, qos=1)
                arrived = rx.wait_count("bench/echo", i + 1, 10)
                assert arrived is not None
                echo.append(arrived - start)
            rows.append(("-", "-", "MQTT round trip alone (200 kB, same broker)", echo))
            with _service(tmp, standin, broker, profile) as proc:
                seen = 0
                for label, size in RESOLUTIONS.items():
                    # Frigate sends the whole frame when `mqtt.crop` is off, `mqtt.height` high.
                    cam["mqtt"].update(crop=False, height=size[1])
                    for scene, make in SCENES.items():
                        jpegs = make(size)
                        rows.append((label, scene, "JPEG decode + encode alone (floor)", _floor(jpegs, count)))
                        times = []
                        first_status = len(rx.statuses)
                        cpu_before = _cpu_seconds(proc.pid)
                        for i in range(count + warmup):
                            start = time.monotonic()
                            pub.client.publish(
                                "frigate/front/person/snapshot", jpegs[i % len(jpegs)], qos=1, retain=True
                            )
                            seen += 1
                            arrived = rx.wait_count(f"{OWN}/front/person/snapshot", seen, 60)
                            if arrived is None:
                                raise SystemExit(f"no masked snapshot {seen} within 60 s; see {tmp}/service.log")
                            if i >= warmup:
                                times.append(arrived - start)
                            time.sleep(0.05)  # one at a time: latency, not queueing
                        cpu = (_cpu_seconds(proc.pid) - cpu_before) / (count + warmup)
                        rows.append((label, scene, f"run ({profile}): Frigate message -> our masked JPEG", times))
                        cpu_rows.append((label, scene, cpu))
                        time.sleep(0.5)
                        done = rx.statuses[first_status + warmup :]
                        mask = [float(d["timings_ms"]["mask"]) / 1000 for d in done]  # type: ignore[index]
                        rows.append((label, scene, "  of which masking (detect + plan + draw)", mask))
            pub.stop()
            rx.close()
    load = os.getloadavg()
    print(
        f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}, {count} snapshots per row, "
        f"masking profile {profile}, load average at the end {load[0]:.1f}"
    )
    print("| resolution | scene | what | p50 ms | p95 ms | p99 ms | n |")
    print("|---|---|---|---:|---:|---:|---:|")
    for label, scene, what, values in rows:
        p50, p95, p99 = _percentiles(values)
        print(f"| {label} | {scene} | {what} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {len(values)} |")
    print()
    print("CPU time of the service process per snapshot (user + system, all threads; load-independent):")
    print("| resolution | scene | CPU ms per snapshot |")
    print("|---|---|---:|")
    for label, scene, cpu in cpu_rows:
        print(f"| {label} | {scene} | {cpu * 1000:.0f} |")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _sample_rss(pid: int, stop: threading.Event, samples: list[tuple[float, float]]) -> None:
    start = time.monotonic()
    while not stop.wait(1.0):
        samples.append((time.monotonic() - start, _rss_mb(pid)))


def rss(seconds: float) -> None:
    """Print the memory table for 1 and 4 cameras."""
    rows = []
    crop = _scene_jpegs((180, 270), 1)[0]  # a cropped person snapshot, as Frigate sends by default
    big = _scene_jpegs((1920, 1080), 3)
    for cameras in (1, 4):
        names = [f"cam{i}" for i in range(cameras)]
        with tempfile.TemporaryDirectory(prefix="fp-bench-") as name:
            tmp = Path(name)
            specs = {n: CameraSpec(n) for n in names}
            with (
                _broker(tmp) as broker,
                FrigateStandin("0.16", tmp / "media", cameras=specs, mqtt_port=broker.port) as standin,
            ):
                pub = StandinPublisher(broker.host, broker.port, "0.16", camera=names[0]).start()
                prof = profile("0.16")
                with _service(tmp, standin, broker) as proc:
                    time.sleep(5)
                    samples: list[tuple[float, float]] = []
                    stop = threading.Event()
                    sampler = threading.Thread(target=_sample_rss, args=(proc.pid, stop, samples))
                    sampler.start()
                    start = time.monotonic()
                    walks = 0
                    while time.monotonic() - start < seconds:
                        for n in names:
                            plan = WalkPlan(camera=n, start=time.time() - 4, duration=3.0)
                            for message in event_messages(plan, prof):
                                pub.client.publish("frigate/events", json.dumps(message), qos=1)
                            pub.client.publish(f"frigate/{n}/person/snapshot", crop, qos=1)
                            pub.client.publish(f"frigate/{n}/car/snapshot", big[walks % len(big)], qos=1)
                            walks += 1
                        time.sleep(1.0)
                    stop.set()
                    sampler.join()
                    first_half = [r for t, r in samples if t < seconds / 2] or [0.0]
                    second_half = [r for t, r in samples if t >= seconds / 2] or [0.0]
                    rows.append((cameras, walks, samples[0][1], max(first_half), max(second_half), samples[-1][1]))
                pub.stop()
    print(f"{platform.node()} {os.cpu_count()} cores, {seconds:.0f} s per row, load average {os.getloadavg()[0]:.1f}")
    print(
        "| cameras | walks (events + person crop + 1080p snapshot each) | RSS after 1 s MB | peak 1st half MB "
        "| peak 2nd half MB | RSS at end MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for cameras, walks, first, peak1, peak2, last in rows:
        print(f"| {cameras} | {walks} | {first:.0f} | {peak1:.0f} | {peak2:.0f} | {last:.0f} |")


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    lat = sub.add_parser("latency")
    lat.add_argument("--count", type=int, default=200)
    lat.add_argument("--warmup", type=int, default=5)
    lat.add_argument("--profile", choices=["default", "fast"], default="default")
    mem = sub.add_parser("rss")
    mem.add_argument("--seconds", type=float, default=90.0)
    args = parser.parse_args()
    if args.what == "latency":
        latency(args.count, args.warmup, args.profile)
    else:
        rss(args.seconds)


if __name__ == "__main__":
    main()
