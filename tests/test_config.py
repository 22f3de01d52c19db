import importlib
from pathlib import Path

import pytest
from pydantic import BaseModel

from frigate_privacy.cli import main
from frigate_privacy.config import load_config, parse_config
from frigate_privacy.config.reference import render_reference
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import ConfigError
from frigate_privacy.exit_codes import ExitCode


def test_defaults_validate() -> None:
    cfg = parse_config({})
    assert cfg.mqtt.topic_prefix == "frigate"
    assert cfg.masking.style == "mean_noise"


def test_one_message_per_wrong_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(
        "frigate:\n  url: http://x:5000\n  timeout: -1\nmqtt:\n  port: 99999\n  colour: red\n"
        "cameras:\n  'bad name':\n    audio: forbid\n  front:\n    audio: sometimes\n"
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = str(err.value)
    assert "frigate.timeout" in text
    assert "mqtt.port" in text
    assert "mqtt.colour" in text
    assert "cameras.front.audio" in text
    assert "bad name" in text


def test_env_substitution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRIGATE_PRIVACY_PASSWORD", "s3cret-value")
    cfg = parse_config({"frigate": {"user": "admin", "password": "{FRIGATE_PRIVACY_PASSWORD}"}})
    assert cfg.frigate.password == "s3cret-value"
    monkeypatch.delenv("FRIGATE_PRIVACY_PASSWORD")
    with pytest.raises(ConfigError, match="environment variables not set: FRIGATE_PRIVACY_PASSWORD"):
        parse_config({"frigate": {"user": "admin", "password": "{FRIGATE_PRIVACY_PASSWORD}"}})


def test_cli_validate_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.yml"
    good.write_text("cameras:\n  front:\n    audio: allow\n")
    assert main(["config", "validate", str(good)]) == 0
    bad = tmp_path / "bad.yml"
    bad.write_text("cameras:\n  front:\n    audio: [1]\n")
    assert main(["config", "validate", str(bad)]) == ExitCode.CONFIG
    assert "cameras.front.audio" in capsys.readouterr().err


def test_every_field_documented() -> None:
    """Every model of the tree has a docstring, every field its own title and description (no fallbacks)."""
    from tests.test_config_fields_read import _fields

    missing = []
    for path, qualified in _fields(PrivacyConfig, "", frozenset()):
        module, model_name, field_name = qualified.rsplit(".", 2)
        model = getattr(importlib.import_module(module), model_name)
        field = model.model_fields[field_name]
        if not (field.title or "").strip() or not (field.description or "").strip():
            missing.append(path)
        if not (model.__doc__ or "").strip() or model.__doc__ == BaseModel.__doc__:
            missing.append(f"{model_name} (docstring)")
    assert missing == []
    assert "## `masking`" in render_reference()


def test_docs_reference_is_current() -> None:
    doc = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
    assert doc.read_text() == render_reference(), "run: frigate-privacy config reference > docs/configuration.md"
