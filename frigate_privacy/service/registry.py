"""The one table of the service's components: core ones and the extension points (API, HA, at-rest)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.service.component import Component

__all__ = ["COMPONENTS", "ComponentFactory", "build_components"]

ComponentFactory = Callable[[PrivacyConfig], "Component | None"]
"""`build(config)`: the component, or None when the config switches it off."""

# name -> "module:factory". Started in this order, stopped in reverse. A component is imported only
# when the service starts, so its dependencies (FastAPI, ONNX, ...) cost nothing to other commands.
# Owners add their line here: ("api", "frigate_privacy.service.api.component:build"), ...
COMPONENTS: tuple[tuple[str, str], ...] = (
    ("policy", "frigate_privacy.service.policy_jobs:build"),
    ("snapshots", "frigate_privacy.service.snapshots:build"),
    ("api", "frigate_privacy.service.api.component:build"),
    ("atrest", "frigate_privacy.service.atrest_component:build"),
    ("homeassistant", "frigate_privacy.service.homeassistant.component:build"),
)


def _load(target: str) -> ComponentFactory:
    module_name, _, attr = target.partition(":")
    return cast(ComponentFactory, getattr(importlib.import_module(module_name), attr))


def build_components(config: PrivacyConfig, table: tuple[tuple[str, str], ...] = COMPONENTS) -> list[Component]:
    """Every component the config enables, in table order."""
    built: list[Component] = []
    for name, target in table:
        component = _load(target)(config)
        if component is None:
            continue
        if component.name != name:
            raise ValueError(f"component table entry {name!r} built a component named {component.name!r}")
        built.append(component)
    return built
