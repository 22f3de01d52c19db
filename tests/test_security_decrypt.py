"""Decrypt writes only verified bytes: both passes read one open file; swaps between the passes are caught."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pyrage import encrypt as age_encrypt
from pyrage import x25519

from frigate_privacy.crypto.signing import SigningKey, load_or_create_signing_key
from frigate_privacy.errors import InputError
from frigate_privacy.export import verify as verify_module
from frigate_privacy.export.bundle import MANIFEST_NAME, PUBLIC_KEY_NAME, SIGNATURE_NAME, VIDEO_NAME, BundleWriter
from frigate_privacy.export.manifest import manifest_bytes, parse_manifest
from frigate_privacy.export.operations import OpenRequest, decrypt_export
from frigate_privacy.storage.atomic import PARTIAL_PREFIX

CREATED = 1_700_000_000.0
REPO = Path(__file__).resolve().parent.parent


def signed_bundle(signer: SigningKey, video: bytes, purpose: str, *, sign: bool = True) -> bytes:
    """A bundle as our exporter writes it; with `sign=False` the manifest is edited after signing."""
    buf = io.BytesIO()
    with BundleWriter(buf, created=CREATED) as bundle:
        bundle.add(VIDEO_NAME, video)
        bundle.add(PUBLIC_KEY_NAME, signer.public.pem().encode("ascii"))
        fields: dict[str, Any] = {
            "export_id": "front_abc123", "camera": "front", "start": "a", "end": "b", "start_unix": 0,
            "end_unix": 1, "clip_origin_unix": 0, "event_ids": [], "requester": "r", "purpose": "honest",
            "legal_basis": "other", "legal_basis_text": "t", "actor": "a", "created": "c", "expires": "e",
            "plugin_version": "1", "frigate_version": "0.16", "masking": {}, "kept_subjects": [],
            "signing_key": signer.public.text, "files": [f.model_dump() for f in bundle.files],
            "video": {"file": VIDEO_NAME, "container": "mp4", "codec": "h264", "width": 2, "height": 2,
                      "frames": 1, "audio": False},
        }  # fmt: skip
        signed = manifest_bytes(parse_manifest(json.dumps(fields).encode()))
        fields["purpose"] = purpose
        data = manifest_bytes(parse_manifest(json.dumps(fields).encode()))
        bundle.add(MANIFEST_NAME, data, record=False)
        bundle.add(SIGNATURE_NAME, signer.sign(signed if not sign else data), record=False)
    return buf.getvalue()


@pytest.fixture
def parts(tmp_path: Path) -> dict[str, Any]:
    signer = load_or_create_signing_key(tmp_path / "data")
    identity = x25519.Identity.generate()
    video = os.urandom(50_000)
    honest = signed_bundle(signer, video, "honest")
    forged = signed_bundle(signer, video, "forged", sign=False)  # same size, manifest not covered by sig
    assert len(honest) == len(forged)
    recipient = identity.to_public()
    # rage adds a random-length "grease" stanza: encrypt both until a pair of the same size turns up.
    by_size: dict[bool, dict[int, bytes]] = {True: {}, False: {}}
    for _ in range(3000):
        for is_honest, plain in ((True, honest), (False, forged)):
            sealed = bytes(age_encrypt(plain, [recipient]))
            by_size[is_honest].setdefault(len(sealed), sealed)
            if len(sealed) in by_size[not is_honest]:
                pair = {is_honest: sealed, not is_honest: by_size[not is_honest][len(sealed)]}
                return {"signer": signer, "identity": identity, "honest": pair[True], "forged": pair[False]}
    raise AssertionError("no two encryptions of the same size")


def _request(path: Path, parts: dict[str, Any]) -> OpenRequest:
    return OpenRequest(path, "tester", "admin", identities=[parts["identity"]], trusted=[parts["signer"].public])


def _between_passes(monkeypatch: pytest.MonkeyPatch, swap: Any) -> None:
    """The adversary's timing: act right after pass 1 (signature checked) and before pass 2 (files written)."""
    real = verify_module.read_directory

    def read_then_swap(stream: Any, names: Any) -> Any:
        directory = real(stream, names)
        swap()
        return directory

    monkeypatch.setattr(verify_module, "read_directory", read_then_swap)


