"""Every privacy-pause intent in the audit log gets its own outcome, under the name of whoever asked.

The controller runs against a real signed audit log; `audit verify` must find no action "started and never
finished", and each outcome must name its own intent and actor. The races: Frigate announcing `online`
(a re-assert by the service) while a user's pause awaits confirmation, a resume before the pause was
confirmed, and a camera leaving Frigate's config meanwhile.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

from frigate_privacy.audit import AuditLog, AuditResult, verify_log_file
from frigate_privacy.audit.entry import AuditEntry
from frigate_privacy.config.homeassistant import PrivacyPauseConfig
from frigate_privacy.crypto.signing import SigningKey, load_or_create_signing_key
from frigate_privacy.frigate.version import FrigateVersion
from frigate_privacy.service.homeassistant.component import HA_ACTOR, SERVICE_ACTOR, record_camera_entry
from frigate_privacy.service.homeassistant.pause import PauseStatus
from frigate_privacy.service.homeassistant.pause_control import PauseController

USER, SERVICE = HA_ACTOR, SERVICE_ACTOR
V016 = FrigateVersion(0, 16, 4)


class Rig:
    """A controller writing the real audit log through the component's own entry writer, and what it sent to Frigate."""

    def __init__(self, log: AuditLog, key: SigningKey) -> None:
        self.log, self.key = log, key
        self.sent: list[tuple[str, str]] = []
        self.ctrl = PauseController(
            PrivacyPauseConfig(),
            "frigate",
            send=lambda topic, payload: self.sent.append((topic, payload)),
            record=functools.partial(record_camera_entry, log),
            changed=lambda camera: None,
            save=lambda: None,
            service_actor=SERVICE,
        )
        self.ctrl.frigate_online(["front"], [], V016)
        for toggle in self.ctrl.toggles():  # Frigate reports every toggle on
            self.ctrl.observe("front", toggle, True)

    def frigate_applies(self) -> None:
        """Frigate carries out every command sent so far and reports the new states."""
        for topic, payload in self.sent:
            _, camera, toggle, _ = topic.split("/")
            match = next(t for t in self.ctrl.toggles() if str(t) == toggle)
            self.ctrl.observe(camera, match, payload == "ON")
        self.sent.clear()
        self.ctrl.settle("front")

    def outcomes(self) -> dict[int, AuditEntry]:
        """Outcome entries by the intent they close."""
        return {e.details_dict()["intent"]: e for e in self.log.entries() if e.result != AuditResult.started}

    def intents(self) -> list[AuditEntry]:
        return [e for e in self.log.entries() if e.result == AuditResult.started]

    def unfinished(self) -> list[int]:
        report = verify_log_file(self.log.path, self.key.public)
        assert report.ok, report.first_problem
        return [e.seq for e in report.unfinished]


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    key = load_or_create_signing_key(tmp_path / "data")
    with AuditLog(tmp_path / "data" / "audit.sqlite3", key) as log:
        yield Rig(log, key)


def test_a_re_assert_while_a_users_pause_awaits_confirmation_keeps_the_users_outcome(rig: Rig) -> None:
    rig.ctrl.pause("front", "switch", USER)
    rig.ctrl.frigate_online(["front"], [], V016)  # Frigate restarted before it confirmed the pause
    rig.frigate_applies()

    user_intent, reassert = rig.intents()
    assert (user_intent.actor, reassert.actor) == (USER, SERVICE)
    outcomes = rig.outcomes()
    assert outcomes[user_intent.seq].actor == USER  # not the service's name on the user's pause
    assert outcomes[user_intent.seq].result == AuditResult.success
    assert outcomes[reassert.seq].actor == SERVICE
    assert rig.unfinished() == []
    assert rig.ctrl.view("front")[1]["status"] == PauseStatus.paused


def test_a_resume_before_the_pause_was_confirmed_closes_the_pause_as_superseded(rig: Rig) -> None:
    rig.ctrl.pause("front", "switch", USER)
    rig.ctrl.resume("front", "switch", USER)
    rig.frigate_applies()

    pause, resume = rig.intents()
    outcomes = rig.outcomes()
    assert outcomes[pause.seq].result == AuditResult.superseded
    assert outcomes[pause.seq].details_dict()["superseded_by"] == resume.seq
    assert outcomes[resume.seq].result == AuditResult.success
    assert rig.unfinished() == []


def test_a_camera_leaving_frigate_while_its_pause_is_pending_ends_it_as_failed(rig: Rig) -> None:
    rig.ctrl.pause("front", "switch", USER)
    rig.ctrl.frigate_online([], ["front"], V016)

    (pause,) = rig.intents()
    outcome = rig.outcomes()[pause.seq]
    assert (outcome.actor, outcome.result) == (USER, AuditResult.failure)
    assert "left Frigate's config" in outcome.reason
    assert rig.unfinished() == []
