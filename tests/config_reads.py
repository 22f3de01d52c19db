"""A mypy plugin that records which config fields the code reads, by the type mypy infers for each access.

tests/test_config_fields_read.py runs mypy with it. Reading `cfg.mqtt.port` is recorded as
`frigate_privacy.config.mqtt.MqttConfig.port` whatever the variable is called, so a field is "read"
only where code really reads that field of that model, not one of the same name elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from mypy.plugin import AttributeContext, Plugin
from mypy.types import Type

_PACKAGE = "frigate_privacy.config."


class ConfigReads(Plugin):
    """Appends `<model fullname>.<field>` to $CONFIG_READS_OUT for every read outside a config validator."""

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        if not fullname.startswith(_PACKAGE):
            return None

        def record(ctx: AttributeContext) -> Type:
            path = getattr(ctx.api, "path", "")
            scope = getattr(ctx.api, "scope", None)
            func = scope.top_level_function() if scope is not None else None
            # In config/ only the public helpers (masking_for, should_mask, ...) count: a model's field
            # definitions and its validators (private methods) do not make a field do anything.
            in_models = "/config/" in path and (func is None or func.name.startswith("_"))
            if not in_models:
                with open(os.environ["CONFIG_READS_OUT"], "a", encoding="utf-8") as out:
                    out.write(f"{fullname}\n")
            return ctx.default_attr_type

        return record


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point."""
    return ConfigReads
