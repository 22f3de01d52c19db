"""The root of the configuration tree."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationError, model_validator

from frigate_privacy.config.api import ApiConfig
from frigate_privacy.config.atrest import AtRestConfig
from frigate_privacy.config.audit import AuditConfig
from frigate_privacy.config.base import PrivacyBaseModel
from frigate_privacy.config.camera import CameraConfig
from frigate_privacy.config.encoding import EncodingConfig
from frigate_privacy.config.export import ExportConfig
from frigate_privacy.config.frigate import FrigateConfig
from frigate_privacy.config.homeassistant import HomeAssistantConfig
from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.config.merge import deep_merge
from frigate_privacy.config.mqtt import MqttConfig
from frigate_privacy.config.policy import PolicyConfig
from frigate_privacy.config.service import ServiceConfig
from frigate_privacy.config.storage import StorageConfig

__all__ = ["CAMERA_NAME_PATTERN", "CAMERA_SECTIONS", "CameraName", "PrivacyConfig"]

# Frigate's own rule for camera names; names become path parts and topics, so we enforce it too.
CAMERA_NAME_PATTERN = r"^[a-zA-Z0-9_-]+$"
CameraName = Annotated[str, StringConstraints(pattern=CAMERA_NAME_PATTERN)]


class PrivacyConfig(PrivacyBaseModel):
    """Everything frigate-privacy reads from its YAML file. Top-level keys mirror Frigate's."""

    frigate: FrigateConfig = Field(
        default_factory=FrigateConfig, title="Frigate", description="How to reach Frigate's HTTP API."
    )
    mqtt: MqttConfig = Field(default_factory=MqttConfig, title="MQTT", description="The broker Frigate publishes to.")
    storage: StorageConfig = Field(
        default_factory=StorageConfig, title="Storage", description="Where the plugin keeps its own state."
    )
    masking: MaskingConfig = Field(
        default_factory=MaskingConfig,
        title="Masking",
        description="Global masking defaults; each camera may override them.",
    )
    encoding: EncodingConfig = Field(
        default_factory=EncodingConfig, title="Encoding", description="H.264 settings of redacted video."
    )
    audit: AuditConfig = Field(default_factory=AuditConfig, title="Audit log", description="The tamper-evident log.")
    export: ExportConfig = Field(default_factory=ExportConfig, title="Exports", description="Redacted exports.")
    policy: PolicyConfig = Field(
        default_factory=PolicyConfig, title="Policy", description="Global retention and masking policy."
    )
    homeassistant: HomeAssistantConfig = Field(
        default_factory=HomeAssistantConfig,
        title="Home Assistant",
        description="MQTT discovery entities and the privacy pause.",
    )
    service: ServiceConfig = Field(
        default_factory=ServiceConfig,
        title="Service",
        description="The long-running `frigate-privacy run` process: snapshots, backfill, scheduled jobs.",
    )
    atrest: AtRestConfig = Field(
        default_factory=AtRestConfig,
        title="At rest",
        description="Masking Frigate's stored media in place for cameras whose policy sets `mask_at_rest`.",
    )
    api: ApiConfig = Field(
        default_factory=ApiConfig, title="API", description="Our HTTP API with roles, and the redacted live view."
    )
    cameras: dict[CameraName, CameraConfig] = Field(
        default_factory=dict,
        title="Cameras",
        description="Per-camera privacy settings, keyed by Frigate camera name.",
    )

    def masking_for(self, camera: str | None = None) -> MaskingConfig:
        """The masking one camera gets (the global one for None or an unlisted camera), under the one rule.

        The camera's `masking:` is already deep-merged over the global one; what the camera's
        `policy.mask` asks for (faces, bodies) is added on top, never taken away. Every masking path
        (redact with a config, export, at rest, live, snapshots) calls this, so they all mask alike.
        """
        cam = self.cameras.get(camera) if camera is not None else None
        masking = cam.masking if cam is not None else self.masking
        rule = (cam.policy if cam is not None else self.policy).mask
        if (rule.faces and not masking.faces) or (rule.bodies and not masking.bodies):
            masking = masking.model_copy(
                update={"faces": masking.faces or rule.faces, "bodies": masking.bodies or rule.bodies}
            )
        return masking

    def policy_for(self, camera: str | None = None) -> PolicyConfig:
        """The effective policy of one camera: its `policy:` deep-merged over the global one."""
        cam = self.cameras.get(camera) if camera is not None else None
        return cam.policy if cam is not None else self.policy

    @model_validator(mode="before")
    @classmethod
    def _merge_camera_sections(cls, data: Any) -> Any:
        """Deep-merge each global per-camera section into every camera before validation, as Frigate does."""
        if not isinstance(data, dict) or not isinstance(data.get("cameras"), dict):
            return data
        cameras: dict[Any, Any] = {}
        for name, cam in data["cameras"].items():
            cam = {} if cam is None else cam  # `front:` with nothing under it: all global settings
            if isinstance(cam, dict):
                cam = dict(cam)
                for section in CAMERA_SECTIONS:
                    glob = data.get(section)
                    own = cam.get(section, {})
                    # An invalid global section is reported once, at its own place, not again per camera.
                    if isinstance(glob, dict) and isinstance(own, dict) and _valid(section, glob):
                        cam[section] = deep_merge(glob, own)
            cameras[name] = cam
        return {**data, "cameras": cameras}

    @model_validator(mode="after")
    def _faces_not_contradicted(self) -> PrivacyConfig:
        for where, masking, rule in [
            ("", self.masking, self.policy.mask),
            *((f"cameras.{n}.", c.masking, c.policy.mask) for n, c in self.cameras.items()),
        ]:
            if rule.faces and not masking.faces:
                raise ValueError(
                    f"{where}masking.faces is false but {where}policy.mask.faces is true (its default), which "
                    "masks faces anyway; to stop masking faces set policy.mask.faces: false too (with "
                    "policy.mask.bodies: true and masking.bodies: true)"
                )
        return self


# The sections a camera may set; each is deep-merged over the global section of the same name.
CAMERA_SECTIONS: tuple[str, ...] = ("masking", "policy")


def _valid(section: str, data: dict[str, Any]) -> bool:
    model = CameraConfig.model_fields[section].annotation
    assert isinstance(model, type) and issubclass(model, PrivacyBaseModel)
    try:
        model.model_validate(data)
    except ValidationError:
        return False
    return True
