"""No audited action without its entry: validated before the work, intent before the effect, outcome after."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pyrage import encrypt as age_encrypt
from pyrage import x25519

from frigate_privacy.audit.actor import operator_actor
from frigate_privacy.audit.location import audit_db_path
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.cli import main
from frigate_privacy.config.loader import parse_config
from frigate_privacy.crypto.age_keys import generate_identity_file, load_recipients
from frigate_privacy.export.registry import ExportRegistry, registry_path
from frigate_privacy.export.times import iso_utc
from tests.standin import FrigateStandin
from tests.test_export_support import Scene, config, make_scene, models_ready

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    """One 0.16 stand-in with the two-walker recordings."""
    models_ready()
    with FrigateStandin("0.16", tmp_path_factory.mktemp("standin") / "media") as s:
        sc = make_scene(s)
        s.register_walk(sc.alice)
        yield sc


def _export_args(scene: Scene, cfg: Path, recipient: str, **over: str) -> list[str]:
    args = {
        "--config": str(cfg),
        "--camera": "front",
        "--start": iso_utc(scene.span.start),
        "--end": iso_utc(scene.span.end),
        "--recipient": recipient,
        "--requester": "J. Doe",
        "--purpose": "test",
        "--legal-basis": "subject-access",
    }
    args.update(over)
    return ["export", *[x for kv in args.items() for x in kv]]


@pytest.fixture
def setup(scene: Scene, tmp_path: Path) -> tuple[Path, Path, str, Path]:
    key = generate_identity_file(tmp_path / "key.txt")
    cfg = config(scene.standin, tmp_path / "data")
    cfg_file = tmp_path / "cfg.yml"
    cfg_file.write_text(yaml.safe_dump(cfg.model_dump(mode="json")))
    return cfg_file, tmp_path / "data", str(key.recipient), key.path


def _run(argv: list[str]) -> int:
    """The CLI's exit code, argparse's usage errors (SystemExit) included."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def _entries(data_dir: Path) -> list[tuple[str, str]]:
    db = data_dir / "audit.sqlite3"
    if not db.exists():
        return []
    with AuditLog(db, None) as log:
        return [(e.action, e.result) for e in log.entries()]


def _exports(data_dir: Path) -> list[Path]:
    folder = data_dir / "exports"
    return sorted(folder.glob("*.fpx.age")) if folder.exists() else []


