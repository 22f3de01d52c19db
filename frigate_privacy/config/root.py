"""The root of the configuration tree."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

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
from frigate_privacy.config.mqtt import MqttConfig
from frigate_privacy.config.policy import PolicyConfig, merge_policy
from frigate_privacy.config.service import ServiceConfig
from frigate_privacy.config.storage import StorageConfig

__all__ = ["CAMERA_NAME_PATTERN", "CameraName", "PrivacyConfig"]

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

    def masking_for(self, camera: str) -> MaskingConfig:
        """The effective masking settings of one camera."""
        cam = self.cameras.get(camera)
        return cam.masking if cam is not None and cam.masking is not None else self.masking

    def policy_for(self, camera: str) -> PolicyConfig:
        """The effective policy of one camera (global keys replaced by the camera's)."""
        cam = self.cameras.get(camera)
        return merge_policy(self.policy, cam.policy if cam is not None else None)

    @model_validator(mode="after")
    def _camera_policies_valid(self) -> PrivacyConfig:
        for name in self.cameras:
            self.policy_for(name)  # raises ValueError (a validation error) when the merge is inconsistent
        return self