def test_rename_between_passes_cannot_substitute_the_manifest(
    parts: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, other = tmp_path / "x.fpx.age", tmp_path / "other.fpx.age"
    path.write_bytes(parts["honest"])
    other.write_bytes(parts["forged"])
    _between_passes(monkeypatch, lambda: os.replace(other, path))
    out = tmp_path / "out"
    report = decrypt_export(_request(path, parts), None, out)
    written = (out / MANIFEST_NAME).read_bytes() if (out / MANIFEST_NAME).exists() else b""
    # Either it verified and wrote the very bytes whose signature it checked, or it wrote nothing.
    if report.ok:
        assert b'"honest"' in written and b'"forged"' not in written
    else:
        assert not out.exists() or not any(out.iterdir())


def test_in_place_change_between_passes_writes_nothing(
    parts: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "x.fpx.age"
    path.write_bytes(parts["honest"])
    before = path.stat()

    def overwrite_keeping_size_and_mtime() -> None:
        with open(path, "r+b") as f:  # same inode, same size, mtime put back: only the bytes differ
            f.write(parts["forged"])
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    _between_passes(monkeypatch, overwrite_keeping_size_and_mtime)
    out = tmp_path / "out"
    report = decrypt_export(_request(path, parts), None, out)
    assert not report.ok
    assert any("differs between the two reads" in p for p in report.problems), report.problems
    assert not any(out.iterdir())


def test_fifo_is_refused_before_reading(parts: dict[str, Any], tmp_path: Path) -> None:
    fifo = tmp_path / "x.fpx.age"
    os.mkfifo(fifo)

    with pytest.raises(InputError, match="not a regular file"):
        decrypt_export(_request(fifo, parts), None, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_honest_bundle_still_decrypts(parts: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "x.fpx.age"
    path.write_bytes(parts["honest"])
    report = decrypt_export(_request(path, parts), None, tmp_path / "out")
    assert report.ok, report.problems
    assert b'"honest"' in (tmp_path / "out" / MANIFEST_NAME).read_bytes()


def test_named_temp_fallback_is_cleaned_after_a_kill(parts: dict[str, Any], tmp_path: Path) -> None:
    """Force the no-O_TMPFILE fallback, SIGKILL mid-member, and check the next decrypt removes the plaintext."""
    path = tmp_path / "x.fpx.age"
    path.write_bytes(parts["honest"])
    identity_file = tmp_path / "id.txt"
    identity_file.write_text(str(parts["identity"]) + "\n")
    out = tmp_path / "out"
    code = (
        "import os, signal, sys\n"
        "del os.O_TMPFILE\n"  # the file system of the issue: no unnamed temp files
        "from frigate_privacy.storage.atomic import AtomicFile\n"
        "_write = AtomicFile.write\n"
        "def write(self, data):\n"
        "    n = _write(self, data)\n"
        "    if self.bytes_written > 20000:\n"
        "        self.flush()\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return n\n"
        "AtomicFile.write = write\n"
        "from frigate_privacy.cli import main\n"
        f"sys.exit(main(['decrypt', {str(path)!r}, '-i', {str(identity_file)!r}, '-o', {str(out)!r}, "
        f"'--trusted-key', {parts['signer'].public.text!r}]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    left = [p for p in out.iterdir()]
    assert left and all(p.name.startswith(PARTIAL_PREFIX) for p in left)  # plaintext, under a partial name
    report = decrypt_export(_request(path, parts), None, out)
    assert report.ok
    assert sorted(p.name for p in out.iterdir()) == sorted([VIDEO_NAME, PUBLIC_KEY_NAME, MANIFEST_NAME, SIGNATURE_NAME])
