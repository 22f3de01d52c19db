"""The audit log's own integrity: a signed anchor outside the database catches an emptied or deleted log."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import yaml

from frigate_privacy.audit.anchor import anchor_path, anchor_payload
from frigate_privacy.audit.errors import AuditIntegrityError
from frigate_privacy.audit.location import open_audit_log
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.cli import main
from frigate_privacy.config.loader import parse_config
from frigate_privacy.crypto.signing import load_or_create_signing_key
from frigate_privacy.exit_codes import ExitCode


@pytest.fixture
def cfg_file(tmp_path: Path) -> Path:
    path = tmp_path / "fp.yml"
    path.write_text(yaml.safe_dump({"storage": {"data_dir": str(tmp_path / "data")}}))
    with open_audit_log(parse_config(yaml.safe_load(path.read_text()))) as log:
        for i in range(5):
            log.record(actor="cli:op", role="admin", action="export", target=f"t{i}", reason="r", result="success")
    return path


def _db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "audit.sqlite3"


def _public(tmp_path: Path) -> str:
    return load_or_create_signing_key(tmp_path / "data").public.text


def test_emptied_log_with_dropped_triggers_fails_verify(
    cfg_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The adversary with write access to the file: drop the triggers, delete every entry, checkpoint and head.
    db = sqlite3.connect(_db(tmp_path))
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f'DROP TRIGGER "{name}"')
    db.executescript("DELETE FROM entries; DELETE FROM checkpoints; DELETE FROM head;")
    db.commit()
    db.close()
    code = main(["audit", "verify", "--db", str(_db(tmp_path)), "--public-key", _public(tmp_path)])
    err = capsys.readouterr().err
    assert code == ExitCode.AUDIT_TAMPERED
    assert "entries after 0 were deleted" in err and "anchor" in err
    # And no audited action appends to the emptied log as if nothing happened.
    with pytest.raises(AuditIntegrityError, match="does not match its anchor"):
        open_audit_log(parse_config(yaml.safe_load(cfg_file.read_text())))


def test_deleted_log_is_never_silently_replaced(
    cfg_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(_db(tmp_path)) + suffix).unlink(missing_ok=True)
    assert main(["audit", "verify", "--config", str(cfg_file)]) == ExitCode.AUDIT_TAMPERED
    assert "held 5 entries" in capsys.readouterr().err
    # The next audited command refuses instead of creating a new empty log ...
    with pytest.raises(AuditIntegrityError, match="audit init --force"):
        open_audit_log(parse_config(yaml.safe_load(cfg_file.read_text())))
    assert not _db(tmp_path).exists()
    assert main(["audit", "init", "--config", str(cfg_file)]) == ExitCode.AUDIT_TAMPERED
    capsys.readouterr()
    # ... until an operator starts one on purpose, which the new log records.
    assert main(["audit", "init", "--force", "--config", str(cfg_file)]) == 0
    with AuditLog(_db(tmp_path), None) as log:
        (first,) = log.entries()
    assert first.action == "audit_init" and first.actor.startswith("cli:")
    assert first.details_dict()["previous_entries"] == 5 and first.details_dict()["previous_file"] == "missing"
    capsys.readouterr()
    assert main(["audit", "verify", "--config", str(cfg_file)]) == 0


def test_force_keeps_the_old_file_aside(cfg_file: Path, tmp_path: Path) -> None:
    assert main(["audit", "init", "--force", "--config", str(cfg_file)]) == 0
    kept = list((tmp_path / "data").glob("audit.sqlite3.replaced-*"))
    assert [p.name for p in kept if not p.name.endswith(("-wal", "-shm"))]
    with AuditLog(_db(tmp_path), None) as log:
        (first,) = log.entries()
    assert first.details_dict()["previous_entries"] == 5


def test_anchor_is_signed_and_published_form(cfg_file: Path, tmp_path: Path) -> None:
    payload = anchor_payload(_db(tmp_path))
    assert payload is not None
    body = json.loads(payload)
    assert body["seq"] == 5 and len(body["hash"]) == 64 and body["public_key"] == _public(tmp_path)
    assert oct(anchor_path(_db(tmp_path)).stat().st_mode & 0o777) == "0o600"
    # A forged anchor (edited count) is caught by its signature.
    body["seq"] = 3
    anchor_path(_db(tmp_path)).write_text(json.dumps(body))
    assert main(["audit", "verify", "--config", str(cfg_file)]) == ExitCode.AUDIT_TAMPERED


def test_untouched_log_verifies(cfg_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify", "--config", str(cfg_file)]) == 0
    assert "OK (5 entries" in capsys.readouterr().out


def test_copy_of_the_anchor_catches_a_log_deleted_with_its_anchor(
    cfg_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # What the service publishes retained over MQTT, saved off the machine.
    payload = anchor_payload(_db(tmp_path))
    assert payload is not None
    saved = tmp_path / "retained-anchor.json"
    saved.write_bytes(payload)
    # The adversary deletes the log and the anchor next to it: locally it looks like no log ever existed.
    for suffix in ("", "-wal", "-shm", ".anchor.json"):
        Path(str(_db(tmp_path)) + suffix).unlink(missing_ok=True)
    assert main(["audit", "verify", "--config", str(cfg_file)]) == ExitCode.AUDIT
    capsys.readouterr()
    assert main(["audit", "verify", "--config", str(cfg_file), "--anchor", str(saved)]) == ExitCode.AUDIT_TAMPERED
    assert "held 5 entries" in capsys.readouterr().err
    # A new log started over it is caught by the copy too.
    with open_audit_log(parse_config(yaml.safe_load(cfg_file.read_text()))) as log:
        log.record(actor="cli:x", role="admin", action="export", target="t", reason="r", result="success")
    assert main(["audit", "verify", "--config", str(cfg_file), "--anchor", str(saved)]) == ExitCode.AUDIT_TAMPERED
    assert "entries after 1 were deleted" in capsys.readouterr().err
