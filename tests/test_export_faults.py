"""Bad input and failures of exports: each a clear message, a non-zero exit and nothing half-written."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from frigate_privacy.audit.location import audit_db_path
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.cli import main
from frigate_privacy.crypto.age_keys import generate_identity_file, load_identities, load_recipients
from frigate_privacy.crypto.errors import CorruptCiphertextError, WrongKeyError, WrongPassphraseError
from frigate_privacy.crypto.signing import load_or_create_signing_key
from frigate_privacy.errors import InputError
from frigate_privacy.exit_codes import ExitCode
from frigate_privacy.export.errors import NoRecordingsError, SourceInterrupted
from frigate_privacy.export.operations import OpenRequest, make_export, verify_export
from frigate_privacy.export.staging import sweep_stale_staging
from frigate_privacy.export.times import TimeRange
from tests.age_terminal import age_on_a_terminal
from tests.json_shapes import assert_json_shape
from tests.standin import FrigateStandin
from tests.test_export_support import Scene, config, make_scene, models_ready, request

AGE = shutil.which("age")
REPO = Path(__file__).resolve().parent.parent
_PLAINTEXT_MARKERS = (b"ftyp", b"PK\x03\x04", b"manifest.json", b"moof")


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    """One 0.16 stand-in with the two-walker recordings, shared by this module's tests."""
    models_ready()
    root = tmp_path_factory.mktemp("standin")
    with FrigateStandin("0.16", root / "media") as s:
        sc = make_scene(s)
        s.register_walk(sc.alice)
        s.register_walk(sc.bob)
        yield sc


