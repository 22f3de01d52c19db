"""The one SQLite opener: private files, schema versions that are read, migrations that are atomic."""

from __future__ import annotations

import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from frigate_privacy.audit.errors import AuditError
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.crypto.signing import load_or_create_signing_key
from frigate_privacy.errors import StorageError
from frigate_privacy.export.errors import ExportError
from frigate_privacy.export.registry import ExportRegistry
from frigate_privacy.frigate.trackstore import TrackStore
from frigate_privacy.storage.sqlite import open_database, schema_version

V1 = "CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY, text TEXT NOT NULL);"
V2 = "ALTER TABLE note ADD COLUMN author TEXT NOT NULL DEFAULT 'unknown';\nCREATE INDEX note_author ON note (author);"


def _version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def test_new_file_is_private_and_at_the_newest_version(tmp_path: Path) -> None:
    path = tmp_path / "state" / "notes.sqlite3"
    db = open_database(path, [V1, V2], what="the notes")
    db.execute("INSERT INTO note (text, author) VALUES ('hi', 'ann')")
    db.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert _version(path) == 2


def test_an_older_file_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    db = open_database(path, [V1], what="the notes")
    db.execute("INSERT INTO note (text) VALUES ('kept')")
    db.close()
    db = open_database(path, [V1, V2], what="the notes")
    assert db.execute("SELECT text, author FROM note").fetchall() == [("kept", "unknown")]
    assert schema_version(db) == 2
    db.close()


def test_a_failing_migration_leaves_the_old_schema_and_version(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    open_database(path, [V1], what="the notes").close()
    broken = "CREATE TABLE extra (x);\nINSERT INTO no_such_table VALUES (1);"
    expected = r"cannot migrate the notes .* version 2: no such table: no_such_table; .* at version 1"
    with pytest.raises(StorageError, match=expected):
        open_database(path, [V1, broken], what="the notes")
    with sqlite3.connect(path) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"note"} and _version(path) == 1


def test_a_file_from_a_newer_release_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    open_database(path, [V1, V2], what="the notes").close()
    before = path.read_bytes()
    with pytest.raises(ExportError, match="schema version 2, but this frigate-privacy knows only up to 1"):
        open_database(path, [V1], what="the notes", error=ExportError)
    with pytest.raises(ExportError, match="newer release"):
        open_database(path, [V1], what="the notes", error=ExportError, read_only=True)
    assert path.read_bytes() == before


def test_read_only_never_creates_or_migrates(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    with pytest.raises(StorageError, match="does not exist"):
        open_database(path, [V1], what="the notes", read_only=True)
    assert not path.exists()
    open_database(path, [V1], what="the notes").close()
    with pytest.raises(StorageError, match="open it once with write access"):
        open_database(path, [V1, V2], what="the notes", read_only=True)
    assert _version(path) == 1
    db = open_database(path, [V1], what="the notes", read_only=True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.execute("INSERT INTO note (text) VALUES ('x')")
    db.close()


def test_concurrent_openers_migrate_once(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    runs: list[int] = []

    def counted(db: sqlite3.Connection) -> None:
        runs.append(1)
        db.execute("CREATE TABLE counted (x)")  # a second run would fail: the table exists

    errors: list[BaseException] = []

    def opener() -> None:
        try:
            open_database(path, [V1, counted], what="the notes").close()
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=opener) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(runs) == 1 and _version(path) == 2


def test_the_stores_check_their_version(tmp_path: Path) -> None:
    """Each store reads user_version: a file from a newer release is refused with the store's own error."""
    key = load_or_create_signing_key(tmp_path / "key")
    paths = {"audit": tmp_path / "audit.sqlite3", "registry": tmp_path / "reg.sqlite3", "tracks": tmp_path / "t.db"}
    AuditLog(paths["audit"], key).close()
    ExportRegistry(paths["registry"]).close()
    TrackStore(paths["tracks"]).close()
    for path in paths.values():
        assert _version(path) == 1
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA user_version = 99")
    with pytest.raises(AuditError, match="schema version 99"):
        AuditLog(paths["audit"], key)
    with pytest.raises(AuditError, match="schema version 99"):
        AuditLog(paths["audit"], None)
    with pytest.raises(ExportError, match="schema version 99"):
        ExportRegistry(paths["registry"])
    with pytest.raises(StorageError, match="schema version 99"):
        TrackStore(paths["tracks"])


def test_files_from_before_the_opener_are_adopted(tmp_path: Path) -> None:
    """Registry and track store files used to carry version 0 with their tables already there."""
    path = tmp_path / "reg.sqlite3"
    ExportRegistry(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 0")
    ExportRegistry(path).close()
    assert _version(path) == 1
