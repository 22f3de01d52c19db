"""Read a YAML file into the config tree, with one readable message per wrong field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from frigate_privacy.config.messages import describe_errors, key_lines
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import ConfigError

__all__ = ["format_validation_error", "load_config", "parse_config"]


def format_validation_error(err: ValidationError, root: type[BaseModel] | None = None) -> str:
    """One line per wrong field, naming the dotted field path (and a likely fix for a typo)."""
    return describe_errors(err, root or PrivacyConfig)


def parse_config(
    data: dict[str, Any] | None, source: str = "config", lines: dict[tuple[str | int, ...], int] | None = None
) -> PrivacyConfig:
    """Validate an already-parsed mapping; `lines` (from `key_lines`) puts line numbers in the messages."""
    try:
        return PrivacyConfig.model_validate(data or {})
    except ValidationError as err:
        raise ConfigError(f"{source} is not valid:\n{describe_errors(err, PrivacyConfig, lines)}") from None


def load_config(path: Path) -> PrivacyConfig:
    """Load and validate a config file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"cannot read config {path}: {err.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigError(f"{path} is not valid YAML: {err}") from None
    if data is not None and not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a mapping at the top level")
    return parse_config(data, source=str(path), lines=key_lines(text))
