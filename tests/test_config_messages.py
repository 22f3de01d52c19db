"""Messages a newcomer understands: typos with line numbers and a suggestion, missing environment
variables once and last, examples that say what they need, and redact --help with every default."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from frigate_privacy.cli import build_parser
from frigate_privacy.config import load_config
from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.errors import ConfigError

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


def _needed_env(text: str) -> list[str]:
    return re.findall(r"export (FRIGATE_\w+)=", text)


@pytest.mark.parametrize("example", sorted((ROOT / "config_examples").glob("*.yml")), ids=lambda p: p.name)
def test_each_example_validates_with_the_variables_it_names(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = example.read_text()
    used = sorted(set(re.findall(r"\{(FRIGATE_\w+)\}", text)))
    assert sorted(_needed_env(text)) == used, "the header must name every variable the file reads"
    for name in used:
        monkeypatch.delenv(name, raising=False)
    if used:
        with pytest.raises(ConfigError) as err:
            load_config(example)
        missing = str(err.value).split("environment variables not set: ")[1]
        assert re.findall(r"(FRIGATE_\w+) \(for", missing) == sorted(used, key=missing.index)
    for name in used:
        monkeypatch.setenv(name, "example-secret")
    load_config(example)


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
