"""Quiet acceptance and small leaks: bad times, secrets in errors, loose modes, wrong files, telemetry, bounds."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from frigate_privacy.cli import main
from frigate_privacy.config.loader import load_config
from frigate_privacy.crypto.signing import load_or_create_signing_key
from frigate_privacy.errors import ConfigError, PrivacyError
from frigate_privacy.frigate.trackstore import TrackStore

REPO = Path(__file__).resolve().parent.parent
SECRET = "Hunter2-very-secret"


def _run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def test_erase_refuses_nan_times(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "fp.yml"
    cfg.write_text("frigate:\n  url: http://127.0.0.1:9\n")
    code = _run(["erase", "--config", str(cfg), "--camera", "front", "--start", "nan", "--end", "nan", "--apply"])
    err = capsys.readouterr().err
    assert code == 2 and "'nan' is not a time" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "text",
    [
        f'frigate:\n  url: http://frigate:8971\n  user: admin\n  password: "{SECRET}\n',  # unterminated quote
        f"frigate:\n  url: http://frigate:8971\n  user: admin\n  password: {SECRET}: [x\n",  # bad mapping
        f"frigate:\n  url: http://frigate:8971\n  user: admin\n\tpassword: {SECRET}\n",  # tab indent
    ],
)
def test_yaml_error_on_the_password_line_does_not_echo_it(tmp_path: Path, text: str) -> None:
    cfg = tmp_path / "fp.yml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert SECRET not in str(info.value) and "line" in str(info.value)


def test_url_with_credentials_is_refused_without_printing_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "fp.yml"
    cfg.write_text(f"frigate:\n  url: https://admin:{SECRET}@frigate:8971\n")
    assert _run(["config", "validate", str(cfg)]) != 0
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err and "frigate.user" in captured.err


def test_world_writable_data_dir_is_fixed_and_warned(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = tmp_path / "data"
    data.mkdir()
    os.chmod(data, 0o777)
    with caplog.at_level(logging.WARNING):
        load_or_create_signing_key(data)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert "0777" in caplog.text and "0700" in caplog.text


def test_track_store_pointing_at_a_text_file_is_refused_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my shopping list\n")
    os.chmod(notes, 0o644)
    with pytest.raises(PrivacyError, match="not a SQLite database"):
        TrackStore(notes)
    assert stat.S_IMODE(notes.stat().st_mode) == 0o644 and notes.read_text() == "my shopping list\n"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(PrivacyError, match="not a regular file"):
        TrackStore(fifo)


def test_onnxruntime_writes_no_telemetry(tmp_path: Path) -> None:
    from frigate_privacy.vision.model_files import resolve_model

    try:
        model = resolve_model("centerface", ())
    except PrivacyError:
        pytest.skip("CenterFace is not installed")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from frigate_privacy.vision.session import create_session\n"
        f"create_session(Path({str(model)!r}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env["HOME"] = str(tmp_path)
    subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, check=True, timeout=120)
    assert not (tmp_path / ".cache" / "Microsoft").exists(), list(tmp_path.rglob("*"))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"storage:\n  checkpoint: " + b"9" * 5000 + b"\n", "cannot be read"),
        (b"a: " + b"[" * 20000 + b"]" * 20000 + b"\n", "nests too deeply"),
        (b"frigate:\n  url: http://fr\xffigate:5000\n", "not UTF-8"),
        (b"a:\n" + b"".join(b"  " * i + b"b:\n" for i in range(1, 60)) + b"  " * 60 + b"c: 1\n", "nests too deeply"),
    ],
)
def test_config_bounds_give_clear_errors(tmp_path: Path, content: bytes, expected: str) -> None:
    cfg = tmp_path / "fp.yml"
    cfg.write_bytes(content)
    with pytest.raises(ConfigError, match=expected):
        load_config(cfg)


def test_config_validate_dev_zero_is_bounded(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["config", "validate", "/dev/zero"]) != 0
    assert "larger than" in capsys.readouterr().err
