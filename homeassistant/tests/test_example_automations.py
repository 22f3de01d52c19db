"""The example automations in homeassistant/examples pass Home Assistant's own automation validation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from homeassistant.components.automation.config import async_validate_config_item
from homeassistant.core import HomeAssistant

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "automations.yaml"


def _automations() -> list[dict[str, object]]:
    data = yaml.safe_load(EXAMPLES.read_text())
    assert isinstance(data, list) and data
    return data


@pytest.mark.parametrize("automation", _automations(), ids=lambda a: str(a["id"]))
async def test_example_automation_is_valid(hass: HomeAssistant, automation: dict[str, object]) -> None:
    validated = await async_validate_config_item(hass, str(automation["id"]), dict(automation))
    assert validated is not None
    assert validated["trigger"] and validated["action"]


async def test_a_broken_automation_is_refused(hass: HomeAssistant) -> None:
    """The validation has teeth: an unknown trigger platform is an error."""
    broken = {**_automations()[0], "trigger": [{"platform": "no_such_platform"}]}
    with pytest.raises(Exception):  # noqa: B017 - HA raises vol.Invalid or HomeAssistantError by version
        await async_validate_config_item(hass, "broken", broken)


def test_examples_use_our_entities() -> None:
    text = EXAMPLES.read_text()
    assert "image.front_door_redacted_snapshot" in text and "_privacy_pause" in text
