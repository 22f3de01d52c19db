"""The Home Assistant component of `frigate-privacy run`: discovery, entity states, commands, privacy pause.

Threads: MQTT callbacks run on paho's network thread and only update state and publish; Frigate API
calls (config, recordings, survey) run on scheduler threads. One lock guards the component's state.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from frigate_privacy import __version__
from frigate_privacy.atrest.workspace import at_rest_cameras
from frigate_privacy.audit.actions import AuditAction, AuditResult
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.config.homeassistant import PauseToggle
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.frigate.errors import FrigateApiError
from frigate_privacy.frigate.restream import RESTREAM_FIX, restream_streams
from frigate_privacy.frigate.version import FrigateVersion
from frigate_privacy.masking.registry import available_styles
from frigate_privacy.service.camera_controls import CameraControls
from frigate_privacy.service.camera_settings import CameraSettings
from frigate_privacy.service.component import ComponentHealth
from frigate_privacy.service.context import ServiceContext
from frigate_privacy.service.homeassistant.checks import audit_verdict, compliance
from frigate_privacy.service.homeassistant.discovery import (
    DiscoveryMessage,
    DiscoverySettings,
    camera_messages,
    camera_removal,
    hub_messages,
)
from frigate_privacy.service.homeassistant.entities import CAMERA_ENTITIES, Source
from frigate_privacy.service.homeassistant.export_button import ExportButton
from frigate_privacy.service.homeassistant.facts import CameraCompliance
from frigate_privacy.service.homeassistant.pause_control import PauseController
from frigate_privacy.service.homeassistant.topics import OwnTopics
from frigate_privacy.storage.atomic import AtomicFile

__all__ = ["HA_ACTOR", "SERVICE_ACTOR", "HomeAssistantComponent", "build", "record_camera_entry"]

logger = logging.getLogger(__name__)

STATE_FILE = "homeassistant.json"
HA_ACTOR, HA_ROLE = "homeassistant", "homeassistant"  # MQTT commands do not say which HA user sent them
SERVICE_ACTOR, SERVICE_ROLE = "service:frigate-privacy", "service"
PAUSE_TICK_SECONDS = 5.0
FACTS_SECONDS = 3600.0  # reads every recording row of each camera (no summary call in the client yet)
AUDIT_CHECK_SECONDS = 600.0
RETENTION_JOB = "retention"
ATREST_PART = "atrest"
ON, OFF = "ON", "OFF"
PRESS = "PRESS"


def build(config: PrivacyConfig) -> HomeAssistantComponent | None:
    """The component, or None when Home Assistant support or MQTT is switched off."""
    if not config.homeassistant.enabled or not config.mqtt.enabled:
        return None
    return HomeAssistantComponent(config)


def _on(value: bool) -> str:
    return ON if value else OFF


class HomeAssistantComponent:
    """Publishes our entities to Home Assistant and carries out what it commands."""

    name = "homeassistant"

    def __init__(self, config: PrivacyConfig) -> None:
        self._cfg = config
        self._ha = config.homeassistant
        self._topics = OwnTopics(config.mqtt.own_prefix)
        self._fprefix = config.mqtt.topic_prefix
        self._lock = threading.RLock()
        self._ctx: ServiceContext | None = None
        self._settings: CameraSettings | None = None
        self._cameras: list[str] = []
        self._known: set[str] = set()
        self._pause = PauseController(
            self._ha.pause,
            self._fprefix,
            send=lambda topic, payload: self._require().mqtt.publish(topic, payload, qos=1),
            record=self._record,
            changed=self._publish_pause,
            save=self._save_state,
            service_actor=SERVICE_ACTOR,
        )
        self._restreams: dict[str, list[str]] = {}
        self._compliance: dict[str, CameraCompliance] = {}
        self._audit_state: tuple[bool, dict[str, Any]] | None = None
        self._republish: threading.Timer | None = None
        self._problem: str | None = None
        self.commands_handled = 0
        self._export: ExportButton | None = None

    # ----- lifecycle -----------------------------------------------------------------------------

    def start(self, ctx: ServiceContext) -> None:
        """Subscribe, register the jobs and publish what is already known."""
        self._ctx = ctx
        self._settings = ctx.camera_settings
        if self._ha.export.enabled:
            self._export = ExportButton(
                self._cfg,
                ctx.frigate,
                lambda camera, attributes: self._state(camera, "export_last_event", None, attributes),
                actor=HA_ACTOR,
                role=HA_ROLE,
            )
        self._settings.on_change(self._publish_camera_settings)
        ctx.controls.attach_pause(self)  # the API's pause switch goes through our PauseController too
        self._load_state(ctx.data_dir)
        mqtt = ctx.mqtt
        mqtt.subscribe(f"{self._ha.discovery_prefix}/status", self._on_ha_status)
        mqtt.subscribe(self._topics.camera_command_filter, self._on_command)
        mqtt.subscribe(f"{self._fprefix}/+/+/state", self._on_frigate_state)
        mqtt.subscribe(f"{self._fprefix}/profile/state", self._on_profile_state)
        if self._cfg.service.snapshots.enabled:
            mqtt.subscribe(f"{self._topics.prefix}/+/+/snapshot", self._on_masked_snapshot)
        ctx.on_frigate_online(self._frigate_online)
        ctx.scheduler.every(PAUSE_TICK_SECONDS, "ha-pause", self._tick)
        ctx.scheduler.every(FACTS_SECONDS, "ha-facts", self._refresh_facts, first_delay=5.0)
        ctx.scheduler.every(AUDIT_CHECK_SECONDS, "ha-audit", self._check_audit, first_delay=2.0)
        self._publish_hub()

    def stop(self, timeout: float) -> None:
        """Cancel a pending republish; the scheduler owns the other threads."""
        with self._lock:
            timer, self._republish = self._republish, None
        if timer is not None:
            timer.cancel()

    def health(self) -> ComponentHealth:
        """`degraded` while a pause did not take or Frigate's cameras are unknown."""
        bad = self._pause.problems()
        with self._lock:
            details: dict[str, Any] = {"cameras": len(self._cameras), "commands": self.commands_handled}
            if bad:
                details["pause_problems"] = bad
                return ComponentHealth("degraded", f"privacy pause did not fully take: {bad}", details)
            if self._problem:
                return ComponentHealth("degraded", self._problem, details)
            return ComponentHealth("ok", f"{len(self._cameras)} camera(s) published", details)

    def _require(self) -> ServiceContext:
        if self._ctx is None:
            raise RuntimeError("the Home Assistant component was not started")
        return self._ctx

    # ----- persistence ---------------------------------------------------------------------------

    def _load_state(self, data_dir: Path) -> None:
        path = data_dir / STATE_FILE
        try:
            data: Any = json.loads(path.read_text())
        except FileNotFoundError:
            return
        except (OSError, ValueError) as err:
            logger.warning("%s is unreadable (%s); starting without saved pauses", path, err)
            return
        if not isinstance(data, dict):
            return
        self._known = {c for c in data.get("cameras", []) if isinstance(c, str)}
        self._pause.load(data)

    def _save_state(self) -> None:
        ctx = self._require()
        with self._lock:
            data = {"cameras": sorted(self._known), **self._pause.dump()}
        try:
            with AtomicFile(ctx.data_dir / STATE_FILE, overwrite=True) as out:
                out.write(json.dumps(data, indent=1).encode())
                out.commit()
        except Exception as err:  # a full disk must not stop commands; the pause still holds in memory
            logger.error("could not save %s: %s", STATE_FILE, err)

    # ----- discovery -----------------------------------------------------------------------------

    def _sources(self) -> frozenset[Source]:
        ctx = self._require()
        sources = {Source.facts, Source.audit}
        if self._cfg.service.snapshots.enabled:
            sources.add(Source.snapshots)
        if any(job.name == RETENTION_JOB for job in ctx.scheduler.jobs()):
            sources.add(Source.retention_runs)
        if at_rest_cameras(self._cfg):
            sources.add(Source.atrest_backlog)  # the at-rest component reports its backlog in its health
        if self._ha.export.enabled:
            sources.add(Source.export)
        return frozenset(sources)

    def _discovery_settings(self) -> DiscoverySettings:
        return DiscoverySettings(
            discovery_prefix=self._ha.discovery_prefix,
            node_id=self._ha.node_id,
            topics=self._topics,
            frigate_availability=f"{self._fprefix}/available",
            version=__version__,
            mask_styles=tuple(available_styles()),
            sources=self._sources(),
            configuration_url=self._ha.configuration_url,
        )

    def _send(self, messages: Iterable[DiscoveryMessage]) -> None:
        mqtt = self._require().mqtt
        for message in messages:
            mqtt.publish(message.topic, message.encoded(), qos=1, retain=True)

    def _publish_hub(self) -> None:
        self._send(hub_messages(self._discovery_settings()))
        self._publish_hub_states()

    def _publish_all(self) -> None:
        """Discovery and every state (at start, after HA's birth message, after Frigate's config changed)."""
        settings = self._discovery_settings()
        self._send(hub_messages(settings))
        with self._lock:
            cameras = list(self._cameras)
        for camera in cameras:
            self._send(camera_messages(settings, camera))
        self._publish_hub_states()
        for camera in cameras:
            self._publish_camera_states(camera)

    def _remove_camera(self, camera: str) -> None:
        """Delete a camera's entities and clear its retained states (the camera left Frigate's config)."""
        self._send(camera_removal(self._discovery_settings(), camera))
        mqtt = self._require().mqtt
        for spec in CAMERA_ENTITIES:
            mqtt.publish(self._topics.camera_state(camera, spec.key), b"", qos=1, retain=True)
            if spec.attributes:
                mqtt.publish(self._topics.camera_attributes(camera, spec.key), b"", qos=1, retain=True)
        mqtt.publish(self._topics.camera_snapshot(camera), b"", qos=1, retain=True)
        logger.info("camera %s left Frigate's config: its Home Assistant entities were removed", camera)

    # ----- states --------------------------------------------------------------------------------

    def _state(self, camera: str, key: str, value: str | None, attributes: dict[str, Any] | None = None) -> None:
        mqtt = self._require().mqtt
        if value is not None:
            mqtt.publish(self._topics.camera_state(camera, key), value, qos=1, retain=True)
        if attributes is not None:
            mqtt.publish(self._topics.camera_attributes(camera, key), json.dumps(attributes), qos=1, retain=True)

    def _publish_camera_settings(self, camera: str) -> None:
        settings = self._settings
        if settings is None:
            return
        self._state(camera, "privacy_masking", _on(settings.masking_enabled(camera)))
        self._state(camera, "mask_style", settings.style(camera) or self._cfg.masking_for(camera).style)

    def _publish_pause(self, camera: str) -> None:
        paused, attributes = self._pause.view(camera)
        with self._lock:
            streams = self._restreams.get(camera, [])
        if streams:
            attributes["restream_still_serving"] = streams
            attributes["restream_fix"] = RESTREAM_FIX
        self._state(camera, "privacy_pause", _on(paused), attributes)

    def _publish_facts(self, camera: str) -> None:
        with self._lock:
            facts = self._compliance.get(camera)
        if facts is None:
            return
        audio = None if facts.audio_recorded is None else _on(facts.audio_recorded)
        self._state(camera, "audio_recorded", audio, facts.audio_attributes())
        age = None if facts.oldest_age_days is None else f"{facts.oldest_age_days:.3f}"
        self._state(camera, "oldest_recording", age, facts.retention_attributes())
        compliant = None if facts.compliant is None else _on(facts.compliant)
        self._state(camera, "retention_compliant", compliant, facts.retention_attributes())

    def _publish_camera_states(self, camera: str) -> None:
        self._publish_camera_settings(camera)
        self._publish_pause(camera)
        self._publish_facts(camera)

    def _publish_hub_states(self) -> None:
        ctx = self._require()
        mqtt = ctx.mqtt
        mqtt.publish(self._topics.hub_state("version"), __version__, qos=1, retain=True)
        with self._lock:
            audit = self._audit_state
        if audit is not None:
            mqtt.publish(self._topics.hub_state("audit_chain_ok"), _on(audit[0]), qos=1, retain=True)
            mqtt.publish(self._topics.hub_attributes("audit_chain_ok"), json.dumps(audit[1]), qos=1, retain=True)
        if at_rest_cameras(self._cfg):
            backlog = ctx.health.part(ATREST_PART).details.get("backlog_files")
            if isinstance(backlog, int):
                mqtt.publish(self._topics.hub_state("segments_waiting"), str(backlog), qos=1, retain=True)
        job = next((j for j in ctx.scheduler.jobs() if j.name == RETENTION_JOB), None)
        if job is not None and job.last_end is not None:
            stamp = datetime.fromtimestamp(job.last_end, UTC).isoformat(timespec="seconds")
            mqtt.publish(self._topics.hub_state("last_retention_run"), stamp, qos=1, retain=True)
            attributes = {"runs": job.runs, "failures": job.failures, "last_error": job.last_error}
            mqtt.publish(self._topics.hub_attributes("last_retention_run"), json.dumps(attributes), qos=1, retain=True)

    # ----- Home Assistant ------------------------------------------------------------------------

    def _on_ha_status(self, topic: str, payload: bytes) -> None:
        if payload.strip() != b"online":
            return
        # HA subscribes to its entities' topics right after its birth message: wait a moment, then republish.
        timer = threading.Timer(self._ha.republish_delay, self._publish_all)
        timer.daemon = True
        with self._lock:
            if self._republish is not None:
                self._republish.cancel()
            self._republish = timer
        timer.start()

    def _on_command(self, topic: str, payload: bytes) -> None:
        parsed = self._topics.parse_camera_command(topic)
        if parsed is None:
            return
        camera, key = parsed
        text = payload.decode(errors="replace").strip()
        with self._lock:
            known = camera in self._cameras
        if not known:
            logger.warning("command for unknown camera %r on %s ignored (not in Frigate's config)", camera[:64], topic)
            return
        self.commands_handled += 1
        if key == "privacy_masking":
            self._command_masking(camera, text)
        elif key == "mask_style":
            self._command_style(camera, text)
        elif key == "privacy_pause":
            self._command_pause(camera, text)
        elif key == "export_last_event" and self._export is not None and text == PRESS:
            self._export.press(camera)
        else:
            logger.warning("unknown command %s for camera %s ignored", key[:64], camera)

    def _command_masking(self, camera: str, text: str) -> None:
        if self._settings is None or text not in (ON, OFF):
            logger.warning("privacy masking of %s: payload must be ON or OFF, got %r", camera, text[:32])
            return
        enabled = text == ON
        reason = f"masking switched {'on' if enabled else 'off'} from Home Assistant"
        self._controlled(
            AuditAction.privacy_masking,
            camera,
            lambda c: c.set_masking(camera, enabled, actor=HA_ACTOR, role=HA_ROLE, reason=reason),
        )
        self._publish_camera_settings(camera)

    def _command_style(self, camera: str, text: str) -> None:
        styles = available_styles()
        if self._settings is None or text not in styles:
            logger.warning("mask style %r for %s is not installed (installed: %s)", text[:64], camera, styles)
            self._publish_camera_settings(camera)  # put HA's select back to the real value
            return
        reason = "mask style chosen in Home Assistant"
        self._controlled(
            AuditAction.mask_style,
            camera,
            lambda c: c.set_style(camera, text, actor=HA_ACTOR, role=HA_ROLE, reason=reason),
        )

    def _controlled(self, action: AuditAction, camera: str, work: Callable[[CameraControls], bool]) -> None:
        """Run a switch change through the service's one camera controller (audited there)."""
        try:
            work(self._require().controls)
        except Exception:
            logger.exception(
                "%s of %s failed or could not be audited; nothing was changed unless audited", action, camera
            )
            with self._lock:
                self._problem = f"{action} of {camera} failed"

    def request_pause(self, camera: str, paused: bool, *, actor: str, role: str, reason: str) -> bool:
        """Pause or resume for another caller (the API, via `CameraControls`); False when not audited."""
        change = self._pause.pause if paused else self._pause.resume
        return change(camera, reason, actor, role)

    def pause_status(self, camera: str) -> dict[str, Any]:
        """The pause switch's attributes plus `paused`, as Home Assistant shows them."""
        paused, attributes = self._pause.view(camera)
        return {"paused": paused, **attributes}

    def _command_pause(self, camera: str, text: str) -> None:
        if text not in (ON, OFF):
            logger.warning("privacy pause of %s: payload must be ON or OFF, got %r", camera, text[:32])
            return
        if text == ON:
            self._pause.pause(camera, "switch", HA_ACTOR)
        else:
            self._pause.resume(camera, "switch", HA_ACTOR)

    # ----- privacy pause -------------------------------------------------------------------------

    def _on_frigate_state(self, topic: str, payload: bytes) -> None:
        parts = topic.split("/")
        if len(parts) < 4:
            return
        camera, toggle = parts[-3], parts[-2]
        if toggle not in PauseToggle.__members__ or payload not in (b"ON", b"OFF"):
            return
        self._pause.observe(camera, PauseToggle(toggle), payload == b"ON")
        with self._lock:
            published = camera in self._cameras
        if published:
            self._pause.settle(camera)
            self._publish_pause(camera)

    def _on_profile_state(self, topic: str, payload: bytes) -> None:
        self._pause.observe_profile(payload.decode(errors="replace").strip()[:64] or None)

    def _on_masked_snapshot(self, topic: str, payload: bytes) -> None:
        parts = topic.split("/")
        camera = parts[-3]
        if not payload or parts[-2] == "service":
            return
        with self._lock:
            if camera not in self._cameras:
                return
        # Only ever our redactor's output (under our prefix) is copied to the one topic HA's image reads.
        self._require().mqtt.publish(self._topics.camera_snapshot(camera), payload, qos=0, retain=True)

    def _tick(self) -> None:
        """Schedules, confirm timeouts and the republish of hub states."""
        with self._lock:
            cameras = list(self._cameras)
        self._pause.tick(cameras, datetime.now())
        self._publish_hub_states()

    # ----- Frigate -------------------------------------------------------------------------------

    def _frigate_online(self) -> None:
        """Frigate (re)started: refresh cameras and restreams, remove gone cameras, re-assert pauses."""
        ctx = self._require()
        cameras = ctx.link.cameras()
        if not cameras:
            with self._lock:
                self._problem = "Frigate's cameras are not known yet (its API did not answer)"
            return
        version = None
        if ctx.link.version:
            try:
                version = FrigateVersion.parse(ctx.link.version)
            except ValueError:
                version = None
        restreams: dict[str, list[str]] = {}
        try:
            raw = ctx.frigate.raw_config()
            restreams = {cam: restream_streams(raw, cam) for cam in cameras}
        except FrigateApiError as err:
            logger.warning("could not read Frigate's go2rtc streams: %s", err)
        with self._lock:
            gone = sorted(self._known - set(cameras))
            self._cameras = list(cameras)
            self._known = set(cameras)
            self._restreams = restreams
            self._problem = None
        for camera in gone:
            self._remove_camera(camera)
        self._pause.frigate_online(cameras, gone, version)
        self._save_state()
        self._publish_all()

    def _refresh_facts(self) -> None:
        """Audio and retention facts per camera (Frigate's config, recordings and newest segment)."""
        ctx = self._require()
        with self._lock:
            cameras = list(self._cameras)
        if not cameras:
            return
        try:
            found = compliance(self._cfg, ctx.frigate, cameras)
        except FrigateApiError as err:
            logger.warning("could not refresh compliance facts: %s", err)
            return
        with self._lock:
            self._compliance.update(found)
        for camera in found:
            self._publish_facts(camera)

    def _check_audit(self) -> None:
        """Verify the audit log and publish the verdict on the hub's sensor."""
        ctx = self._require()
        ok, attributes = audit_verdict(ctx.audit.path, ctx.data_dir)
        with self._lock:
            self._audit_state = (ok, attributes)
        if not ok:
            logger.error("audit log verification failed: %s", attributes["problem"])
        self._publish_hub_states()

    def _record(
        self,
        action: AuditAction,
        camera: str,
        reason: str,
        result: AuditResult,
        details: dict[str, Any],
        actor: str,
        role: str | None = None,
    ) -> int | None:
        """One audit entry; its sequence number, or None (logged, health degraded) when it could not be written."""
        try:
            return record_camera_entry(self._require().audit, action, camera, reason, result, details, actor, role)
        except Exception:
            logger.exception("could not audit %s of %s", action, camera)
            with self._lock:
                self._problem = f"audit log write failed for {action} of {camera}"
            return None


def record_camera_entry(
    log: AuditLog,
    action: AuditAction,
    camera: str,
    reason: str,
    result: AuditResult,
    details: dict[str, Any],
    actor: str,
    role: str | None = None,
) -> int:
    """Write one camera entry of the Home Assistant side (`role` None: Home Assistant's or the service's)."""
    entry = log.record(
        actor=actor,
        role=role or (HA_ROLE if actor == HA_ACTOR else SERVICE_ROLE),
        action=action,
        target=f"camera:{camera}",
        camera=camera,
        reason=reason,
        result=result,
        details=details,
    )
    return entry.seq
