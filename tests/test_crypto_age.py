"""age encryption through pyrage: round trips, bounded streaming, and every failure leaving nothing behind."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest
from pyrage import x25519

from frigate_privacy.crypto.age import (
    DecryptingReader,
    EncryptingWriter,
    decrypt_file,
    decrypt_stream,
    encrypt_file,
)
from frigate_privacy.crypto.age_keys import generate_identity_file, load_identities, load_recipients
from frigate_privacy.crypto.errors import (
    CorruptCiphertextError,
    EncryptionModeError,
    NotAnAgeFileError,
    PassphraseSizeError,
    StorageFullError,
    WrongKeyError,
    WrongPassphraseError,
)
from frigate_privacy.errors import InputError, PrivacyError

PASSPHRASE = "violet-Harbor-29-quartz"


@pytest.fixture(scope="module")
def keypair() -> tuple[x25519.Identity, x25519.Recipient]:
    identity = x25519.Identity.generate()
    return identity, identity.to_public()


def _payload(size: int = 700_000) -> bytes:
    return os.urandom(size)


def _encrypt(path: Path, data: bytes, **kwargs: object) -> None:
    with EncryptingWriter(path, **kwargs) as out:  # type: ignore[arg-type]
        for i in range(0, len(data), 65_000):
            out.write(data[i : i + 65_000])


def _listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_recipient_round_trip_is_0600_and_leaves_no_temp(tmp_path: Path, keypair) -> None:
    identity, recipient = keypair
    data = _payload()
    _encrypt(tmp_path / "x.age", data, recipients=[recipient])
    assert _listing(tmp_path) == ["x.age"]
    assert stat.S_IMODE((tmp_path / "x.age").stat().st_mode) == 0o600
    assert data not in (tmp_path / "x.age").read_bytes()
    decrypt_file(tmp_path / "x.age", tmp_path / "x.out", identities=[identity])
    assert (tmp_path / "x.out").read_bytes() == data
    assert stat.S_IMODE((tmp_path / "x.out").stat().st_mode) == 0o600


def test_many_recipients_from_args_and_file_with_comments(tmp_path: Path) -> None:
    ids = [x25519.Identity.generate() for _ in range(3)]
    keyfile = tmp_path / "recipients.txt"
    keyfile.write_text(f"# team\n{ids[1].to_public()}\n\n  # escrow\n{ids[2].to_public()}  \n")
    recipients = load_recipients([str(ids[0].to_public())], [keyfile])
    assert len(recipients) == 3
    data = _payload(10_000)
    _encrypt(tmp_path / "m.age", data, recipients=recipients)
    for n, identity in enumerate(ids):
        decrypt_file(tmp_path / "m.age", tmp_path / f"m{n}", identities=[identity])
        assert (tmp_path / f"m{n}").read_bytes() == data


def test_recipient_parsing_never_echoes_a_secret_key(tmp_path: Path) -> None:
    secret = str(x25519.Identity.generate())
    with pytest.raises(InputError) as err:
        load_recipients([secret])
    assert secret[16:] not in str(err.value)
    bad = tmp_path / "r.txt"
    bad.write_text("age1notakey\n")
    with pytest.raises(InputError, match=r"r\.txt:1"):
        load_recipients([], [bad])


def test_generated_identity_file_works_and_is_0600(tmp_path: Path) -> None:
    made = generate_identity_file(tmp_path / "owner.txt")
    assert stat.S_IMODE(made.path.stat().st_mode) == 0o600
    data = b"escrow copy"
    _encrypt(tmp_path / "e.age", data, recipients=load_recipients([made.recipient]))
    buf = io.BytesIO()
    with open(tmp_path / "e.age", "rb") as src:
        decrypt_stream(src, buf, identities=load_identities([made.path]))
    assert buf.getvalue() == data
    with pytest.raises(InputError, match="already exists"):
        generate_identity_file(made.path)


def test_tar_bundle_streams_straight_into_the_writer(tmp_path: Path, keypair) -> None:
    identity, recipient = keypair
    video = _payload(300_000)
    # The tar stream closes first (reverse order), then the writer publishes the .age file.
    with (
        EncryptingWriter(tmp_path / "b.fpx.age", recipients=[recipient]) as out,
        tarfile.open(fileobj=out, mode="w|") as tar,  # type: ignore[call-overload]
    ):
        info = tarfile.TarInfo("video.mp4")
        info.size = len(video)
        tar.addfile(info, io.BytesIO(video))
    with (
        open(tmp_path / "b.fpx.age", "rb") as src,
        DecryptingReader(src, identities=[identity]) as reader,
        tarfile.open(fileobj=reader, mode="r|") as rtar,
    ):
        member = next(iter(rtar))
        extracted = rtar.extractfile(member)
        assert extracted is not None and extracted.read() == video


def test_empty_writes_and_reused_buffers_keep_the_stream_intact(
    tmp_path: Path, keypair: tuple[x25519.Identity, x25519.Recipient]
) -> None:
    identity, recipient = keypair
    parts = [_payload(300_000), b"", _payload(5000), b"", _payload(2_000_000)]
    reused = bytearray(70_000)
    with EncryptingWriter(tmp_path / "e.age", recipients=[recipient]) as out:
        for part in parts:
            assert out.write(part) == len(part)
        for i in range(20):
            # The caller overwrites its buffer after each write: the writer must have copied it.
            reused[:] = bytes([i]) * len(reused)
            out.write(memoryview(reused))
            out.write(reused)
    expected = b"".join(parts) + b"".join(bytes([i]) * 140_000 for i in range(20))
    buf = io.BytesIO()
    with open(tmp_path / "e.age", "rb") as src:
        decrypt_stream(src, buf, identities=[identity])
    assert buf.getvalue() == expected


def test_abort_and_exception_leave_nothing(tmp_path: Path, keypair) -> None:
    _, recipient = keypair
    writer = EncryptingWriter(tmp_path / "a.age", recipients=[recipient])
    writer.write(b"x" * 100_000)
    writer.abort()
    with pytest.raises(RuntimeError), EncryptingWriter(tmp_path / "b.age", recipients=[recipient]) as out:
        out.write(b"y" * 100_000)
        raise RuntimeError("encoder crashed")
    dropped = EncryptingWriter(tmp_path / "c.age", recipients=[recipient])
    dropped.write(b"z" * 1000)
    del dropped  # never closed: must not be published
    assert _listing(tmp_path) == []


def test_passphrase_and_recipients_together_is_a_clear_error(tmp_path: Path, keypair) -> None:
    with pytest.raises(EncryptionModeError, match="not both"):
        EncryptingWriter(tmp_path / "x.age", recipients=[keypair[1]], passphrase=PASSPHRASE)
    with pytest.raises(EncryptionModeError):
        EncryptingWriter(tmp_path / "x.age")
    assert _listing(tmp_path) == []


def test_passphrase_round_trip_wrong_passphrase_and_wrong_mode(tmp_path: Path, keypair) -> None:
    data = _payload(50_000)
    _encrypt(tmp_path / "p.age", data, passphrase=PASSPHRASE)
    assert (tmp_path / "p.age").read_bytes().split(b"\n")[1].startswith(b"-> scrypt ")
    decrypt_file(tmp_path / "p.age", tmp_path / "p.out", passphrase=PASSPHRASE)
    assert (tmp_path / "p.out").read_bytes() == data
    with pytest.raises(WrongPassphraseError, match="wrong passphrase"):
        decrypt_file(tmp_path / "p.age", tmp_path / "bad.out", passphrase="not-the-right-one")
    with pytest.raises(EncryptionModeError, match="protected by a passphrase"):
        decrypt_file(tmp_path / "p.age", tmp_path / "bad.out", identities=[keypair[0]])
    assert not (tmp_path / "bad.out").exists()


def test_passphrase_mode_has_a_size_cap(tmp_path: Path) -> None:
    writer = EncryptingWriter(tmp_path / "big.age", passphrase=PASSPHRASE, passphrase_max_bytes=100_000)
    writer.write(b"a" * 60_000)
    with pytest.raises(PassphraseSizeError, match="public key"):
        writer.write(b"a" * 60_000)
    assert _listing(tmp_path) == []


def test_wrong_identity(tmp_path: Path, keypair) -> None:
    _encrypt(tmp_path / "x.age", b"secret video", recipients=[keypair[1]])
    with pytest.raises(WrongKeyError, match="none of the given identities"):
        decrypt_file(tmp_path / "x.age", tmp_path / "out", identities=[x25519.Identity.generate()])
    with pytest.raises(EncryptionModeError, match="public keys"):
        decrypt_file(tmp_path / "x.age", tmp_path / "out", passphrase=PASSPHRASE)
    assert _listing(tmp_path) == ["x.age"]


@pytest.mark.parametrize(
    ("damage", "error"),
    [
        (lambda b: b[: len(b) - 1000], CorruptCiphertextError),  # truncated inside the last chunk
        (lambda b: b[: len(b) - (len(b) - 200) % 65_552 - 16], CorruptCiphertextError),  # cut on a chunk edge
        (lambda b: b[:-300] + bytes([b[-300] ^ 1]) + b[-299:], CorruptCiphertextError),  # payload bit flip
        # A changed character in the middle of the X25519 stanza's share (byte 40). It stays a base64 letter:
        # flipping a bit could give a non-base64 byte, a malformed header rather than a wrong key.
        (lambda b: b[:40] + (b"B" if b[40:41] == b"A" else b"A") + b[41:], WrongKeyError),
        (lambda b: b[:30], NotAnAgeFileError),  # header cut short
        (lambda b: b"", NotAnAgeFileError),
        (lambda b: b"PK\x03\x04 a zip file", NotAnAgeFileError),
    ],
)
def test_damaged_files_fail_cleanly_and_leave_no_output(tmp_path: Path, keypair, damage, error) -> None:
    identity, recipient = keypair
    _encrypt(tmp_path / "x.age", _payload(200_000), recipients=[recipient])
    broken = tmp_path / "broken.age"
    broken.write_bytes(damage((tmp_path / "x.age").read_bytes()))
    with pytest.raises(error):
        decrypt_file(broken, tmp_path / "out.mp4", identities=[identity])
    assert _listing(tmp_path) == ["broken.age", "x.age"]


def test_streaming_reader_raises_instead_of_a_clean_end_on_truncation(tmp_path: Path, keypair) -> None:
    identity, recipient = keypair
    _encrypt(tmp_path / "x.age", _payload(300_000), recipients=[recipient])
    truncated = (tmp_path / "x.age").read_bytes()[:-5000]
    reader = DecryptingReader(io.BytesIO(truncated), identities=[identity])
    with reader, pytest.raises(CorruptCiphertextError):
        while reader.read(65536):
            pass


def test_decrypt_refuses_to_overwrite(tmp_path: Path, keypair) -> None:
    _encrypt(tmp_path / "x.age", b"abc", recipients=[keypair[1]])
    (tmp_path / "out").write_text("keep me")
    with pytest.raises(PrivacyError, match="already exists"):
        decrypt_file(tmp_path / "x.age", tmp_path / "out", identities=[keypair[0]])
    assert (tmp_path / "out").read_text() == "keep me"


def test_encrypt_file_round_trip_is_private(tmp_path: Path, keypair) -> None:
    src = tmp_path / "plain.bin"
    src.write_bytes(_payload(2_500_000))
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    encrypt_file(src, out_dir / "e.age", recipients=[keypair[1]])
    assert stat.S_IMODE((out_dir / "e.age").stat().st_mode) == 0o600
    decrypt_file(out_dir / "e.age", tmp_path / "back.bin", identities=[keypair[0]])
    assert (tmp_path / "back.bin").read_bytes() == src.read_bytes()
    assert _listing(out_dir) == ["e.age"]


def test_encrypt_file_of_a_missing_or_unreadable_source_leaves_nothing(
    tmp_path: Path, keypair: tuple[x25519.Identity, x25519.Recipient]
) -> None:
    with pytest.raises(PrivacyError, match="cannot read"):
        encrypt_file(tmp_path / "missing.bin", tmp_path / "e.age", recipients=[keypair[1]])
    (tmp_path / "folder").mkdir()
    with pytest.raises(PrivacyError, match="cannot read"):
        encrypt_file(tmp_path / "folder", tmp_path / "e.age", recipients=[keypair[1]])
    assert _listing(tmp_path) == ["folder"]


_FULL_DISK_CHILD = textwrap.dedent(
    """
    import os, resource, signal, sys
    from pathlib import Path
    from pyrage import x25519
    from frigate_privacy.crypto.age import EncryptingWriter, decrypt_file, encrypt_file
    from frigate_privacy.errors import PrivacyError

    mode, workdir = sys.argv[1], Path(sys.argv[2])
    identity = x25519.Identity.from_str(os.environ["TEST_IDENTITY"])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))
    try:
        if mode == "encrypt":
            with EncryptingWriter(workdir / "out.age", recipients=[identity.to_public()]) as out:
                for _ in range(40):
                    out.write(os.urandom(100_000))
        elif mode == "encrypt_file":
            encrypt_file(workdir / "plain.bin", workdir / "out.age", recipients=[identity.to_public()])
        else:
            decrypt_file(workdir / "in.age", workdir / "out.bin", identities=[identity])
    except PrivacyError as err:
        print(type(err).__name__, err)
        sys.exit(3)
    """
)


@pytest.mark.parametrize("mode", ["encrypt", "encrypt_file", "decrypt"])
def test_full_disk_gives_a_clear_error_and_no_partial_file(tmp_path: Path, keypair, mode: str) -> None:
    identity, recipient = keypair
    if mode == "decrypt":
        _encrypt(tmp_path / "in.age", _payload(900_000) * 3, recipients=[recipient])
    if mode == "encrypt_file":
        # Written before the child lowers its file size limit; the native path must hit EFBIG.
        (tmp_path / "plain.bin").write_bytes(_payload(2_700_000))
    before = _listing(tmp_path)
    env = {**os.environ, "TEST_IDENTITY": str(identity)}
    proc = subprocess.run(
        [sys.executable, "-c", _FULL_DISK_CHILD, mode, str(tmp_path)], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout.startswith(StorageFullError.__name__), proc.stdout
    assert "not enough space" in proc.stdout
    assert _listing(tmp_path) == before
