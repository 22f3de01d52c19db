"""`frigate-privacy demo`: the whole mission in one command, on the real code paths, against the Frigate stand-in.

A private mosquitto, the stand-in playing Frigate 0.16 (which records audio by default), `frigate-privacy run`
as a subprocess, then each feature driven the way a user drives it (the CLI commands) and checked: snapshots
and the export and the masked recordings are scored against the faces the stand-in drew. Frigate's unmasked
recordings live in a temporary directory that is deleted at the end; the output directory keeps only masked
or encrypted media, the owner's key (0600), reports and logs, plus the clip demo's before/after picture.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import yaml

from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.crypto.age_keys import generate_identity_file
from frigate_privacy.demo.broker import LocalBroker, free_port
from frigate_privacy.demo.commands import CommandLog, CommandResult
from frigate_privacy.demo.mqtt_watch import TopicWatch, wait_until
from frigate_privacy.demo.runner import DemoOptions, DemoResult, run_demo
from frigate_privacy.demo.standin_source import load_standin
from frigate_privacy.demo.steps import Step, StepFailed, StepOutcome, StepResult, run_steps
from frigate_privacy.demo.tour_leaks import LeakCount, still_leaks, video_leaks
from frigate_privacy.demo.tour_scene import CAMERA, FPS, FRIGATE_VERSION, TourScene, build_scene, config_document
from frigate_privacy.exit_codes import ExitCode
from frigate_privacy.export.bundle import VIDEO_NAME
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.storage.leftovers import leftover_name, sweep_leftovers

__all__ = ["TourOptions", "TourResult", "run_tour"]

OWN_PREFIX = "frigate_privacy"
_TMP_PREFIX = "fp-demo-"
ERASED = "alice"  # the person whose data the tour erases


@dataclass(frozen=True, slots=True)
class TourOptions:
    """What the tour does: the clip demo's options, and whether the service stays up afterwards."""

    out_dir: Path
    clip: DemoOptions
    keep_running: bool = False


@dataclass
class TourResult:
    """Every step's result, and the clip demo's (None when it did not run)."""

    steps: list[StepResult] = field(default_factory=list)
    clip: DemoResult | None = None

    @property
    def ok(self) -> bool:
        """True when every step passed."""
        return bool(self.steps) and all(s.ok for s in self.steps)


