"""Messages a newcomer understands: typos with line numbers and a suggestion, missing environment
variables once and last, examples that say what they need, and redact --help with every default."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from frigate_privacy.cli import build_parser, main
from frigate_privacy.config import load_config
from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.errors import ConfigError
from frigate_privacy.exit_codes import ExitCode
from tests.json_shapes import assert_json_shape

ROOT = Path(__file__).resolve().parent.parent

BAD = """\
frigate:
  url: http://frigate:5000
  user: privacy
  password: "{FRIGATE_TEST_UNSET_PW}"
  verify_tsl: false
mqtt:
  user: fp
  password: "{FRIGATE_TEST_UNSET_PW}"
cameras:
  front:
    masking:
      hold_secnds: 2
    audio: sometimes
"""


def _error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "cfg.yml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    return str(err.value)


def test_typo_names_the_field_its_line_and_the_likely_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FRIGATE_TEST_UNSET_PW", raising=False)
    lines = _error(tmp_path, BAD).splitlines()[1:]
    assert lines[0] == "  frigate.verify_tsl (line 5): unknown field (did you mean verify_tls?)"
    assert lines[1] == "  cameras.front.masking.hold_secnds (line 12): unknown field (did you mean hold_seconds?)"
    assert lines[2].startswith("  cameras.front.audio (line 13): ")
    assert "Extra inputs" not in "\n".join(lines)
    # The unset variable is one line, after the real errors, naming every field that uses it.
    assert lines[3:] == [
        "  environment variables not set: FRIGATE_TEST_UNSET_PW (for frigate.password, mqtt.password); "
        "export them before running, or write the values"
    ]


def test_unknown_field_without_a_close_match_lists_the_known_ones(tmp_path: Path) -> None:
    message = _error(tmp_path, "storage:\n  colour: red\n")
    assert "storage.colour (line 2): unknown field; known fields: data_dir" in message


def test_an_example_without_its_variables_says_which_to_export(monkeypatch: pytest.MonkeyPatch) -> None:
    """tests/test_config_examples.py validates every example with its variables; without them, the message
    names exactly the missing ones (once each) and nothing else."""
    example = ROOT / "config_examples" / "frigate-connection.yml"
    for name in ("FRIGATE_PRIVACY_PASSWORD", "FRIGATE_PRIVACY_MQTT_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError) as err:
        load_config(example)
    assert str(err.value).splitlines()[1:] == [
        "  environment variables not set: FRIGATE_PRIVACY_PASSWORD (for frigate.password), "
        "FRIGATE_PRIVACY_MQTT_PASSWORD (for mqtt.password); export them before running, or write the values"
    ]


def test_redact_help_shows_every_default() -> None:
    parser = build_parser("redact")
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices["redact"]
    options = [a for a in sub._actions if a.option_strings and a.dest != "help"]
    assert options
    for action in options:
        assert action.help is not None and "(default: " in action.help, action.option_strings
    helps = {a.dest: a.help or "" for a in options}
    defaults = MaskingConfig()
    assert f"default: {defaults.style};" in helps["style"]
    assert f"default: {defaults.profile.value};" in helps["profile"]
    assert "default: off;" in helps["bodies"] and not defaults.bodies


def test_validate_json_lists_each_problem_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("FRIGATE_TEST_UNSET_PW", raising=False)
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD)
    assert main(["config", "validate", str(bad), "--json"]) == ExitCode.CONFIG
    body = json.loads(capsys.readouterr().out)
    assert not body["valid"] and body["errors"][0] == {
        "field": "frigate.verify_tsl", "line": 5, "message": "unknown field (did you mean verify_tls?)"
    }  # fmt: skip
    assert body["missing_env"] == [{"name": "FRIGATE_TEST_UNSET_PW", "fields": ["frigate.password", "mqtt.password"]}]
    assert_json_shape("config-validate-invalid", body)
    good = tmp_path / "good.yml"
    good.write_text("cameras: {front: {}, back: {}}\n")
    assert main(["config", "validate", str(good), "--json"]) == ExitCode.OK
    body = json.loads(capsys.readouterr().out)
    assert body == {"path": str(good), "valid": True, "cameras": ["back", "front"]}
    assert_json_shape("config-validate", body)


def test_errors_under_json_are_json_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["erase", "--config", str(tmp_path / "missing.yml"), "--sub-label", "x", "--json"]) == ExitCode.CONFIG
    body = json.loads(capsys.readouterr().out)
    assert body["exit_code"] == ExitCode.CONFIG and "missing.yml" in body["error"]
    assert_json_shape("error", body)
