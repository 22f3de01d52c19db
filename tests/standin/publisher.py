"""StandinPublisher: Frigate's MQTT side (availability, retained state, events, reviews, snapshots, /set)."""

from __future__ import annotations

import json
import random
import string
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from .scene import RelBox
from .stills import frame_at, mqtt_snapshot_jpeg
from .versions import profile
from .walk import DEFAULT_PATH, WalkInfo, WalkPlan, default_start, event_messages, face_updates, review_messages

if TYPE_CHECKING:
    from .server import FrigateStandin

_SETTABLE = ("enabled", "recordings", "detect", "snapshots", "audio", "motion")


class StandinPublisher:
    """Publishes what Frigate publishes, to a real broker, with paho-mqtt 2.x (callback API v2)."""

    def __init__(
        self,
        host: str,
        port: int,
        version: str,
        prefix: str = "frigate",
        camera: str = "front",
        *,
        standin: FrigateStandin | None = None,
        qos: int = 0,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.prof = profile(version)
        self.prefix = prefix
        self.camera = camera
        self.standin = standin
        self.qos = qos
        suffix = "".join(random.choices(string.ascii_lowercase, k=6))
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"frigate-standin-{suffix}")
        if username is not None:
            self.client.username_pw_set(username, password)
        # Frigate's last will (reference §1.1): offline, retained, QoS 1
        self.client.will_set(f"{prefix}/available", "offline", qos=1, retain=True)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self._connected = threading.Event()
        self._runtime: dict[str, dict[str, bool]] = {}
        self.received_sets: list[tuple[str, str]] = []
        if standin is not None:
            standin.publishers.append(self)

    # ----- lifecycle -----
    def start(self, timeout: float = 10.0) -> StandinPublisher:
        """Connect and wait until the on-connect retained topics and `online` are out."""
        self._connected.clear()
        self.client.connect(self.host, self.port, keepalive=30)
        self.client.loop_start()
        if not self._connected.wait(timeout):
            raise TimeoutError("stand-in publisher could not connect to the broker")
        return self

    def stop(self) -> None:
        """Clean disconnect: the broker does NOT publish the last will (errata)."""
        self.client.disconnect()
        self.client.loop_stop()
        self._connected.clear()

    def crash(self) -> None:
        """Drop the connection without DISCONNECT (a killed Frigate): the broker publishes `offline`."""
        sock = self.client.socket()
        self.client.loop_stop()
        if sock is not None:
            sock.close()
        self._connected.clear()

    def frigate_stopping(self) -> None:
        """Called by FrigateStandin.restart(): Frigate shuts down cleanly."""
        if self._connected.is_set():
            self.stop()

    def frigate_started(self) -> None:
        """Called by FrigateStandin.restart(): Frigate is back and reconnects."""
        self.start()

    def __enter__(self) -> StandinPublisher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self.standin is not None and self in self.standin.publishers:
            self.standin.publishers.remove(self)

    # ----- state -----
    @property
    def cameras(self) -> list[str]:
        """Cameras whose state topics are published."""
        return list(self.standin.config["cameras"]) if self.standin is not None else [self.camera]

    @property
    def runtime(self) -> dict[str, dict[str, bool]]:
        """Runtime toggles (owned by the stand-in when there is one, so restarts reset them)."""
        if self.standin is not None:
            return self.standin.runtime
        for cam in self.cameras:
            self._runtime.setdefault(
                cam,
                {
                    "enabled": True,
                    "recordings": True,
                    "detect": True,
                    "snapshots": True,
                    "audio": False,
                    "motion": True,
                },
            )
        return self._runtime

    def _yaml_allows(self, camera: str, feature: str) -> bool:
        if self.standin is None:
            return True
        cam = self.standin.config["cameras"][camera]
        if feature == "recordings":
            return bool(cam["record"]["enabled_in_config"])
        if feature == "audio":
            return bool(cam["audio"]["enabled_in_config"])
        return True

    def _state_topics(self, camera: str) -> list[tuple[str, str]]:
        rt = self.runtime[camera]

        def on(flag: bool) -> str:
            return "ON" if flag else "OFF"

        topics = []
        if self.prof.camera_enabled_topic:
            topics.append(("enabled", on(rt["enabled"])))
        topics += [
            ("recordings", on(rt["recordings"])),
            ("snapshots", on(rt["snapshots"])),
            ("audio", on(rt["audio"])),
            ("detect", on(rt["detect"])),
            ("motion", on(rt["motion"])),
            ("improve_contrast", "ON"),
            ("ptz_autotracker", "OFF"),
            ("motion_threshold", "30"),
            ("motion_contour_area", "10"),
            ("birdseye", "OFF"),
            ("birdseye_mode", "OFF"),
        ]
        if self.prof.minor >= 16:
            topics += [("review_alerts", "ON"), ("review_detections", "ON")]
        return [(f"{self.prefix}/{camera}/{name}/state", value) for name, value in topics]

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            return
        client.subscribe([(f"{self.prefix}/+/+/set", 0), (f"{self.prefix}/restart", 0)])
        # Frigate re-publishes retained state first, then `online` (reference §1.1)
        for cam in self.cameras:
            for topic, value in self._state_topics(cam):
                client.publish(topic, value, qos=self.qos, retain=True)
        client.publish(f"{self.prefix}/available", "online", qos=1, retain=True)
        self._connected.set()

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        parts = msg.topic.split("/")
        payload = msg.payload.decode(errors="replace")
        if msg.topic == f"{self.prefix}/restart":
            self.received_sets.append((msg.topic, payload))
            if self.standin is not None:
                self.standin.restart_later()
            return
        if len(parts) != 4 or parts[3] != "set":
            return
        camera, feature = parts[1], parts[2]
        self.received_sets.append((msg.topic, payload))
        if camera not in self.cameras or feature not in _SETTABLE or payload not in ("ON", "OFF"):
            return
        if feature == "enabled" and not self.prof.camera_enabled_topic:
            return
        rt = self.runtime[camera]
        want = payload == "ON"
        if want and not self._yaml_allows(camera, feature):
            return  # Frigate refuses ON when the YAML has it disabled
        if feature == "motion" and not want and rt["detect"]:
            return  # motion cannot be turned off while detect is on
        rt[feature] = want
        client.publish(f"{self.prefix}/{camera}/{feature}/state", payload, qos=self.qos, retain=True)

    # ----- publishing -----
    def publish_raw(self, topic: str, payload: bytes | str, *, retain: bool = False) -> None:
        """Publish anything (malformed-payload tests) and wait until it left the client."""
        info = self.client.publish(topic, payload, qos=self.qos, retain=retain)
        info.wait_for_publish(timeout=5)

    def _json(self, topic: str, payload: Any) -> None:
        self.publish_raw(f"{self.prefix}/{topic}", json.dumps(payload))

    def publish_person_walk(
        self,
        event_id: str | None = None,
        sub_label: str | None = None,
        start: float | None = None,
        duration: float = 8.0,
        path: Sequence[RelBox] = DEFAULT_PATH,
        *,
        camera: str | None = None,
        zones: Sequence[str] = (),
        face_attribute: bool = False,
        pace: float = 0.0,
    ) -> WalkInfo:
        """A person walking through the scene: events new->updates->end, reviews, face updates, snapshot."""
        cam = camera or self.camera
        detect = (1280, 720)
        if self.standin is not None:
            d = self.standin.config["cameras"][cam]["detect"]
            detect = (int(d["width"]), int(d["height"]))
        plan = WalkPlan(
            camera=cam,
            start=default_start(duration) if start is None else start,
            duration=duration,
            path=tuple(path),
            sub_label=sub_label,
            detect_size=detect,
            zones=tuple(zones),
            face_attribute=face_attribute,
            event_id=event_id or "",
        )
        return self.publish_walk(plan, pace=pace)

    def publish_walk(self, plan: WalkPlan, *, pace: float = 0.0) -> WalkInfo:
        """Publish a planned walk (and register it in the stand-in first, so the API already agrees)."""
        if self.standin is not None:
            self.standin.register_walk(plan)
        timed: list[tuple[float, int, str, Any]] = []
        for i, m in enumerate(event_messages(plan, self.prof)):
            t = plan.end if m["type"] == "end" else m["after"]["frame_time"]
            timed.append((t, i, "events", m))
        if self.prof.minor >= 14:
            for i, m in enumerate(review_messages(plan, self.prof)):
                t = {"new": plan.start + 0.21, "update": plan.recognised_at + 0.01}.get(m["type"], plan.end + 1.0)
                timed.append((t, 100 + i, "reviews", m))
        for i, m in enumerate(face_updates(plan, self.prof)):
            timed.append((m["timestamp"], 200 + i, "tracked_object_update", m))
        timed.sort(key=lambda x: (x[0], x[1]))
        sent: list[tuple[str, Any]] = []
        for _, _, topic, payload in timed:
            self._json(topic, payload)
            sent.append((f"{self.prefix}/{topic}", payload))
            if pace:
                time.sleep(pace)
        segs = [] if self.standin is None else [s for s in self.standin.segments.values() if s.camera == plan.camera]
        jpeg = mqtt_snapshot_jpeg(frame_at(segs, plan.snapshot_time, plan.detect_size), plan)
        snap_topic = f"{self.prefix}/{plan.camera}/{plan.label}/snapshot"
        self.publish_raw(snap_topic, jpeg, retain=True)
        sent.append((snap_topic, jpeg))
        return WalkInfo(plan.event_id, plan.review_id, plan.camera, plan.start, plan.end, plan.sub_label, plan, sent)