def _private(path: Path, data: bytes | str) -> Path:
    """Write a file only its owner can read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    path.chmod(0o600)
    return path


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise StepFailed(message)


def _expect(done: CommandResult, *codes: int) -> CommandResult:
    if done.code not in codes:
        raise StepFailed(f"`frigate-privacy {done.argv[0]}` exited {done.code}: {done.why()}")
    return done


# Where the Frigate stand-in keeps its encoded segments (tests/standin/media.py reads it at each use).
_STANDIN_CACHE_ENV = "FRIGATE_PRIVACY_STANDIN_CACHE"


class Tour:
    """The tour's state and its steps; `steps()` is the table, `close()` stops everything it started."""

    def __init__(self, options: TourOptions, show: Callable[[str], None]) -> None:
        self.options = options
        self.show = show
        self.dir = options.out_dir / "tour"
        _set_aside_previous(self.dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o700)
        # Frigate's own (unmasked) media: outside the output directory, deleted by close(); a tour that was
        # killed leaves its directory behind under an owner-tagged name, which the next tour sweeps away.
        sweep_leftovers(Path(tempfile.gettempdir()), _TMP_PREFIX)
        self._tmp = tempfile.TemporaryDirectory(prefix=leftover_name(_TMP_PREFIX))
        self.tmp = Path(self._tmp.name)
        # The stand-in's encoded segments go with Frigate's media, unless the caller chose a place; the
        # setting is the process's own, so close() takes it back (later users get their usual cache).
        self._cache_env_set = _STANDIN_CACHE_ENV not in os.environ
        if self._cache_env_set:
            os.environ[_STANDIN_CACHE_ENV] = str(self.tmp / "standin-cache")
        self.commands = CommandLog(self.dir / "commands.log")
        self.data_dir = self.dir / "data"
        self.config_path = self.dir / "config.yaml"
        self.service_config_path = self.dir / "service.yaml"
        self.key_path = self.dir / "owner-key.txt"
        self.broker: LocalBroker | None = None
        self.standin_mod: ModuleType | None = None
        self.scene: TourScene | None = None
        self.service: subprocess.Popen[bytes] | None = None
        self.service_log = self.dir / "service.log"
        self.watch: TopicWatch | None = None
        self.publisher: Any = None
        self.api_port = free_port()
        self.originals: dict[Path, bytes] = {}
        self.clip: DemoResult | None = None

    def steps(self) -> list[Step]:
        """The tour, in order."""
        return [
            Step("broker", "MQTT broker", self.step_broker),
            Step("frigate", "Frigate stand-in", self.step_frigate),
            Step("service", "frigate-privacy run", self.step_service, ("broker", "frigate")),
            Step("homeassistant", "Home Assistant entities", self.step_homeassistant, ("service",)),
            Step("snapshots", "redacted snapshots", self.step_snapshots, ("service",)),
            Step("export", "redacted, encrypted export", self.step_export, ("frigate",)),
            Step("audio", "audio check", self.step_audio, ("frigate",)),
            Step("retention", "retention dry run", self.step_retention, ("frigate",)),
            Step("atrest", "privacy at rest", self.step_atrest, ("frigate",)),
            Step("escrow", "escrow restore", self.step_escrow, ("atrest",)),
            Step("erasure", f"erasure of {ERASED}", self.step_erasure, ("snapshots",)),
            Step("audit", "audit chain", self.step_audit, ("frigate",)),
            Step("clip", "clip redaction", self.step_clip),
        ]

    # ----- the stage -----
    def step_broker(self) -> StepOutcome:
        """Debian's mosquitto on a free loopback port."""
        self.broker = LocalBroker(self.tmp).start()
        return StepOutcome(f"{self.broker.kind} listening on {self.broker.host}:{self.broker.port} (loopback only)")

    def step_frigate(self) -> StepOutcome:
        """The stand-in as Frigate 0.16, with 20 s of recordings (audio included) in which two people walk."""
        self.standin_mod = load_standin()
        host, port = (self.broker.host, self.broker.port) if self.broker else ("127.0.0.1", 1883)
        self.scene = build_scene(self.standin_mod, self.tmp / "frigate-media", host, port)
        key = generate_identity_file(self.key_path)
        scene = self.scene

        def document(mask_at_rest: bool) -> str:
            return yaml.safe_dump(
                config_document(
                    scene,
                    data_dir=self.data_dir,
                    mqtt_host=host,
                    mqtt_port=port,
                    api_port=self.api_port,
                    escrow_recipient=key.recipient,
                    mask_at_rest=mask_at_rest,
                )
            )

        _private(self.config_path, document(True))
        _private(self.service_config_path, document(False))
        audio = sum(1 for s in self.scene.segments if s.has_audio)
        return StepOutcome(
            f"Frigate {FRIGATE_VERSION} stand-in at {self.scene.standin.url}: camera {CAMERA!r}, "
            f"{len(self.scene.segments)} recorded segments ({audio} with AAC audio), "
            f"{' and '.join(w.capitalize() for w in self.scene.walks)} walking past",
            (self.config_path, self.key_path),
        )

    def step_service(self) -> StepOutcome:
        """`frigate-privacy run` as a subprocess; passes once it announced itself online on the broker."""
        assert self.broker is not None
        self.watch = TopicWatch(self.broker.host, self.broker.port, (f"{OWN_PREFIX}/#", "homeassistant/#"))
        log = self.service_log.open("wb")
        self.service_log.chmod(0o600)
        self.service = subprocess.Popen(
            [sys.executable, "-m", "frigate_privacy", "run", "--config", str(self.service_config_path)],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        log.close()
        online = wait_until(
            lambda: (
                (self.watch is not None and self.watch.on(f"{OWN_PREFIX}/available")[-1:] == [b"online"])
                or (self.service is not None and self.service.poll() is not None)
            ),
            60,
        )
        _require(self.service.poll() is None, f"the service exited {self.service.returncode}: {self._service_tail()}")
        _require(online, f"the service did not come online within 60 s: {self._service_tail()}")
        return StepOutcome(
            f"service online (pid {self.service.pid}), API on http://127.0.0.1:{self.api_port}",
            (self.service_log,),
        )

    def _service_tail(self) -> str:
        lines = self.service_log.read_text(errors="replace").strip().splitlines()
        return lines[-1] if lines else "no log output"

    # ----- live privacy -----
    def step_homeassistant(self) -> StepOutcome:
        """MQTT discovery: the entities Home Assistant would create for the camera and the service."""
        assert self.watch is not None

        def entities() -> list[tuple[str, bytes]]:
            assert self.watch is not None
            return [
                (t, p) for t, p in self.watch.messages() if t.startswith("homeassistant/") and t.endswith("/config")
            ]

        wait_until(lambda: len(entities()) > 0, 30)
        wait_until(lambda: False, 1.0)  # the rest of the burst
        found = {t: p for t, p in entities() if p}
        _require(bool(found), "no Home Assistant discovery config was published within 30 s")
        kinds: dict[str, int] = {}
        for topic in found:
            kind = topic.split("/")[1]
            kinds[kind] = kinds.get(kind, 0) + 1
        _require(
            any(CAMERA in t for t in found), f"no discovery entity for camera {CAMERA!r} among {len(found)} entities"
        )
        listing = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        return StepOutcome(f"{len(found)} entities announced ({listing})")

    def step_snapshots(self) -> StepOutcome:
        """Frigate publishes each walker's snapshot; ours arrives masked on our topic and is scored."""
        assert self.broker is not None and self.scene is not None and self.watch is not None
        mod = self.standin_mod
        assert mod is not None
        self.publisher = mod.StandinPublisher(
            self.broker.host, self.broker.port, FRIGATE_VERSION, standin=self.scene.standin
        ).start()
        topic = f"{OWN_PREFIX}/{CAMERA}/person/snapshot"
        paths: list[Path] = []
        total = LeakCount(0, 0, 0)
        for who, plan in self.scene.walks.items():
            info = self.publisher.publish_walk(plan)
            original = info.messages[-1][1]

            def arrived(event_id: str = plan.event_id) -> bool:
                assert self.watch is not None
                return any(_status_of(p).get("event_id") == event_id for p in self.watch.on(topic + "/status"))

            _require(wait_until(arrived, 30), f"no masked snapshot for {who}'s event within 30 s")
            masked, status = _snapshot_for(self.watch.messages(), topic, plan.event_id)
            _require(status.get("status") == "masked", f"{who}'s snapshot status: {status}")
            face = self.scene.snapshot_face(who)
            _require(face is not None, f"{who}'s face is not in the snapshot frame")
            assert face is not None
            leaks = still_leaks(original, masked, [face])
            _require(leaks.face_frames == 1, f"{who}'s face in the snapshot is too small to score")
            _require(leaks.leak_frames == 0, f"{who}'s face is readable in the masked snapshot")
            total = LeakCount(total.leak_frames + leaks.leak_frames, total.face_frames + 1, total.frames + 1)
            paths.append(_private(self.dir / f"snapshot-{who}.jpg", masked))
        return StepOutcome(f"{total.frames} masked snapshots published on {topic}: {total}", tuple(paths))

    # ----- exports -----
    def step_export(self) -> StepOutcome:
        """Export the walk (everyone masked, audio stripped, age-encrypted), verify it, open it with the owner's key."""
        assert self.scene is not None
        start, end = self.scene.export_span
        recipient = self.key_path.read_text().split("public key: ")[1].split()[0]
        made = _expect(
            self.commands.run(
                "export",
                "--config",
                self.config_path,
                "--camera",
                CAMERA,
                "--start",
                f"{start:.0f}",
                "--end",
                f"{end:.0f}",
                "--recipient",
                recipient,
                "--requester",
                "the demo's data subject",
                "--purpose",
                "demo: subject access request",
                "--legal-basis",
                "subject-access",
                "--json",
            ),
            0,
        ).json()
        bundle = Path(made["path"])
        verified = self.commands.run("verify", "-i", self.key_path, "--config", self.config_path, "--json", bundle)
        _expect(verified, 0)
        opened_dir = self.dir / "export-opened"
        if opened_dir.exists():
            shutil.rmtree(opened_dir)
        opened = _expect(
            self.commands.run(
                "decrypt", "-i", self.key_path, "--config", self.config_path, "-o", opened_dir, "--json", bundle
            ),
            0,
        ).json()
        video = opened_dir / VIDEO_NAME
        _require(video.is_file(), f"the opened export has no {VIDEO_NAME}")
        _require(not _has_audio(video), "the export still carries audio")
        origin = float(opened["manifest"]["clip_origin_unix"])
        original = self._frigate_clip(start, end)
        leaks = video_leaks(
            original, video.read_bytes(), lambda k: self.scene.faces_at(origin + k / FPS) if self.scene else []
        )
        _require(leaks.face_frames > 0, "no frame of the export shows a face to score")
        _require(leaks.leak_frames == 0, f"the export leaks: {leaks}")
        return StepOutcome(
            f"{bundle.name}: {made['frames']} frames, signature and hashes verified, opened with the owner's key, "
            f"audio stripped, {leaks}",
            (bundle, opened_dir),
        )

    def _frigate_clip(self, start: float, end: float) -> bytes:
        """The unmasked clip as Frigate serves it, kept in memory only (for scoring)."""
        cfg = PrivacyConfig.model_validate(yaml.safe_load(self.config_path.read_text()))
        buf = io.BytesIO()
        with FrigateClient.from_config(cfg.frigate) as client:
            client.download_clip(CAMERA, start, end, buf)
        return buf.getvalue()

    # ----- audio, retention, erasure -----
    def step_audio(self) -> StepOutcome:
        """Frigate 0.16 records audio by default; the policy forbids it: found, and the fix planned."""
        done = _expect(self.commands.run("audio", "--config", self.config_path, "--json"), ExitCode.POLICY_VIOLATION)
        report = done.json()
        path = _private(self.dir / "audio-plan.json", json.dumps(report, indent=2))
        cams = [c for c in report["plan"]["cameras"] if c["camera"] == CAMERA]
        _require(bool(cams), f"the audio plan does not mention camera {CAMERA!r}")
        cam = cams[0]
        _require(bool(cam.get("new_record_args")), f"no fix planned for {CAMERA!r}: {cam.get('detail')}")
        return StepOutcome(
            f"{CAMERA}: {cam['verdict']} ({cam['detail']}); planned record args: {cam['new_record_args']}", (path,)
        )

    def step_retention(self) -> StepOutcome:
        """Frigate keeps recordings longer than the policy allows: the dry run lists what it would change."""
        report = _expect(self.commands.run("retention", "--config", self.config_path, "--json"), 0).json()
        path = _private(self.dir / "retention-plan.json", json.dumps(report, indent=2))
        _require(not report["applied"], "the dry run applied changes")
        findings = [f for f in report["plan"]["findings"] if f["camera"] == CAMERA]
        _require(
            bool(findings), "the retention dry run found nothing, but Frigate keeps 30 days against a 7-day policy"
        )
        lines = "; ".join(f"{f['what']} {f['frigate_days']:g} d > {f['policy_days']:g} d" for f in findings)
        return StepOutcome(f"{len(findings)} findings ({lines}), {len(report['plan']['steps'])} planned steps", (path,))

    def step_erasure(self) -> StepOutcome:
        """Erase what Frigate and we hold about one person (events, reviews, our stores); keep the report."""
        assert self.scene is not None
        done = _expect(
            self.commands.run("erase", "--config", self.config_path, "--sub-label", ERASED, "--apply", "--json"), 0
        )
        report = done.json()
        path = _private(self.dir / f"erasure-{ERASED}.json", json.dumps(report, indent=2))
        event = self.scene.walks[ERASED].event_id
        _require(event in report["events_found"], f"the erasure did not find {ERASED}'s event {event}")
        _require(event not in self.scene.standin.events, f"{ERASED}'s event is still in Frigate")
        _require(bool(report["complete"]), f"the erasure is incomplete: {report['not_deleted']}")
        kept = self.scene.walks["bob"].event_id in self.scene.standin.events
        _require(kept, "bob's event was deleted too")
        text = _private(self.dir / f"erasure-{ERASED}.txt", str(report.get("report", "")))
        in_frigate: dict[str, int] = {}
        for item in report["deleted"]:
            in_frigate[item["kind"]] = in_frigate.get(item["kind"], 0) + 1
        ours = ", ".join(f"{x['store']} {x['removed']}" for x in report["our_stores"] if x["removed"])
        done_kinds = ", ".join(f"{k} {n}" for k, n in sorted(in_frigate.items()))
        return StepOutcome(
            f"deleted: {done_kinds}; of ours: {ours or 'nothing'}; {len(report['residue'])} kinds of residue "
            "reported (what Frigate keeps and why); bob untouched",
            (path, text),
        )

    # ----- privacy at rest -----
    def step_atrest(self) -> StepOutcome:
        """Mask Frigate's stored recordings in place (`atrest run --once`), originals only as encrypted escrow."""
        assert self.scene is not None
        self.originals = {s.path: s.path.read_bytes() for s in self.scene.segments}
        done = _expect(self.commands.run("atrest", "run", "--once", "--config", self.config_path), 0)
        total = LeakCount(0, 0, 0)
        for seg in self.scene.segments:
            masked = seg.path.read_bytes()
            _require(masked != self.originals[seg.path], f"{seg.path.name} was not masked")

            def faces(k: int, start: float = seg.start) -> list[tuple[int, int, int, int]]:
                assert self.scene is not None
                return self.scene.faces_at(start + k / FPS)

            leaks = video_leaks(self.originals[seg.path], masked, faces)
            total = LeakCount(
                total.leak_frames + leaks.leak_frames,
                total.face_frames + leaks.face_frames,
                total.frames + leaks.frames,
            )
        _require(total.face_frames > 0, "no recorded frame shows a face to score")
        _require(total.leak_frames == 0, f"the masked recordings leak: {total}")
        return StepOutcome(f"{done.stdout.strip().splitlines()[-1]}; {len(self.scene.segments)} segments: {total}")

    def step_escrow(self) -> StepOutcome:
        """Restore one segment's original from escrow with the owner's key: byte for byte Frigate's file."""
        assert self.scene is not None
        seg = self.scene.segments[0]
        out = self.tmp / "escrow-restore"
        _expect(
            self.commands.run(
                "escrow",
                "restore",
                "--config",
                self.config_path,
                "--identity",
                self.key_path,
                "--camera",
                CAMERA,
                "--start",
                f"{seg.start + 1:.0f}",
                "--end",
                f"{seg.start + 2:.0f}",
                "-o",
                out,
                "--reason",
                "demo: show that escrow restores the original",
            ),
            0,
        )
        want = hashlib.sha256(self.originals[seg.path]).hexdigest()
        restored = [p for p in out.rglob("*") if p.is_file()]
        match = [p for p in restored if hashlib.sha256(p.read_bytes()).hexdigest() == want]
        _require(bool(match), f"none of the {len(restored)} restored files is the original of {seg.path.name}")
        shutil.rmtree(out)  # it shows faces: the demo does not keep it
        return StepOutcome(
            f"{seg.path.name} restored (admin, audited), sha256 {want[:12]}... equals Frigate's original; "
            "deleted again because it is unmasked"
        )

    # ----- audit, clip -----
    def step_audit(self) -> StepOutcome:
        """Every audited action above is in one signed hash chain; verify it."""
        done = _expect(self.commands.run("audit", "verify", "--config", self.config_path), 0)
        lines = done.stdout.strip().splitlines()
        return StepOutcome(lines[-1] if lines else "chain verified", (self.data_dir,))

    def step_clip(self) -> StepOutcome:
        """The clip demo: moving faces generated, redacted with default settings, scored frame by frame."""
        r = run_demo(self.options.clip)
        self.clip = r
        _require(r.frames_in == r.frames_out, f"{r.frames_in} frames in, {r.frames_out} out")
        _require(not r.leak_frames, f"{len(r.leak_frames)} leak-frames in the redacted clip")
        return StepOutcome(
            f"{r.frames_in} frames at {r.redaction_fps:.1f} fps, {r.masked_face_frames} of {r.scored_face_frames} "
            "face-frames masked, 0 leak-frames",
            (r.redacted, r.still),
        )

    # ----- after the tour -----
    def viewer_token(self) -> str:
        """A new API viewer token for Home Assistant's camera card (printed once, never logged)."""
        done = self.commands.run(
            "users", "add", "ha-viewer", "--role", "viewer", "--config", self.config_path, secret_output=True
        )
        _expect(done, 0)
        words = [w for w in done.stdout.split() if len(w) >= 20]
        if not words:
            raise StepFailed("`users add` printed no token")
        return words[-1]

    def close(self) -> None:
        """Stop what the tour started (service, publisher, watcher, stand-in, broker) and delete Frigate's media."""
        if self.service is not None and self.service.poll() is None:
            self.service.send_signal(signal.SIGTERM)
            try:
                self.service.wait(20)
            except subprocess.TimeoutExpired:
                self.service.kill()
                self.service.wait()
        if self.publisher is not None:
            self.publisher.stop()
        if self.watch is not None:
            self.watch.close()
        if self.scene is not None:
            self.scene.standin.stop()
        if self.broker is not None:
            self.broker.stop()
        if self._cache_env_set:
            os.environ.pop(_STANDIN_CACHE_ENV, None)
        self._tmp.cleanup()


# A directory is a tour's own output when it holds the tour's command log.
_TOUR_MARKER = "commands.log"


def _set_aside_previous(tour_dir: Path) -> None:
    """Move an earlier tour's output to `<dir>.previous` (replacing an older one), so the demo can run again.

    Only directories the tour wrote (they hold its command log) are moved or replaced; anything else by
    that name is left alone, and the key file's own refusal to be overwritten still protects it.
    """
    if not (tour_dir / _TOUR_MARKER).is_file():
        return
    previous = tour_dir.with_name(tour_dir.name + ".previous")
    if previous.exists():
        if not (previous / _TOUR_MARKER).is_file():
            return
        shutil.rmtree(previous)
    tour_dir.rename(previous)


def _status_of(payload: bytes) -> dict[str, Any]:
    try:
        value = json.loads(payload)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _snapshot_for(messages: list[tuple[str, bytes]], topic: str, event_id: str) -> tuple[bytes, dict[str, Any]]:
    """The masked JPEG published just before the status line naming `event_id`."""
    last_jpeg = b""
    for t, p in messages:
        if t == topic:
            last_jpeg = p
        elif t == topic + "/status" and _status_of(p).get("event_id") == event_id:
            if not last_jpeg:
                break
            return last_jpeg, _status_of(p)
    raise StepFailed(f"no snapshot JPEG came before the status of event {event_id}")


def _has_audio(path: Path) -> bool:
    import av

    with av.open(str(path)) as c:
        return any(s.type == "audio" for s in c.streams)


def _wait_for_stop() -> None:
    """Block until Ctrl-C or SIGTERM."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Both handled explicitly: a shell starting us in the background makes SIGINT ignored by default.
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop.wait(1.0):
            pass
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_tour(
    options: TourOptions, show: Callable[[str], None], on_done: Callable[[TourResult], None] | None = None
) -> TourResult:
    """Play the tour, showing each step as it starts and ends, then `on_done`; stops everything it started."""
    tour = Tour(options, show)
    result = TourResult()

    def terminated(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt  # unwinds through `finally`, so the service and broker are stopped too

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        result.steps = run_steps(
            tour.steps(),
            lambda r: show(f"[{r.status:^7}] {r.title}: {r.detail}" + (f" ({r.seconds:.1f} s)" if r.seconds else "")),
            lambda s: show(f"[  ...  ] {s.title}"),
        )
        result.clip = tour.clip
        if on_done is not None:
            on_done(result)
        if options.keep_running and tour.service is not None and tour.service.poll() is None and tour.broker:
            token = tour.viewer_token()
            show(
                "\nThe service keeps running (Ctrl-C stops it). Point Home Assistant at it:\n"
                f"  MQTT broker:  {tour.broker.host}:{tour.broker.port} (anonymous, loopback only)\n"
                f"  API:          http://127.0.0.1:{tour.api_port}/api/health\n"
                f"  viewer token: {token}\n"
                f"  live view:    http://127.0.0.1:{tour.api_port}/api/cameras/{CAMERA}/live.mjpeg "
                "(Authorization: Bearer <token>)"
            )
            _wait_for_stop()
    finally:
        signal.signal(signal.SIGTERM, previous)
        tour.close()
    return result
