"""Read a YAML file into the config tree, with one readable message per wrong field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from frigate_privacy.config.messages import ConfigProblem, config_problems, describe_errors, key_lines
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import ConfigError

__all__ = [
    "MAX_CONFIG_BYTES",
    "MAX_CONFIG_DEPTH",
    "InvalidConfig",
    "format_validation_error",
    "load_config",
    "parse_config",
]

# A config is a few KiB; these bound what a wrong path (/dev/zero) or a crafted file can cost.
MAX_CONFIG_BYTES = 1 << 20
MAX_CONFIG_DEPTH = 32


class InvalidConfig(ConfigError):
    """The file parsed but does not validate; `problems` and `missing_env` hold the details for --json."""

    def __init__(self, message: str, problems: list[ConfigProblem], missing_env: dict[str, list[str]]) -> None:
        super().__init__(message)
        self.problems = problems
        self.missing_env = missing_env


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
        problems, missing_env = config_problems(err, PrivacyConfig, lines)
        text = describe_errors(err, PrivacyConfig, lines)
        raise InvalidConfig(f"{source} is not valid:\n{text}", problems, missing_env) from None


def _yaml_problem(err: yaml.YAMLError) -> str:
    """What is wrong and where, without quoting the line: it may be the password line."""
    if isinstance(err, yaml.MarkedYAMLError) and err.problem_mark is not None:
        mark = err.problem_mark
        return f"{err.problem or 'syntax error'} at line {mark.line + 1}, column {mark.column + 1}"
    return type(err).__name__


def _too_deep(data: Any) -> bool:
    """True when `data` nests deeper than MAX_CONFIG_DEPTH (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_CONFIG_DEPTH:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return False


def _read_text(path: Path) -> str:
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_CONFIG_BYTES + 1)
    except OSError as err:
        raise ConfigError(f"cannot read config {path}: {err.strerror}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"config {path} is larger than {MAX_CONFIG_BYTES // 1024} KiB; is it the right file?")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(
            f"config {path} is not UTF-8 text (bad byte at offset {err.start}); save it as UTF-8"
        ) from None


def load_config(path: Path) -> PrivacyConfig:
    """Load and validate a config file (bounded in size and nesting; errors never quote the file's lines)."""
    text = _read_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigError(f"{path} is not valid YAML: {_yaml_problem(err)}") from None
    except RecursionError:
        raise ConfigError(f"{path} nests too deeply (at most {MAX_CONFIG_DEPTH} levels)") from None
    except ValueError as err:  # e.g. an integer of thousands of digits (Python's int size limit)
        raise ConfigError(f"{path} holds a value that cannot be read: {str(err)[:120]}") from None
    if data is not None and not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a mapping at the top level")
    if _too_deep(data):
        raise ConfigError(f"{path} nests too deeply (at most {MAX_CONFIG_DEPTH} levels)")
    return parse_config(data, source=str(path), lines=key_lines(text))
