"""Read a YAML file into the config tree, with one readable message per wrong field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import ConfigError

__all__ = ["format_validation_error", "load_config", "parse_config"]


def format_validation_error(err: ValidationError) -> str:
    """One line per wrong field, naming the dotted field path."""
    lines = []
    for item in err.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"  {where}: {item['msg']}")
    return "\n".join(lines)


def parse_config(data: dict[str, Any] | None, source: str = "config") -> PrivacyConfig:
    """Validate an already-parsed mapping."""
    try:
        return PrivacyConfig.model_validate(data or {})
    except ValidationError as err:
        raise ConfigError(f"{source} is not valid:\n{format_validation_error(err)}") from None


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
    return parse_config(data, source=str(path))
