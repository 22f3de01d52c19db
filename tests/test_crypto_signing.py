"""The service's Ed25519 key: created once, 0600 in a 0700 dir, stable public text, sign and verify."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from frigate_privacy.cli import main
from frigate_privacy.crypto.errors import KeyFileError
from frigate_privacy.crypto.signing import (
    PublicKey,
    load_or_create_signing_key,
    load_signing_key,
    signing_key_path,
)


def test_created_on_first_use_then_reloaded(tmp_path: Path) -> None:
    data_dir = tmp_path / "data" / "nested"
    key = load_or_create_signing_key(data_dir)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(signing_key_path(data_dir).stat().st_mode) == 0o600
    again = load_or_create_signing_key(data_dir)
    assert again.public == key.public


def test_public_text_round_trip_sign_verify(tmp_path: Path) -> None:
    key = load_or_create_signing_key(tmp_path)
    text = key.public.text
    assert text.startswith("ed25519:")
    public = PublicKey.from_text(text)
    assert public == key.public
    signature = key.sign(b"manifest bytes")
    assert public.verify(b"manifest bytes", signature)
    assert not public.verify(b"manifest bytez", signature)
    assert "BEGIN PUBLIC KEY" in public.pem()
    assert public.fingerprint.startswith("SHA256:")
    other = load_or_create_signing_key(tmp_path / "other")
    assert not other.public.verify(b"manifest bytes", signature)


@pytest.mark.parametrize("text", ["ed25519:", "ed25519:!!!", "rsa:AAAA", "ed25519:" + "A" * 40])
def test_bad_public_key_text(text: str) -> None:
    with pytest.raises(KeyFileError):
        PublicKey.from_text(text)


def test_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    load_or_create_signing_key(tmp_path)
    path = signing_key_path(tmp_path)
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_signing_key(path)


def test_garbage_key_file(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"not a key")
    os.close(fd)
    with pytest.raises(KeyFileError, match="not a PEM"):
        load_signing_key(path)


def test_keys_show_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "show", "--data-dir", str(tmp_path)]) == 0
    first = capsys.readouterr().out
    assert main(["keys", "show", "--data-dir", str(tmp_path), "--pem"]) == 0
    second = capsys.readouterr().out
    assert first.splitlines()[0] == second.splitlines()[0]
    assert load_signing_key(signing_key_path(tmp_path)).public.text in first


def test_keys_generate_recipient_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "generate-recipient", "-o", str(tmp_path / "owner.txt")]) == 0
    out = capsys.readouterr().out
    assert "recipient: age1" in out and "AGE-SECRET-KEY" not in out
    assert main(["keys", "generate-recipient", "-o", str(tmp_path / "owner.txt")]) != 0
