"""The audit log: append, hash chain, signed head and checkpoints, tamper detection, secrets kept out."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from frigate_privacy.audit import AuditAction, AuditLog, AuditResult, EntryFilter, verify_log_file
from frigate_privacy.audit.entry import entry_hash
from frigate_privacy.audit.errors import AuditError, AuditInputError
from frigate_privacy.cli import main
from frigate_privacy.crypto.signing import SigningKey, load_or_create_signing_key
from frigate_privacy.exit_codes import ExitCode
from tests.json_shapes import assert_json_shape

COLUMNS = [
    "ts",
    "unix",
    "actor",
    "role",
    "action",
    "target",
    "camera",
    "reason",
    "result",
    "details",
    "prev_hash",
    "hash",
]


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    return load_or_create_signing_key(tmp_path / "data")


@pytest.fixture
def db(tmp_path: Path, key: SigningKey) -> Iterator[Path]:
    """A log of 10 entries with a checkpoint every 4."""
    path = tmp_path / "data" / "audit.sqlite3"
    with AuditLog(path, key, checkpoint_every=4) as log:
        for i in range(1, 11):
            log.record(
                actor="alice" if i % 2 else "bob",
                role="admin",
                action=AuditAction.export if i % 3 else AuditAction.decrypt,
                target=f"exports/front-{i}.fpx.age",
                reason="subject access request 2026-17",
                result=AuditResult.success,
                camera="front" if i != 5 else None,
                details={"events": [f"evt-{i}"], "bytes": i * 1000},
            )
    yield path


def tamper(path: Path, *statements: str, params: tuple[object, ...] = ()) -> None:
    """What an attacker with write access does: drop the guard triggers and edit rows."""
    con = sqlite3.connect(path)
    for trigger in ("entries_no_update", "entries_no_delete", "checkpoints_no_update", "checkpoints_no_delete"):
        con.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for sql in statements:
        con.execute(sql, params if "?" in sql else ())
    con.commit()
    con.close()


def first_bad(path: Path, key: SigningKey) -> tuple[int, str]:
    report = verify_log_file(path, key.public)
    assert not report.ok
    assert report.first_problem is not None
    return report.first_problem.seq, report.first_problem.what


def test_intact_log_verifies(db: Path, key: SigningKey) -> None:
    report = verify_log_file(db, key.public)
    assert report.ok, report.problems
    assert (report.entries, report.checkpoints, report.last_seq) == (10, 2, 10)


def test_file_is_0600_and_sidecars_too(tmp_path: Path, key: SigningKey) -> None:
    path = tmp_path / "fresh" / "audit.sqlite3"
    with AuditLog(path, key) as log:
        log.record(actor="a", role="admin", action="export", target="t", reason="r", result="success")
        for p in [path, *path.parent.glob("audit.sqlite3-*")]:
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_append_only_triggers_block_edits(db: Path) -> None:
    con = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE entries SET reason = 'x' WHERE seq = 3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("DELETE FROM entries WHERE seq = 10")
    con.close()


@pytest.mark.parametrize("column", COLUMNS)
def test_changing_one_byte_of_any_column_is_caught(db: Path, key: SigningKey, column: str) -> None:
    con = sqlite3.connect(db)
    value = con.execute(f"SELECT {column} FROM entries WHERE seq = 6").fetchone()[0]
    con.close()
    if isinstance(value, int):
        new: object = value + 1
    else:
        text = value or "x"
        new = text[:-1] + ("0" if text[-1] != "0" else "1")
    tamper(db, f"UPDATE entries SET {column} = ? WHERE seq = 6", params=(new,))
    seq, what = first_bad(db, key)
    assert seq == 6, what


def test_changing_a_sequence_number_is_caught(db: Path, key: SigningKey) -> None:
    tamper(db, "UPDATE entries SET seq = 60 WHERE seq = 6")
    assert first_bad(db, key) == (6, "entry 6 is missing (deleted)")


def test_deleting_a_middle_entry_is_caught(db: Path, key: SigningKey) -> None:
    tamper(db, "DELETE FROM entries WHERE seq = 5")
    seq, what = first_bad(db, key)
    assert seq == 5 and "missing" in what


def test_deleting_the_last_entry_is_caught_by_the_signed_head(db: Path, key: SigningKey) -> None:
    tamper(db, "DELETE FROM entries WHERE seq = 10")
    seq, what = first_bad(db, key)
    assert seq == 10 and "deleted" in what


def test_deleting_the_tail_and_rewinding_the_head_is_caught(db: Path, key: SigningKey) -> None:
    con = sqlite3.connect(db)
    seven = con.execute("SELECT hash FROM entries WHERE seq = 7").fetchone()[0]
    con.close()
    tamper(db, "DELETE FROM entries WHERE seq > 7", "UPDATE head SET seq = 7, hash = ?", params=(seven,))
    seq, what = first_bad(db, key)
    assert seq == 7 and "head signature is invalid" in what


def test_deleting_tail_entries_vouched_for_by_a_checkpoint_is_caught(db: Path, key: SigningKey) -> None:
    tamper(db, "DELETE FROM entries WHERE seq > 7", "DELETE FROM head")
    report = verify_log_file(db, key.public)
    assert not report.ok
    assert any("checkpoint vouches for entry 8" in p.what for p in report.problems)


def test_swapping_two_entries_is_caught(db: Path, key: SigningKey) -> None:
    con = sqlite3.connect(db)
    cols = ", ".join(COLUMNS)
    row3 = con.execute(f"SELECT {cols} FROM entries WHERE seq = 3").fetchone()
    row7 = con.execute(f"SELECT {cols} FROM entries WHERE seq = 7").fetchone()
    con.close()
    assign = ", ".join(f"{c} = ?" for c in COLUMNS)
    tamper(db, f"UPDATE entries SET {assign} WHERE seq = 3", params=row7)
    tamper(db, f"UPDATE entries SET {assign} WHERE seq = 7", params=row3)
    seq, _ = first_bad(db, key)
    assert seq == 3


def test_re_chaining_after_an_edit_is_caught_by_signatures(db: Path, key: SigningKey) -> None:
    """An attacker without the key edits entry 6 and recomputes every hash after it."""
    con = sqlite3.connect(db)
    rows = con.execute(f"SELECT seq, {', '.join(COLUMNS)} FROM entries ORDER BY seq").fetchall()
    con.close()
    prev = rows[4][-1]  # hash of entry 5
    statements = []
    for row in rows[5:]:
        fields = dict(zip(["seq", *COLUMNS], row, strict=True))
        if fields["seq"] == 6:
            fields["reason"] = "routine check"
        fields["prev_hash"] = prev
        fields.pop("hash")
        prev = entry_hash(**fields)
        statements.append((fields["seq"], fields["reason"], fields["prev_hash"], prev))
    for seq, reason, prev_hash, digest in statements:
        tamper(
            db,
            "UPDATE entries SET reason = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            params=(reason, prev_hash, digest, seq),
        )
    tamper(db, "UPDATE head SET hash = ?", params=(prev,))
    seq, what = first_bad(db, key)
    assert seq == 8 and "checkpoint" in what  # the checkpoint at 8 still vouches for the original chain


def test_altered_checkpoint_is_caught(db: Path, key: SigningKey) -> None:
    tamper(db, "UPDATE checkpoints SET entry_hash = '00' || substr(entry_hash, 3) WHERE seq = 4")
    seq, what = first_bad(db, key)
    assert seq == 4 and "checkpoint signature is invalid" in what


def test_a_different_trusted_key_fails(db: Path, tmp_path: Path) -> None:
    stranger = load_or_create_signing_key(tmp_path / "elsewhere")
    assert not verify_log_file(db, stranger.public).ok


def test_verify_without_trusted_key_still_checks_consistency(db: Path) -> None:
    report = verify_log_file(db, None)
    assert report.ok and not report.trusted_key
    tamper(db, "DELETE FROM entries WHERE seq = 2")
    assert not verify_log_file(db, None).ok


def test_on_demand_checkpoint(db: Path, key: SigningKey) -> None:
    with AuditLog(db, key, checkpoint_every=4) as log:
        cp = log.checkpoint()
        assert cp is not None and cp.seq == 10
        assert [c.seq for c in log.checkpoints()] == [4, 8, 10]
    assert verify_log_file(db, key.public).ok


def test_reader_cannot_write(db: Path) -> None:
    with AuditLog(db, signer=None) as log, pytest.raises(AuditError, match="read-only"):
        log.record(actor="a", role="admin", action="export", target="t", reason="r", result="success")


def test_filters(db: Path) -> None:
    with AuditLog(db, signer=None) as log:
        assert [e.seq for e in log.entries(EntryFilter(actor="bob"))] == [2, 4, 6, 8, 10]
        assert [e.seq for e in log.entries(EntryFilter(action="decrypt"))] == [3, 6, 9]
        assert len(log.entries(EntryFilter(camera="front"))) == 9
        assert log.entries(EntryFilter(since=datetime.now(UTC) + timedelta(hours=1))) == []
        assert len(log.entries(EntryFilter(until=datetime.now(UTC) + timedelta(hours=1), limit=3))) == 3


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({"password": "hunter2"}, "never stores secrets"),
        ({"passphrase": "x"}, "never stores secrets"),
        ({"api_token": "x"}, "never stores secrets"),
        ({"clientSecret": "x"}, "never stores secrets"),
        ({"private_key": "x"}, "never stores secrets"),
        ({"privateKey": "x"}, "never stores secrets"),
        ({"key": "x"}, "never stores secrets"),
        ({"nested": {"auth": {"bearer": "x"}}}, "never stores secrets"),
        ({"frame": b"\xff\xd8\xff"}, "binary data"),
        ({"frame": bytearray(b"abc")}, "binary data"),
        ({"note": "x" * 300}, "limit is 256"),
        ({"note": "AGE-SECRET-KEY-1QQQQ"}, "key material"),
        ({"thumb": "data:image/jpeg;base64,/9j/4AAQ"}, "embedded media"),
        ({"ratio": float("nan")}, "finite"),
        ({"a": {"b": {"c": {"d": 1}}}}, "nested too deeply"),
        ({"items": list(range(51))}, "limit is 50"),
        ({"bad key!": 1}, "short identifiers"),
    ],
)
def test_details_that_could_hold_secrets_or_images_are_refused(
    tmp_path: Path, key: SigningKey, details, message
) -> None:
    with AuditLog(tmp_path / "a.sqlite3", key) as log:
        with pytest.raises(AuditInputError, match=message):
            log.record(
                actor="a", role="admin", action="export", target="t", reason="r", result="success", details=details
            )
        assert log.entries() == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reason", "-----BEGIN PRIVATE KEY-----", "key material"),
        ("target", "x" * 600, "limit is 512"),
        ("actor", "alice; DROP TABLE", "not a valid name"),
        ("camera", "../etc", "not a valid name"),
        ("action", "Export Now", "not a valid name"),
        ("result", "great", "result must be one of"),
    ],
)
def test_bad_fields_are_refused(tmp_path: Path, key: SigningKey, field: str, value: str, message: str) -> None:
    fields = {"actor": "a", "role": "admin", "action": "export", "target": "t", "reason": "r", "result": "success"}
    fields[field] = value
    with AuditLog(tmp_path / "a.sqlite3", key) as log, pytest.raises(AuditInputError, match=message):
        log.record(**fields)  # type: ignore[arg-type]


def test_acceptable_details_are_stored_canonically(tmp_path: Path, key: SigningKey) -> None:
    with AuditLog(tmp_path / "a.sqlite3", key) as log:
        entry = log.record(
            actor="svc",
            role="service",
            action=AuditAction.retention_delete,
            target="review/abc",
            reason="policy: detections 7 days",
            result=AuditResult.partial,
            camera="yard",
            details={"deleted": 3, "failed": ["rec-1"], "api": "DELETE /api/reviews", "keyframe_count": 2},
        )
    assert entry.details == '{"api":"DELETE /api/reviews","deleted":3,"failed":["rec-1"],"keyframe_count":2}'


_APPENDER = textwrap.dedent(
    """
    import sys
    from frigate_privacy.audit import AuditLog
    from frigate_privacy.crypto.signing import load_or_create_signing_key
    key = load_or_create_signing_key(sys.argv[2])
    with AuditLog(sys.argv[1], key, checkpoint_every=7) as log:
        for i in range(60):
            log.record(actor=sys.argv[3], role="admin", action="verify", target=f"t{i}", reason="r", result="success")
    """
)


def test_two_processes_appending_at_once_keep_one_chain(tmp_path: Path, key: SigningKey) -> None:
    path = tmp_path / "shared.sqlite3"
    data_dir = str(tmp_path / "data")
    procs = [
        subprocess.Popen([sys.executable, "-c", _APPENDER, str(path), data_dir, who], stderr=subprocess.PIPE)
        for who in ("proc-a", "proc-b")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    report = verify_log_file(path, key.public)
    assert report.ok, report.problems
    assert report.entries == 120


def test_cli_verify_show_and_exit_codes(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = str(db.parent)
    assert main(["audit", "verify", "--db", str(db), "--data-dir", data_dir]) == 0
    assert "OK (10 entries" in capsys.readouterr().out
    assert main(["audit", "show", "--db", str(db), "--actor", "bob", "--action", "decrypt", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert_json_shape("audit-show", shown)
    assert [e["seq"] for e in shown] == [6]
    assert shown[0]["details"]["events"] == ["evt-6"]
    tamper(db, "UPDATE entries SET result = 'failure' WHERE seq = 9")
    code = main(["audit", "verify", "--db", str(db), "--data-dir", data_dir])
    err = capsys.readouterr().err
    assert code == ExitCode.AUDIT_TAMPERED
    assert "first bad: entry 9" in err


def test_cli_verify_with_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = tmp_path / "d"
    cfg = tmp_path / "cfg.yml"
    cfg.write_text(f"storage:\n  data_dir: {data_dir}\naudit:\n  checkpoint_every: 2\n")
    from frigate_privacy.audit.location import open_audit_log
    from frigate_privacy.config import load_config

    with open_audit_log(load_config(cfg)) as log:
        for _ in range(3):
            log.record(actor="a", role="admin", action="config_change", target="cfg", reason="r", result="success")
    assert main(["audit", "verify", "--config", str(cfg)]) == 0
    assert "2 checkpoints" not in capsys.readouterr().out  # 1 checkpoint at entry 2
    os.remove(data_dir / "audit.sqlite3")
    # The anchor next to it remembers the log held 3 entries: a deleted log is tampering, not "no log yet".
    assert main(["audit", "verify", "--config", str(cfg)]) == ExitCode.AUDIT_TAMPERED
