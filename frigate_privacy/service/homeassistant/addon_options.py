"""Map the Home Assistant add-on's options (`/data/options.json`) onto our configuration tree.

Secrets never reach the generated file: the MQTT credentials the Supervisor hands out and the Frigate
password stay in the environment and the YAML holds `{FRIGATE_PRIVACY_...}` placeholders, which the
config loader substitutes at start.

Run as `python -m frigate_privacy.service.homeassistant.addon_options OPTIONS_JSON OUT_YAML` (the
add-on's run script does).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from frigate_privacy.config.root import PrivacyConfig

__all__ = ["ENV_FRIGATE_PASSWORD", "ENV_MQTT_PASSWORD", "ENV_MQTT_USER", "options_to_config"]

ENV_MQTT_USER = "FRIGATE_PRIVACY_MQTT_USER"
ENV_MQTT_PASSWORD = "FRIGATE_PRIVACY_MQTT_PASSWORD"  # noqa: S105 - an environment variable's name
ENV_FRIGATE_PASSWORD = "FRIGATE_PRIVACY_FRIGATE_PASSWORD"  # noqa: S105 - an environment variable's name
ADDON_DATA_DIR = "/data"  # the add-on's private, persistent folder
INGRESS_PORT = 8099  # config.yaml's ingress_port: our API listens there for the Supervisor's ingress proxy
FRIGATE_MEDIA = "/media/frigate"  # where the Frigate add-on keeps recordings (our `media` map)


def _csv(value: Any) -> list[str]:
    if not value:
        return []
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _schedule(entry: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": entry["name"], "start": entry["start"], "end": entry["end"]}
    if days := _csv(entry.get("days")):
        out["days"] = [d.lower() for d in days]
    if cameras := _csv(entry.get("cameras")):
        out["cameras"] = cameras
    return out


def options_to_config(options: Mapping[str, Any], mqtt: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Our config (as a dict) from the add-on options and the Supervisor's MQTT service (host, port, user)."""
    frigate: dict[str, Any] = {"url": options["frigate_url"], "media_root": FRIGATE_MEDIA}
    if options.get("frigate_username"):
        frigate["user"] = options["frigate_username"]
        frigate["password"] = "{" + ENV_FRIGATE_PASSWORD + "}"
    pause: dict[str, Any] = {
        "toggles": list(options["pause_toggles"]),
        "schedules": [_schedule(s) for s in options.get("pause_schedules", [])],
    }
    if options.get("pause_profile"):
        pause["profile"] = options["pause_profile"]
    config: dict[str, Any] = {
        "frigate": frigate,
        "storage": {"data_dir": ADDON_DATA_DIR},
        "masking": {
            "style": options["mask_style"],
            "bodies": bool(options["mask_bodies"]),
            "profile": options["detection_profile"],
        },
        "policy": {"mask_at_rest": bool(options["mask_at_rest"])},
        "homeassistant": {
            "discovery_prefix": options["discovery_prefix"],
            "pause": pause,
            "export": {"recipients": list(options.get("export_recipients", []))},
        },
        # Inside the add-on network only; the Supervisor's proxy passes the HA user (ingress), nobody else can.
        "api": {
            "host": "0.0.0.0",  # noqa: S104 - the add-on's container interface, reached by the ingress proxy
            "port": INGRESS_PORT,
            "ingress": {"enabled": True, "role": options.get("ingress_role", "viewer")},
        },
    }
    if mqtt:
        config["mqtt"] = {"host": mqtt["host"], "port": int(mqtt["port"])}
        if mqtt.get("username"):
            config["mqtt"]["user"] = "{" + ENV_MQTT_USER + "}"
            config["mqtt"]["password"] = "{" + ENV_MQTT_PASSWORD + "}"
    else:
        config["mqtt"] = {"enabled": False}
        config["homeassistant"]["enabled"] = False
    return config


def main(argv: list[str]) -> int:
    """Write the config for the add-on; exits 2 with the cause when the options do not make a valid config."""
    if len(argv) != 2:
        print("usage: addon_options OPTIONS_JSON OUT_YAML", file=sys.stderr)
        return 2
    options = json.loads(Path(argv[0]).read_text())
    mqtt = None
    if os.environ.get("FRIGATE_PRIVACY_MQTT_HOST"):
        mqtt = {
            "host": os.environ["FRIGATE_PRIVACY_MQTT_HOST"],
            "port": os.environ.get("FRIGATE_PRIVACY_MQTT_PORT", "1883"),
            "username": os.environ.get(ENV_MQTT_USER, ""),
        }
    config = options_to_config(options, mqtt)
    try:
        PrivacyConfig.model_validate(config)
    except ValueError as err:
        print(f"the add-on options do not make a valid configuration: {err}", file=sys.stderr)
        return 2
    Path(argv[1]).write_text(yaml.safe_dump(config, sort_keys=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
