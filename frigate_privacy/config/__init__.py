"""The one configuration tree: models, loading and validation messages."""

from frigate_privacy.config.camera import AudioPolicy, CameraConfig
from frigate_privacy.config.frigate import FrigateConfig
from frigate_privacy.config.loader import load_config, parse_config
from frigate_privacy.config.masking import DetectionProfile, MaskingConfig, PrivacyZone
from frigate_privacy.config.mqtt import MqttConfig
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.config.storage import StorageConfig

__all__ = [
    "AudioPolicy",
    "CameraConfig",
    "DetectionProfile",
    "FrigateConfig",
    "MaskingConfig",
    "MqttConfig",
    "PrivacyConfig",
    "PrivacyZone",
    "StorageConfig",
    "load_config",
    "parse_config",
]
