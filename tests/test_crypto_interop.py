"""Interoperability with the real `age` CLI (Debian's package), which no one here wrote."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from frigate_privacy.crypto.age import EncryptingWriter, decrypt_file
from frigate_privacy.crypto.age_keys import generate_identity_file, load_identities, load_recipients
from tests.age_terminal import age_on_a_terminal

AGE = shutil.which("age")
pytestmark = pytest.mark.skipif(AGE is None, reason="the age CLI is not installed")
PASSPHRASE = "amber-Lantern-58-fjord"


def _payload() -> bytes:
    return os.urandom(400_000)


def test_age_cli_decrypts_our_recipient_output(tmp_path: Path) -> None:
    made = generate_identity_file(tmp_path / "key.txt")
    data = _payload()
    with EncryptingWriter(tmp_path / "x.age", recipients=load_recipients([made.recipient])) as out:
        out.write(data)
    subprocess.run(
        [AGE, "-d", "-i", str(made.path), "-o", str(tmp_path / "x.out"), str(tmp_path / "x.age")], check=True
    )
    assert (tmp_path / "x.out").read_bytes() == data


def test_age_cli_decrypts_our_passphrase_output(tmp_path: Path) -> None:
    data = _payload()
    with EncryptingWriter(tmp_path / "p.age", passphrase=PASSPHRASE) as out:
        out.write(data)
    code, screen = age_on_a_terminal(["-d", "-o", str(tmp_path / "p.out"), str(tmp_path / "p.age")], PASSPHRASE)
    assert code == 0, screen
    assert (tmp_path / "p.out").read_bytes() == data


def test_age_cli_rejects_our_passphrase_output_with_a_wrong_passphrase(tmp_path: Path) -> None:
    with EncryptingWriter(tmp_path / "p.age", passphrase=PASSPHRASE) as out:
        out.write(b"footage")
    code, _ = age_on_a_terminal(["-d", "-o", str(tmp_path / "p.out"), str(tmp_path / "p.age")], "wrong-Passphrase-11")
    assert code != 0


def test_we_decrypt_a_file_age_cli_encrypted_to_a_recipient(tmp_path: Path) -> None:
    made = generate_identity_file(tmp_path / "key.txt")
    data = _payload()
    (tmp_path / "plain").write_bytes(data)
    subprocess.run(
        [AGE, "-e", "-r", made.recipient, "-o", str(tmp_path / "c.age"), str(tmp_path / "plain")], check=True
    )
    decrypt_file(tmp_path / "c.age", tmp_path / "c.out", identities=load_identities([made.path]))
    assert (tmp_path / "c.out").read_bytes() == data


def test_we_decrypt_a_file_age_cli_encrypted_with_a_passphrase(tmp_path: Path) -> None:
    data = _payload()
    (tmp_path / "plain").write_bytes(data)
    code, screen = age_on_a_terminal(["-p", "-o", str(tmp_path / "c.age"), str(tmp_path / "plain")], PASSPHRASE)
    assert code == 0, screen
    decrypt_file(tmp_path / "c.age", tmp_path / "c.out", passphrase=PASSPHRASE)
    assert (tmp_path / "c.out").read_bytes() == data
