"""The Home Assistant add-on: its manifest against the Supervisor's rules, and its options against our config.

The rules below restate what the Supervisor's add-on schema accepts (supervisor/addons/validate.py and
options.py; see ../shared/reference/homeassistant.md section 1a): a manifest it rejects makes the add-on
silently vanish from the store, so the test is the only place such a mistake shows.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from frigate_privacy.config import load_config
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.masking.registry import available_styles
from frigate_privacy.service.homeassistant.addon_options import options_to_config

REPO = Path(__file__).resolve().parent.parent
ADDON = REPO / "homeassistant" / "frigate_privacy"

REQUIRED = {"name", "version", "slug", "description", "arch"}
ARCHES = {"amd64", "aarch64", "armv7", "armhf", "i386"}
MAP_TYPES = {
    "data",
    "config",
    "ssl",
    "addons",
    "backup",
    "share",
    "media",
    "homeassistant_config",
    "all_addon_configs",
    "addon_config",
}
STARTUP = {"initialize", "system", "services", "application", "once"}
BOOT = {"auto", "manual", "manual_only"}
BOOLS = {
    "init",
    "ingress",
    "panel_admin",
    "homeassistant_api",
    "hassio_api",
    "host_network",
    "ingress_stream",
    "apparmor",
    "auth_api",
}
STRINGS = {"name", "description", "ingress_entry", "panel_icon", "panel_title", "url", "image"}
KNOWN = (
    REQUIRED
    | BOOLS
    | STRINGS
    | {"startup", "boot", "services", "map", "ingress_port", "watchdog", "webui", "backup_exclude"}
    | {"options", "schema", "ports", "ports_description", "breaking_versions", "stage", "timeout"}
)
SLUG = re.compile(r"^[-_.A-Za-z0-9]+$")
SERVICE = re.compile(r"^(mqtt|mysql):(provide|want|need)$")
WATCHDOG = re.compile(r"^(?:https?|\[PROTO:\w+\]|tcp)://\[HOST\]:(\[PORT:\d+\]|\d+).*$")
# One schema element: a type, optionally with bounds, optionally suffixed by `?` (optional).
ELEMENT = re.compile(
    r"^(?:bool|email|url|port|device(?:\(subsystem=[a-z]+\))?|str(?:\(\d*,\d*\))?|password(?:\(\d*,\d*\))?"
    r"|int(?:\(-?\d*,-?\d*\))?|float(?:\(-?[\d.]*,-?[\d.]*\))?|match\(.*\)|list\(.+\))\??$"
)


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ADDON / "config.yaml").read_text())
    return data


def check_value(element: str, value: Any) -> None:
    """Validate one option value like the Supervisor does for its type string; AssertionError if refused."""
    kind = element.rstrip("?")
    if kind == "bool":
        assert isinstance(value, bool), value
    elif kind in ("str", "password") or kind.startswith(("str(", "password(")):
        assert isinstance(value, str), value
    elif kind == "url":
        assert isinstance(value, str) and re.match(r"^https?://[^/\s]+", value), value
    elif kind == "port" or kind.startswith("int"):
        assert isinstance(value, int) and not isinstance(value, bool), value
    elif kind.startswith("float"):
        assert isinstance(value, int | float) and not isinstance(value, bool), value
    elif kind.startswith("match("):
        assert isinstance(value, str) and re.fullmatch(kind[6:-1], value), f"{value!r} !~ {kind}"
    elif kind.startswith("list("):
        assert value in kind[5:-1].split("|"), f"{value!r} not in {kind}"
    else:
        raise AssertionError(f"unhandled schema type {kind}")


def check_options(schema: dict[str, Any], options: dict[str, Any]) -> None:
    """Every option has a schema entry of the right type; every required schema key has a value."""
    for key, value in options.items():
        assert key in schema, f"option {key} has no schema"
        element = schema[key]
        if isinstance(element, list):
            assert isinstance(value, list)
            for item in value:
                if isinstance(element[0], dict):
                    check_options(element[0], item)
                else:
                    check_value(element[0], item)
        elif isinstance(element, dict):
            check_options(element, value)
        else:
            check_value(element, value)
    for key, element in schema.items():
        if isinstance(element, str) and not element.endswith("?"):
            assert key in options, f"required option {key} has no value"


def test_required_keys_and_types(manifest: dict[str, Any]) -> None:
    assert set(manifest) >= REQUIRED
    assert set(manifest) <= KNOWN, f"keys the Supervisor does not know: {set(manifest) - KNOWN}"
    assert SLUG.match(manifest["slug"])
    assert set(manifest["arch"]) == {"amd64", "aarch64"} and set(manifest["arch"]) <= ARCHES
    assert manifest["startup"] in STARTUP and manifest["boot"] in BOOT
    for key in BOOLS & set(manifest):
        assert isinstance(manifest[key], bool), key
    for key in STRINGS & set(manifest):
        assert isinstance(manifest[key], str), key
    assert all(SERVICE.match(s) for s in manifest["services"])
    assert "mqtt:need" in manifest["services"]
    assert WATCHDOG.match(manifest["watchdog"])
    assert isinstance(manifest["ingress_port"], int) and 0 < manifest["ingress_port"] < 65536
    assert manifest["ingress"] is True


def test_version_matches_the_package_and_the_dockerfile(manifest: dict[str, Any]) -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert isinstance(manifest["version"], str) and manifest["version"] == project["version"]
    docker = (ADDON / "Dockerfile").read_text()
    assert f"ARG FRIGATE_PRIVACY_VERSION={project['version']}" in docker
    assert re.search(r"^FROM \S+:\d[\w.]*$", docker, re.M), "explicit, pinned FROM (no implicit BUILD_FROM)"
    assert 'pip install --no-cache-dir "frigate-privacy==${FRIGATE_PRIVACY_VERSION}"' in docker
    assert "frigate-privacy models fetch" in docker  # models fetched at build time


def test_map_gives_frigate_media_read_write_and_addon_config(manifest: dict[str, Any]) -> None:
    entries = {m["type"]: m for m in manifest["map"]}
    assert set(entries) <= MAP_TYPES
    assert entries["media"]["read_only"] is False  # at-rest masking rewrites Frigate's recordings
    assert "addon_config" in entries
    for m in manifest["map"]:
        assert set(m) <= {"type", "read_only", "path"}


def test_schema_elements_follow_the_supervisor_grammar(manifest: dict[str, Any]) -> None:
    def walk(node: Any, depth: int) -> None:
        assert depth <= 2, "the Supervisor nests options at most two levels deep"
        if isinstance(node, dict):
            for value in node.values():
                walk(value, depth + 1)
        elif isinstance(node, list):
            assert len(node) == 1 and not isinstance(node[0], list), "a list holds one element type, not a list"
            walk(node[0], depth)
        else:
            assert ELEMENT.match(node), f"schema element {node!r} is not a Supervisor type"

    walk(manifest["schema"], 0)
    # `?` marks optional keys, and only keys without a default may carry it
    for key, element in manifest["schema"].items():
        if isinstance(element, str) and element.endswith("?"):
            assert key not in manifest["options"], f"{key} is optional but has a default"


def test_default_options_validate_against_the_schema(manifest: dict[str, Any]) -> None:
    check_options(manifest["schema"], manifest["options"])


def test_the_option_check_can_fail(manifest: dict[str, Any]) -> None:
    bad = {**manifest["options"], "mask_style": "light_blur"}
    with pytest.raises(AssertionError):
        check_options(manifest["schema"], bad)


def test_mask_style_choices_are_installed_styles(manifest: dict[str, Any]) -> None:
    choices = manifest["schema"]["mask_style"][5:-1].split("|")
    assert set(choices) <= set(available_styles())


def test_every_option_is_translated(manifest: dict[str, Any]) -> None:
    tr = yaml.safe_load((ADDON / "translations" / "en.yaml").read_text())["configuration"]
    assert set(tr) == set(manifest["schema"])
    for key, entry in tr.items():
        assert entry["name"] and entry["description"], key
    nested = manifest["schema"]["pause_schedules"][0]
    assert set(tr["pause_schedules"]["fields"]) == set(nested)


def test_default_options_round_trip_into_a_valid_config(manifest: dict[str, Any], monkeypatch) -> None:
    monkeypatch.setenv("FRIGATE_PRIVACY_MQTT_USER", "addons")
    monkeypatch.setenv("FRIGATE_PRIVACY_MQTT_PASSWORD", "s3cret-from-supervisor")
    data = options_to_config(manifest["options"], {"host": "core-mosquitto", "port": 1883, "username": "addons"})
    assert "s3cret" not in json.dumps(data)  # the YAML only holds placeholders
    cfg = PrivacyConfig.model_validate(data)
    assert cfg.mqtt.host == "core-mosquitto" and cfg.mqtt.password == "s3cret-from-supervisor"
    assert cfg.masking.style == manifest["options"]["mask_style"]
    assert [str(t) for t in cfg.homeassistant.pause.toggles] == manifest["options"]["pause_toggles"]
    assert str(cfg.storage.data_dir) == "/data"
    # our API answers the ingress proxy on the port config.yaml names, and the watchdog asks its health route
    assert cfg.api.port == manifest["ingress_port"] and cfg.api.ingress.enabled
    assert manifest["watchdog"].endswith(f":[PORT:{cfg.api.port}]/api/health")


def test_user_options_round_trip(manifest: dict[str, Any], monkeypatch) -> None:
    monkeypatch.setenv("FRIGATE_PRIVACY_FRIGATE_PASSWORD", "frigate-pw")
    options = {
        **manifest["options"],
        "frigate_url": "https://frigate.local:8971",
        "frigate_username": "admin",
        "frigate_password": "frigate-pw",
        "mask_style": "solid",
        "pause_profile": "away",
        "pause_toggles": ["enabled", "recordings"],
        "export_recipients": ["age1" + "q" * 58],
        "pause_schedules": [
            {"name": "evenings", "start": "18:00", "end": "23:00", "days": "mon, tue,WED", "cameras": "living_room"},
            {"name": "nights", "start": "23:30", "end": "06:00"},
        ],
    }
    check_options(manifest["schema"], options)
    cfg = PrivacyConfig.model_validate(options_to_config(options, None))
    assert cfg.frigate.user == "admin" and cfg.frigate.password == "frigate-pw"
    pause = cfg.homeassistant.pause
    assert pause.profile == "away"
    assert pause.schedules[0].days == ["mon", "tue", "wed"]
    assert pause.schedules[0].cameras == ["living_room"] and pause.schedules[1].cameras == []
    assert cfg.mqtt.enabled is False and cfg.homeassistant.enabled is False  # no broker: nothing pretends
    assert cfg.homeassistant.export.enabled and cfg.homeassistant.export.recipients == ["age1" + "q" * 58]


def test_run_script_module_writes_a_loadable_config(manifest: dict[str, Any], tmp_path: Path) -> None:
    opts = tmp_path / "options.json"
    opts.write_text(json.dumps(manifest["options"]))
    out = tmp_path / "frigate-privacy.yml"
    env = {
        "PATH": "/usr/bin:/bin",
        "FRIGATE_PRIVACY_MQTT_HOST": "core-mosquitto",
        "FRIGATE_PRIVACY_MQTT_PORT": "1883",
        "FRIGATE_PRIVACY_MQTT_USER": "addons",
        "FRIGATE_PRIVACY_MQTT_PASSWORD": "pw",
    }
    module = "frigate_privacy.service.homeassistant.addon_options"
    subprocess.run([sys.executable, "-m", module, str(opts), str(out)], check=True, env=env, cwd=REPO)
    assert "pw" not in out.read_text().replace("password", "")
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        assert load_config(out).mqtt.user == "addons"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**manifest["options"], "pause_schedules": [{"name": "x", "start": "9", "end": "10"}]}))
    res = subprocess.run(
        [sys.executable, "-m", module, str(bad), str(out)], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert res.returncode == 2 and "HH:MM" in res.stderr


def test_no_stray_addon_manifests_in_the_repository() -> None:
    """The Supervisor takes every config.yaml/yml/json outside hidden folders (and rootfs/) for an add-on."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    found = [
        f
        for f in files
        if Path(f).name in ("config.yaml", "config.yml", "config.json")
        and not any(part.startswith(".") or part == "rootfs" for part in Path(f).parts[:-1])
    ]
    assert found == ["homeassistant/frigate_privacy/config.yaml"]


def test_repository_and_images() -> None:
    repo = yaml.safe_load((REPO / "repository.yaml").read_text())
    assert isinstance(repo["name"], str) and repo["name"]
    for name, size in (("icon.png", (128, 128)), ("logo.png", (250, 100))):
        head = (ADDON / name).read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        assert (int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")) == size
    for doc in ("DOCS.md", "CHANGELOG.md", "README.md"):
        assert (ADDON / doc).read_text().strip(), doc
    run = (ADDON / "run.sh").read_text()
    assert "bashio::services mqtt 'password'" in run and "addon_options" in run
