"""Scale-out over the broker: a dispatcher publishes jobs, workers take them through an MQTT 5 shared subscription.

No queue of our own: the broker hands each job to one member of `$share/frigate-privacy-atrest/<topic>`.
Workers connect with Receive Maximum 1 and acknowledge a job only when it is finished, so each holds at
most one. The journal decides who may touch a file (claims with leases), so a job delivered twice is
skipped, never masked twice. A worker that dies stops renewing its lease; once the lease runs out the
dispatcher publishes the job again and another worker resumes it from the journal's state: takeover
within `lease_seconds` plus a second.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from frigate_privacy.atrest.job import Outcome
from frigate_privacy.atrest.journal import JobState
from frigate_privacy.atrest.media import MediaFile
from frigate_privacy.atrest.runner import AtRest
from frigate_privacy.config.mqtt import MqttConfig
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import PrivacyError
from frigate_privacy.frigate.mqtt_client import new_client

__all__ = ["SHARE_GROUP", "Dispatcher", "JobWorker", "run_fleet", "run_worker", "shared_topic"]

logger = logging.getLogger(__name__)

SHARE_GROUP = "frigate-privacy-atrest"
# Between scans the dispatcher refills the broker from its last scan this often, so workers never idle
# waiting for the next (costlier) directory scan.
TOP_UP_SECONDS = 1.0
_MAX_JOB_BYTES = 4096


def shared_topic(topic: str) -> str:
    """The MQTT 5 shared-subscription filter workers use."""
    return f"$share/{SHARE_GROUP}/{topic}"


def _client(cfg: MqttConfig, client_id: str, *, manual_ack: bool) -> mqtt.Client:
    return new_client(cfg, client_id, protocol=mqtt.MQTTv5, manual_ack=manual_ack)


def _connect(client: mqtt.Client, cfg: MqttConfig, receive_maximum: int | None = None) -> None:
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    if receive_maximum is not None:
        props.ReceiveMaximum = receive_maximum
    client.connect_async(cfg.host, cfg.port, keepalive=cfg.keepalive, clean_start=True, properties=props)
    client.loop_start()


def job_payload(rel: str) -> bytes:
    """A job message: the file's path under the media root (the worker validates it against Frigate's layout)."""
    return json.dumps({"rel": rel}).encode()


def parse_job(payload: bytes) -> str | None:
    """The relative path a job names, or None for a malformed message (logged, acknowledged, dropped)."""
    if len(payload) > _MAX_JOB_BYTES:
        return None
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None
    rel = data.get("rel") if isinstance(data, dict) else None
    return rel if isinstance(rel, str) else None


class JobWorker:
    """Takes jobs one at a time from the shared subscription and acknowledges each when it is finished."""

    def __init__(self, cfg: PrivacyConfig, atrest: AtRest, stop: threading.Event) -> None:
        self.cfg = cfg
        self.atrest = atrest
        self.stop = stop
        self.processed: list[tuple[str, Outcome]] = []
        self._jobs: queue.Queue[tuple[int, int, bytes]] = queue.Queue()
        self._subscribed = threading.Event()
        self._client = _client(cfg.mqtt, f"{cfg.mqtt.client_id}-atrest-{atrest.owner}"[:120], manual_ack=True)
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        self._client.on_subscribe = lambda *a: self._subscribed.set()
        self._thread = threading.Thread(target=self._work, name="atrest-worker", daemon=True)

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode, props: Any) -> None:
        if reason.is_failure:
            logger.warning("broker refused the at-rest worker: %s", reason)
            return
        client.subscribe(shared_topic(self.cfg.atrest.topic), qos=1)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._jobs.put((message.mid, message.qos, bytes(message.payload)))

    def start(self) -> None:
        """Connect (in the background) and start working."""
        _connect(self._client, self.cfg.mqtt, receive_maximum=1)
        self._thread.start()

    def wait_subscribed(self, timeout: float) -> bool:
        """True once the shared subscription is acknowledged."""
        return self._subscribed.wait(timeout)

    def _work(self) -> None:
        while not self.stop.is_set():
            try:
                mid, qos, payload = self._jobs.get(timeout=0.5)
            except queue.Empty:
                continue
            rel = parse_job(payload)
            outcome = Outcome.skipped
            if rel is None:
                logger.warning("dropping a malformed at-rest job message (%d bytes)", len(payload))
            else:
                try:
                    outcome = self.atrest.process(rel)
                except Exception:  # one bad job must not end the worker; the journal keeps the file safe
                    logger.exception("at-rest job %s failed", rel[:200])
                    outcome = Outcome.retry
                self.processed.append((rel, outcome))
            with contextlib.suppress(Exception):
                self._client.ack(mid, qos)
            if outcome is Outcome.done:
                self.atrest.rest(self.stop)

    def close(self, timeout: float | None = None) -> None:
        """Stop after the current job (or abandon it after `timeout` seconds: the journal resumes it) and disconnect."""
        self.stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._client.disconnect()
        self._client.loop_stop()


class Dispatcher:
    """Publishes due files as jobs, newest first, a few at a time; publishes again what a dead worker held."""

    def __init__(self, cfg: PrivacyConfig, atrest: AtRest, *, outstanding: int = 8) -> None:
        self.cfg = cfg
        self.atrest = atrest
        self.outstanding = max(1, outstanding)
        self.published: dict[str, float] = {}
        self.backlog_files = 0
        self._due: list[MediaFile] = []
        self._connected = threading.Event()
        self._client = _client(cfg.mqtt, f"{cfg.mqtt.client_id}-atrest-dispatch"[:120], manual_ack=False)
        self._client.on_connect = lambda *a: self._connected.set()
        self._client.on_disconnect = lambda *a: self._connected.clear()

    def start(self) -> None:
        """Connect in the background."""
        _connect(self._client, self.cfg.mqtt)

    def wait_connected(self, timeout: float) -> bool:
        """True once connected to the broker."""
        return self._connected.wait(timeout)

    @property
    def connected(self) -> bool:
        """Whether the broker connection is up right now."""
        return self._connected.is_set()

    def tick(self, now: float | None = None) -> int:
        """Scan for due files, then publish; returns how many jobs were published."""
        now = time.time() if now is None else now
        self._due, backlog = self.atrest.scan(now)
        self.backlog_files = backlog.files
        due_rels = {f.rel for f in self._due}
        self.published = {rel: t for rel, t in self.published.items() if rel in due_rels}
        return self.top_up(now)

    def top_up(self, now: float | None = None) -> int:
        """Publish from the last scan what is not in a worker's hands (cheap: journal look-ups only).

        At most `outstanding` jobs wait unclaimed in the broker at a time, so a job is never queued behind a
        long backlog when a worker dies, and the newest files go first.
        """
        now = time.time() if now is None else now
        lease = self.cfg.atrest.lease_seconds
        waiting = sent = 0
        for file in self._due:
            if waiting + sent >= self.outstanding or not self._connected.is_set():
                break
            job = self.atrest.journal.get(file.rel)
            if job is not None and (job.state in (JobState.done, JobState.failed) or job.lease_until > now):
                continue
            sent_at = self.published.get(file.rel)
            if sent_at is not None and now - sent_at < lease:
                waiting += 1  # published, not claimed yet: still in the broker's hands
                continue
            self._client.publish(self.cfg.atrest.topic, job_payload(file.rel), qos=1)
            self.published[file.rel] = now
            sent += 1
        return sent

    def close(self) -> None:
        """Disconnect."""
        self._client.disconnect()
        self._client.loop_stop()


def _stop_on_signals(stop: threading.Event) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())


def run_worker(cfg: PrivacyConfig, *, slot: str, workers: int = 1, stop: threading.Event | None = None) -> int:
    """One worker process (worker slot `slot`): take jobs from the broker until SIGTERM."""
    stop = stop or threading.Event()
    _stop_on_signals(stop)
    with AtRest(cfg, slot=slot, workers=workers) as atrest:
        worker = JobWorker(cfg, atrest, stop)
        worker.start()
        try:
            stop.wait()
        finally:
            worker.close()
    return 0


def run_fleet(config_path: Path, cfg: PrivacyConfig, *, workers: int, dispatch: bool = True) -> int:
    """The dispatcher in this process plus `workers` worker processes, restarted when one dies, until SIGTERM."""
    if not cfg.mqtt.enabled:
        raise PrivacyError("at-rest workers take their jobs from the broker: enable mqtt, or use `atrest run --once`")
    stop = threading.Event()
    _stop_on_signals(stop)
    command = [sys.executable, "-m", "frigate_privacy", "atrest", "worker", "--config", str(config_path)]
    command += ["--workers", str(workers)]
    procs: dict[int, subprocess.Popen[bytes]] = {}
    with AtRest(cfg, slot="dispatch") as atrest:
        atrest.recover()
        dispatcher = Dispatcher(cfg, atrest, outstanding=2 * workers) if dispatch else None
        if dispatcher is not None:
            dispatcher.start()
        try:
            next_scan = 0.0
            while not stop.is_set():
                for k in range(workers):
                    if k not in procs or procs[k].poll() is not None:
                        procs[k] = subprocess.Popen([*command, "--slot", f"w{k}"], env=os.environ.copy())
                if dispatcher is not None:
                    if time.monotonic() >= next_scan:
                        dispatcher.tick()
                        next_scan = time.monotonic() + cfg.atrest.scan_seconds
                    else:
                        dispatcher.top_up()
                stop.wait(TOP_UP_SECONDS)
        finally:
            for proc in procs.values():
                proc.terminate()
            for proc in procs.values():
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
            if dispatcher is not None:
                dispatcher.close()
    return 0
