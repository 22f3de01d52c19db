"""Shared base model and value types for the configuration tree."""

from __future__ import annotations

import os
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

__all__ = ["EnvString", "PrivacyBaseModel"]

# Same convention as Frigate: "{FRIGATE_PRIVACY_PASSWORD}" is replaced from the environment,
# so secrets never have to live in the YAML file.
_ENV_VAR = re.compile(r"\{(FRIGATE_[A-Z0-9_]+)\}")


def _substitute_env(value: str) -> str:
    """Replace `{FRIGATE_*}` placeholders with environment variables; a missing one is an error."""

    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ValueError(f"environment variable {name} is not set")
        return os.environ[name]

    return _ENV_VAR.sub(repl, value)


EnvString = Annotated[str, AfterValidator(_substitute_env)]


class PrivacyBaseModel(BaseModel):
    """Base of every config model: unknown keys are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=(), validate_default=True)
