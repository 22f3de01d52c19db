"""The API masks with the camera's configured settings plus the style chosen at run time (Home Assistant)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.service.api.context import masking_source
from frigate_privacy.service.camera_settings import CameraSettings


@dataclass
class _Ctx:
    config: PrivacyConfig
    camera_settings: CameraSettings


def test_runtime_style_applies_and_the_masking_switch_does_not_unmask(tmp_path: Path) -> None:
    cfg = PrivacyConfig.model_validate({"masking": {"style": "mean_noise"}, "cameras": {"garden": {}}})
    settings = CameraSettings(tmp_path)
    masking_for = masking_source(_Ctx(cfg, settings))
    assert masking_for("front").style == "mean_noise"
    settings.set_style("front", "solid")
    settings.set_masking("front", False)
    front = masking_for("front")
    assert front.style == "solid" and front.faces, "viewers still get masked media when HA switched masking off"
    assert masking_for("garden").style == "mean_noise"


def test_without_runtime_settings_the_config_applies() -> None:
    cfg = PrivacyConfig.model_validate({"masking": {"style": "pixelate"}})

    @dataclass
    class _Bare:
        config: PrivacyConfig

    assert masking_source(_Bare(cfg))("front").style == "pixelate"