@pytest.fixture(scope="module")
def made(scene: Scene, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One export to a fresh identity, to damage in many ways."""
    tmp = tmp_path_factory.mktemp("made")
    key = generate_identity_file(tmp / "key.txt")
    cfg = config(scene.standin, tmp / "data")
    result = make_export(cfg, request(scene, load_recipients([key.recipient])[0]), role="admin")
    (tmp / "cfg.yml").write_text(yaml.safe_dump(cfg.model_dump(mode="json")))
    return {"file": result.path, "key": key.path, "data": tmp / "data", "cfg": tmp / "cfg.yml"}


def _cli(*args: str | Path) -> int:
    return main([str(a) for a in args])


def _no_plaintext(directory: Path) -> None:
    """Every file left under `directory` is age ciphertext (or there is none)."""
    for path in directory.rglob("*"):
        if path.is_file():
            head = path.read_bytes()
            assert head.startswith(b"age-encryption.org/v1") or not head, path
            assert not any(m in head[200:] for m in _PLAINTEXT_MARKERS if m != b"moof"), path


def test_no_recordings_is_a_clear_error(scene: Scene, tmp_path: Path) -> None:
    cfg = config(scene.standin, tmp_path / "data")
    key = generate_identity_file(tmp_path / "key.txt")
    empty = TimeRange(scene.start - 7200, scene.start - 3600)
    with pytest.raises(NoRecordingsError, match="has no recordings of camera front"):
        make_export(cfg, request(scene, load_recipients([key.recipient])[0], span=empty), role="admin")
    exports = tmp_path / "data" / "exports"
    assert not exports.exists() or not any(exports.iterdir())
    with AuditLog(audit_db_path(cfg), None) as log:
        intent, entry = log.entries()
    assert (intent.action, intent.result) == ("export", "started")
    assert (entry.action, entry.result, entry.details_dict()["error"]) == ("export", "failure", "NoRecordingsError")


class _CuttingProxy:
    """A TCP proxy to the stand-in that drops the connection after `limit` bytes of a clip response."""

    def __init__(self, upstream: str, limit: int) -> None:
        host, port = upstream.removeprefix("http://").split(":")
        self.upstream = (host, int(port))
        self.limit = limit
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with client, socket.create_connection(self.upstream) as up:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = client.recv(65536)
                if not chunk:
                    return
                request += chunk
            up.sendall(request.replace(b"Connection: keep-alive", b"Connection: close"))
            cut = b"clip.mp4" in request.split(b"\r\n", 1)[0]
            sent = 0
            first = True
            while chunk := up.recv(65536):
                if first:
                    # One request per connection, so the client never reuses a socket we closed.
                    status, rest = chunk.split(b"\r\n", 1)
                    chunk = status + b"\r\nConnection: close\r\n" + rest
                    first = False
                if cut and sent + len(chunk) > self.limit:
                    client.sendall(chunk[: self.limit - sent])
                    return  # Frigate goes away mid-stream
                client.sendall(chunk)
                sent += len(chunk)

    def close(self) -> None:
        self.sock.close()


def test_frigate_down_mid_download(scene: Scene, tmp_path: Path) -> None:
    proxy = _CuttingProxy(scene.standin.url, 400_000)
    try:
        cfg = config(scene.standin, tmp_path / "data")
        cfg.frigate.url = proxy.url
        key = generate_identity_file(tmp_path / "key.txt")
        with pytest.raises(SourceInterrupted, match="broke off"):
            make_export(cfg, request(scene, load_recipients([key.recipient])[0]), role="admin")
    finally:
        proxy.close()
    assert not any((tmp_path / "data" / "exports").iterdir())


def _subprocess_export(
    made: dict[str, Path], out_cfg: Path, data_dir: Path, scene: Scene, prelude: str
) -> subprocess.Popen[bytes]:
    cfg = yaml.safe_load(made["cfg"].read_text())
    cfg["storage"]["data_dir"] = str(data_dir)
    out_cfg.write_text(yaml.safe_dump(cfg))
    recipient = made["key"].read_text().split("public key: ")[1].split()[0]
    args = [
        "export", "--config", str(out_cfg), "--camera", "front",
        "--start", f"{scene.span.start}", "--end", f"{scene.span.end}",
        "--recipient", recipient, "--requester", "J. Doe", "--purpose", "test", "--legal-basis", "subject-access",
        "--actor", "tester",
    ]  # fmt: skip
    # Unix seconds are not ISO; convert in the child where the CLI parses them.
    args[6] = _iso(scene.span.start)
    args[8] = _iso(scene.span.end)
    code = f"{prelude}\nimport sys\nfrom frigate_privacy.cli import main\nsys.exit(main({args!r}))\n"
    return subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _iso(ts: float) -> str:
    from frigate_privacy.export.times import iso_utc

    return iso_utc(ts)


def test_full_disk_leaves_nothing(scene: Scene, made: dict[str, Path], tmp_path: Path) -> None:
    """The file size limit (RLIMIT_FSIZE) stands in for a full disk: EFBIG on the ciphertext."""
    shutil.copytree(made["data"], tmp_path / "data", ignore=shutil.ignore_patterns("exports"))
    prelude = (
        "import resource, signal\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))"
    )
    proc = _subprocess_export(made, tmp_path / "cfg.yml", tmp_path / "data", scene, prelude)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode != 0
    assert b"not enough space" in err, err
    assert b"Traceback" not in err
    exports = tmp_path / "data" / "exports"
    assert not any(exports.iterdir()), list(exports.iterdir())


def _largest_open_file_under(pid: int, directory: Path) -> int:
    """Size of the biggest file process `pid` holds open in `directory` (an unnamed O_TMPFILE one too)."""
    sizes = [0]
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(str(directory)):
                    sizes.append(os.stat(f"/proc/{pid}/fd/{fd}").st_size)
    return max(sizes)


def test_sigkill_mid_export_leaves_nothing_readable(scene: Scene, made: dict[str, Path], tmp_path: Path) -> None:
    shutil.copytree(made["data"], tmp_path / "data", ignore=shutil.ignore_patterns("exports"))
    # Every write of plaintext into the encryptor is 20 ms late, so the ciphertext grows for seconds and
    # the kill lands mid-way (unthrottled, a fast run sometimes finished between two looks at its files).
    prelude = (
        "import time\n"
        "from frigate_privacy.crypto.age import EncryptingWriter\n"
        "_write = EncryptingWriter.write\n"
        "EncryptingWriter.write = lambda self, data: (time.sleep(0.02), _write(self, data))[1]"
    )
    proc = _subprocess_export(made, tmp_path / "cfg.yml", tmp_path / "data", scene, prelude)
    exports = tmp_path / "data" / "exports"
    deadline = time.monotonic() + 120
    killed_at = 0
    while time.monotonic() < deadline and proc.poll() is None:
        size = _largest_open_file_under(proc.pid, exports)
        if size > 100_000:
            killed_at = size
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    proc.wait(timeout=30)
    err = proc.stderr.read()[-2000:] if proc.stderr else b""
    assert killed_at, f"the export ended (exit {proc.returncode}) before it could be killed: {err!r}"
    # Only ciphertext remains, inside a private staging directory, never under an export's name.
    assert not list(exports.glob("*.fpx.age"))
    _no_plaintext(exports)
    staged = [p for p in exports.iterdir() if p.name.startswith(".staging-")]
    assert staged and all(p.stat().st_mode & 0o077 == 0 for p in staged)
    # The next export run (here its sweep) removes what the killed one left.
    assert sweep_stale_staging(exports) == staged
    assert not any(exports.iterdir())


def _tamper(src: Path, dst: Path, offset: int) -> Path:
    data = bytearray(src.read_bytes())
    data[offset] ^= 0x01
    dst.write_bytes(bytes(data))
    return dst


def test_wrong_key_truncation_and_tampering(
    made: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = generate_identity_file(tmp_path / "other.txt")
    base = ("verify", "--config", made["cfg"], "--actor", "tester")
    assert _cli(*base, made["file"], "--identity", other.path) == WrongKeyError.exit_code
    assert "none of the given identities" in capsys.readouterr().err
    data = made["file"].read_bytes()
    (tmp_path / "cut.fpx.age").write_bytes(data[: len(data) // 2])
    assert _cli(*base, tmp_path / "cut.fpx.age", "--identity", made["key"]) != 0
    assert "truncated or was altered" in capsys.readouterr().err
    flipped = _tamper(made["file"], tmp_path / "flip.fpx.age", len(data) // 2)
    assert _cli(*base, flipped, "--identity", made["key"]) == CorruptCiphertextError.exit_code
    assert "truncated or was altered" in capsys.readouterr().err
    out = tmp_path / "out"
    assert _cli("decrypt", flipped, "--identity", made["key"], "--config", made["cfg"], "-o", out) != 0
    assert not out.exists() or not any(out.iterdir())
    with AuditLog(made["data"] / "audit.sqlite3", None) as log:
        failed = [e.details_dict()["error"] for e in log.entries() if e.result == "failure"]
    assert failed[-4:] == [
        "WrongKeyError",
        "CorruptCiphertextError",
        "CorruptCiphertextError",
        "CorruptCiphertextError",
    ]


@pytest.mark.skipif(AGE is None, reason="the age CLI is not installed")
def test_manifest_edited_after_signing_is_named(
    made: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Someone with the key decrypts (age -d), edits the manifest, re-encrypts (age -e): verify names it."""
    assert AGE is not None
    plain = subprocess.run([AGE, "-d", "-i", str(made["key"]), str(made["file"])], check=True, capture_output=True)
    src = zipfile.ZipFile(io.BytesIO(plain.stdout))
    recipient = made["key"].read_text().split("public key: ")[1].split()[0]

    def reencrypt(name: str, change: dict[str, bytes]) -> Path:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as dst:
            for info in src.infolist():
                dst.writestr(info.filename, change.get(info.filename, src.read(info)))
        out = tmp_path / name
        subprocess.run([AGE, "-e", "-r", recipient, "-o", str(out)], input=buf.getvalue(), check=True)
        return out

    # Unchanged content re-encrypted by the age CLI: our decrypt opens and verifies it.
    honest = reencrypt("honest.fpx.age", {})
    assert _cli("decrypt", honest, "-i", made["key"], "--config", made["cfg"], "-o", tmp_path / "ok") == 0
    assert sorted(p.name for p in (tmp_path / "ok").iterdir()) == sorted(src.namelist())

    manifest = json.loads(src.read("manifest.json"))
    manifest["purpose"] = "something else"
    edited = reencrypt("edited.fpx.age", {"manifest.json": json.dumps(manifest).encode()})
    assert _cli("verify", edited, "-i", made["key"], "--config", made["cfg"]) == ExitCode.VERIFY_FAILED
    assert "manifest.json: signature invalid" in capsys.readouterr().err
    assert (
        _cli("decrypt", edited, "-i", made["key"], "--config", made["cfg"], "-o", tmp_path / "no")
        == ExitCode.VERIFY_FAILED
    )
    assert not any((tmp_path / "no").iterdir())
    capsys.readouterr()

    video = bytearray(src.read("video.mp4"))
    video[len(video) // 2] ^= 0xFF
    swapped = reencrypt("video.fpx.age", {"video.mp4": bytes(video)})
    assert _cli("verify", swapped, "-i", made["key"], "--config", made["cfg"]) == ExitCode.VERIFY_FAILED
    err = capsys.readouterr().err
    assert "video.mp4: sha256 mismatch" in err and "signature invalid" not in err


@pytest.mark.skipif(AGE is None, reason="the age CLI is not installed")
def test_generated_passphrase_cli_and_age_interop(
    scene: Scene, made: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--generate-passphrase` prints it once; `age -d` (typed on a pty) and our verify open the export."""
    cfg_path = made["cfg"]
    assert _cli(
        "export", "--config", cfg_path, "--camera", "front", "--start", _iso(scene.span.start),
        "--end", _iso(scene.span.start + 6), "--generate-passphrase", "--requester", "J. Doe",
        "--purpose", "police request 4711", "--legal-basis", "legal-obligation", "--actor", "tester",
    ) == 0  # fmt: skip
    out = capsys.readouterr().out
    (passphrase,) = re.findall(r"passphrase \(shown only this once; store it safely\): (\S+)", out)
    (path,) = re.findall(r"export \S+: (\S+\.fpx\.age)", out)
    code, screen = age_on_a_terminal(["-d", "-o", str(tmp_path / "b.zip"), path], passphrase)
    assert code == 0, screen
    assert zipfile.ZipFile(tmp_path / "b.zip").testzip() is None
    os.environ["FP_EXPORT_TEST_PASS"] = passphrase
    try:
        assert _cli("verify", path, "--passphrase-env", "FP_EXPORT_TEST_PASS", "--config", cfg_path) == 0
        os.environ["FP_EXPORT_TEST_PASS"] = "wrong-Walnut-93-cellar"
        assert _cli("verify", path, "--passphrase-env", "FP_EXPORT_TEST_PASS", "--config", cfg_path) == (
            WrongPassphraseError.exit_code
        )
        assert "wrong passphrase" in capsys.readouterr().err
        os.environ["FP_EXPORT_TEST_PASS"] = "abcd12345678"
        weak = ("export", "--config", cfg_path, "--camera", "front", "--start", _iso(scene.span.start))
        assert _cli(*weak, "--end", _iso(scene.span.end), "--passphrase-env", "FP_EXPORT_TEST_PASS",
                    "--requester", "x", "--purpose", "y", "--legal-basis", "consent") == ExitCode.INPUT  # fmt: skip
        assert "passphrase rejected" in capsys.readouterr().err
    finally:
        del os.environ["FP_EXPORT_TEST_PASS"]


def test_trusted_key_mismatch(made: dict[str, Path], tmp_path: Path) -> None:
    """On another machine: the expected key is given explicitly; a different one fails."""
    own = load_or_create_signing_key(made["data"]).public
    stranger = load_or_create_signing_key(tmp_path / "elsewhere").public
    ident = load_identities([made["key"]])
    assert verify_export(OpenRequest(made["file"], "t", "admin", ident, None, [own]), None).ok
    report = verify_export(OpenRequest(made["file"], "t", "admin", ident, None, [stranger]), None)
    assert any("not a trusted key" in p for p in report.problems)


def test_export_by_event_uses_its_padded_span(scene: Scene, tmp_path: Path) -> None:
    """`--event ID` without a range exports the event's span plus `export.event_padding`; a wrong id is refused."""
    cfg = config(scene.standin, tmp_path / "data", event_padding=1.0)
    key = generate_identity_file(tmp_path / "key.txt")
    recipient = load_recipients([key.recipient])[0]
    result = make_export(cfg, request(scene, recipient, span=None, event_ids=(scene.bob.event_id,)), role="admin")
    m = result.manifest
    assert (m.start_unix, m.end_unix) == (scene.bob.start - 1.0, scene.bob.end + 1.0)
    assert m.event_ids == [scene.bob.event_id]
    assert m.video.frames >= (scene.bob.end - scene.bob.start) * 10
    with pytest.raises(InputError, match="has no event"):
        make_export(cfg, request(scene, recipient, span=None, event_ids=("1700000000.000000-zzzzzz",)), role="admin")


def test_json_outputs_of_export_verify_and_decrypt(
    scene: Scene, made: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json on export, verify and decrypt: one JSON object on stdout, failures included."""
    cfg = yaml.safe_load(made["cfg"].read_text())
    cfg["storage"]["data_dir"] = str(tmp_path / "data")
    (tmp_path / "cfg.yml").write_text(yaml.safe_dump(cfg))
    recipient = made["key"].read_text().split("public key: ")[1].split()[0]
    code = _cli(
        "export", "--config", tmp_path / "cfg.yml", "--camera", "front",
        "--start", f"{scene.span.start}", "--end", f"{scene.span.end}", "--recipient", recipient,
        "--requester", "J. Doe", "--purpose", "test", "--legal-basis", "subject-access", "--json",
    )  # fmt: skip
    exported = json.loads(capsys.readouterr().out)
    assert code == ExitCode.OK and Path(exported["path"]).is_file() and exported["audio"] == "stripped"
    assert_json_shape("export", exported)

    assert _cli("verify", made["file"], "-i", made["key"], "--config", made["cfg"], "--json") == ExitCode.OK
    verified = json.loads(capsys.readouterr().out)
    assert verified["ok"] and verified["problems"] == [] and verified["manifest"]["camera"] == "front"
    assert_json_shape("verify", verified)

    edited = _tamper(made["file"], tmp_path / "bad.fpx.age", 2000)
    code = _cli("verify", edited, "-i", made["key"], "--config", made["cfg"], "--json")
    out = capsys.readouterr().out
    failed = json.loads(out)  # exactly one JSON document, even though it failed
    assert code != ExitCode.OK and failed.get("ok") is not True
    assert_json_shape("verify-failed" if "ok" in failed else "error", failed)

    out_dir = tmp_path / "plain"
    assert _cli("decrypt", made["file"], "-i", made["key"], "--config", made["cfg"], "-o", out_dir, "--json") == 0
    decrypted = json.loads(capsys.readouterr().out)
    assert decrypted["output"] == str(out_dir) and {f["name"] for f in decrypted["files"]} <= set(os.listdir(out_dir))
    assert_json_shape("decrypt", decrypted)
