"""Every file in config_examples/ validates (with the environment variables it names) and says what it promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from frigate_privacy.cli import main
from frigate_privacy.config import load_config
from frigate_privacy.config.camera import AudioPolicy
from frigate_privacy.config.masking import ZoneFill

EXAMPLES = Path(__file__).resolve().parent.parent / "config_examples"
PLACEHOLDER = re.compile(r"\{(FRIGATE_[A-Z0-9_]+)\}")


def _with_env(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text()
    for name in set(PLACEHOLDER.findall(text)):
        # Each placeholder must be named in the file's header, so a user knows what to export.
        exported = re.search(rf"^#\s+export .*\b{name}=", text, re.MULTILINE)
        assert exported, f"{path.name}: say in the header to export {name}"
        monkeypatch.setenv(name, "example-secret")


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yml")), ids=lambda p: p.name)
def test_example_validates(path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert path.name not in {
        "config.yaml",
        "config.yml",
        "config.json",
    }  # the HA Supervisor would take it for an add-on
    _with_env(path, monkeypatch)
    assert main(["config", "validate", str(path)]) == 0, capsys.readouterr()


def test_homeowner_three_cameras(monkeypatch: pytest.MonkeyPatch) -> None:
    path = EXAMPLES / "homeowner-3-cameras.yml"
    _with_env(path, monkeypatch)
    cfg = load_config(path)
    assert sorted(cfg.cameras) == ["driveway", "front_door", "garden"]
    assert all(c.audio is AudioPolicy.forbid for c in cfg.cameras.values())
    assert cfg.masking_for("garden").bodies and not cfg.masking_for("front_door").bodies
    assert [z.name for z in cfg.masking_for("driveway").zones] == ["neighbour"]
    (window,) = cfg.homeassistant.pause.schedules
    assert window.cameras == ["garden"] and (window.start, window.end) == ("18:00", "22:00")


def test_shop_eight_cameras_with_staff_roles(monkeypatch: pytest.MonkeyPatch) -> None:
    path = EXAMPLES / "shop-8-cameras.yml"
    _with_env(path, monkeypatch)
    cfg = load_config(path)
    assert len(cfg.cameras) == 8
    assert all(cfg.policy_for(c).mask_at_rest for c in cfg.cameras) and cfg.atrest.escrow_recipients
    assert cfg.frigate.url.startswith("https://") and cfg.frigate.url.endswith(":8971")
    assert cfg.api.tls_cert is not None  # staff reach the API over HTTPS
    keypad = cfg.masking_for("checkout").zones[0]
    assert keypad.fill is ZoneFill.solid
    assert "users add" in path.read_text() and "--role viewer" in path.read_text()


def test_strict_gdpr_keeps_least(monkeypatch: pytest.MonkeyPatch) -> None:
    path = EXAMPLES / "strict-gdpr.yml"
    _with_env(path, monkeypatch)
    cfg = load_config(path)
    for camera in cfg.cameras:
        policy, masking = cfg.policy_for(camera), cfg.masking_for(camera)
        assert policy.mask_at_rest and policy.mask.bodies and masking.bodies and masking.style == "solid"
        assert cfg.cameras[camera].audio is AudioPolicy.forbid
        assert max(policy.retention.alerts_days or 0, policy.retention.detections_days or 0) <= 3
    assert cfg.service.audio.value == "apply" and cfg.service.retention.apply
    assert cfg.export.expiry_days <= 7