@pytest.mark.parametrize(
    "bad",
    [
        {"--actor": "Jane Doe"},
        {"--role": "super user"},
        {"--purpose": "subject access\nrequest"},
        {"--requester": "AGE-SECRET-KEY-1QQQ"},
    ],
)
def test_entry_refused_before_anything_is_exported(
    scene: Scene, setup: tuple[Path, Path, str, Path], bad: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    cfg_file, data_dir, recipient, _ = setup
    code = _run(_export_args(scene, cfg_file, recipient, **bad))
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err
    # Nothing published or registered: the refusal came before the work.
    assert _exports(data_dir) == []
    if registry_path(data_dir).exists():
        with ExportRegistry(registry_path(data_dir)) as reg:
            assert reg.all() == []
    assert ("export", "success") not in _entries(data_dir)


def test_export_writes_intent_then_outcome_with_one_actor_format(
    scene: Scene, setup: tuple[Path, Path, str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    cfg_file, data_dir, recipient, _ = setup
    assert main(_export_args(scene, cfg_file, recipient)) == 0
    capsys.readouterr()
    with AuditLog(data_dir / "audit.sqlite3", None) as log:
        intent, outcome = log.entries()
    assert (intent.result, outcome.result) == ("started", "success")
    assert outcome.details_dict()["intent"] == intent.seq
    assert intent.actor == outcome.actor == operator_actor() and intent.actor.startswith("cli:")


def test_kill_after_registering_leaves_a_started_entry_that_verify_reports(
    scene: Scene, setup: tuple[Path, Path, str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    cfg_file, data_dir, recipient, _ = setup
    # The adversary's timing: SIGKILL right after the export is registered, before any outcome entry.
    prelude = (
        "import os, signal\n"
        "from frigate_privacy.export.registry import ExportRegistry\n"
        "_add = ExportRegistry.add\n"
        "def add(self, record):\n"
        "    _add(self, record)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "ExportRegistry.add = add\n"
    )
    argv = _export_args(scene, cfg_file, recipient)
    code = f"{prelude}\nimport sys\nfrom frigate_privacy.cli import main\nsys.exit(main({argv!r}))\n"
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with ExportRegistry(registry_path(data_dir)) as reg:
        assert len(reg.all()) == 1  # the effect happened ...
    assert _entries(data_dir) == [("export", "started")]  # ... and the log says it began
    assert main(["audit", "verify", "--config", str(cfg_file)]) == 0
    out = capsys.readouterr().out
    assert "started and never finished" in out and "export" in out


def _crafted_bundle(recipient: x25519.Recipient) -> bytes:
    """A ZIP with hostile member names: escape sequences, key-looking text, many long names."""
    video = {"file": "video.mp4", "container": "mp4", "codec": "h264", "width": 1, "height": 1}
    manifest = {
        "export_id": "x", "camera": "front", "start": "a", "end": "b", "start_unix": 0, "end_unix": 1,
        "clip_origin_unix": 0, "event_ids": [], "requester": "r", "purpose": "p", "legal_basis": "other",
        "legal_basis_text": "t", "actor": "a", "created": "c", "expires": "e", "plugin_version": "1",
        "frigate_version": "0.16", "masking": {}, "kept_subjects": [], "signing_key": "k", "files": [],
        "video": {**video, "frames": 1, "audio": False},
    }  # fmt: skip
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.writestr("\x1b]0;owned\x07\x1b[2J", b"x")
        zf.writestr("-----BEGIN PRIVATE KEY-----", b"x")
        zf.writestr("AGE-SECRET-KEY-1" + "Q" * 58, b"x")
        for i in range(60):
            zf.writestr(f"{i:03d}" + "n" * 250, b"x")
    return bytes(age_encrypt(buf.getvalue(), [recipient]))


@pytest.mark.parametrize("name", ["export\n.fpx.age", "AGE-SECRET-KEY-1ABC.fpx.age", "plain.fpx.age"])
def test_decrypt_of_crafted_bundle_and_file_name_is_audited_and_escaped(
    setup: tuple[Path, Path, str, Path], tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg_file, _data_dir, recipient, key_path = setup
    crafted = tmp_path / name
    crafted.write_bytes(_crafted_bundle(load_recipients([recipient])[0]))
    out = tmp_path / "out"
    code = main(["decrypt", str(crafted), "-i", str(key_path), "--config", str(cfg_file), "-o", str(out)])
    captured = capsys.readouterr()
    assert code != 0 and "Traceback" not in captured.err
    assert "\x1b" not in captured.out + captured.err and "AGE-SECRET-KEY-1Q" not in captured.err
    assert not out.exists() or not any(out.iterdir())
    with AuditLog(audit_db_path(parse_config(yaml.safe_load(cfg_file.read_text()))), None) as log:
        intent, outcome = log.entries()
    assert (intent.action, intent.result, outcome.result) == ("decrypt", "started", "failure")
    assert "\n" not in intent.target and "AGE-SECRET-KEY-" not in intent.target
    details = outcome.details_dict()
    assert details["problem_count"] > 60 and details["intent"] == intent.seq
    assert not any("\x1b" in p or "BEGIN" in p for p in details["problems"])


def test_actor_falls_back_when_the_os_user_has_no_name(monkeypatch: pytest.MonkeyPatch) -> None:
    import pwd

    for var in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(var, raising=False)

    def no_entry(uid: int) -> pwd.struct_passwd:
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    assert operator_actor() == f"cli:uid-{os.getuid()}"
