"""The one SQLite opener: a private file, WAL, and a schema version that is checked and migrated.

Each store (audit log, export registry, track store, at-rest journal, API users) passes its list of
migrations; the file's `PRAGMA user_version` says how many of them it has had. Opening applies the
missing ones, each inside the same write transaction that bumps the version, so a crash mid-migration
leaves the old schema and the old version. A file from a newer release (a higher version than this code
knows) is refused rather than misread.

Rules for migrations: never edit one that has landed, only append; the first one must use
`IF NOT EXISTS`, because files made before this opener existed carry version 0 but already hold tables.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from frigate_privacy.errors import PrivacyError, StorageError

__all__ = ["Migration", "open_database", "schema_version"]

Migration = str | Callable[[sqlite3.Connection], None]
"""SQL statements (run one by one inside the migration's transaction) or a function given the connection."""


def _statements(script: str) -> Iterator[str]:
    """Split a script into statements; `executescript` would COMMIT our migration transaction first."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buffer.strip()[:80]!r}")


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _create_private(path: Path, what: str) -> None:
    """Create the file 0600 (and its directory 0700) before SQLite does; its -wal/-shm copy the mode.

    An existing file is checked first and left untouched (mode included) unless it is a SQLite database:
    a `--track-store` pointing at a text file must not have its mode changed and then fail.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC | os.O_NONBLOCK, 0o600)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise StorageError(f"{what} {path} is not a regular file; give the path of a database file")
        head = os.pread(fd, len(_SQLITE_MAGIC), 0)
        if info.st_size and head != _SQLITE_MAGIC:
            raise StorageError(
                f"{what} {path} is not a SQLite database (it holds other data); it was not changed — give the "
                "path of the database file, or a new file name"
            )
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def schema_version(db: sqlite3.Connection) -> int:
    """The file's `PRAGMA user_version`."""
    row = db.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def _too_new(what: str, path: Path, found: int, known: int) -> str:
    return (
        f"{what} {path} has schema version {found}, but this frigate-privacy knows only up to {known}: "
        "it was written by a newer release; upgrade frigate-privacy (or restore a backup) instead of downgrading"
    )


def _use_wal(db: sqlite3.Connection, timeout: float) -> None:
    """Switch the file to WAL, waiting while another process opening the same new file switches it.

    SQLite's busy handler does not cover changing the journal mode: a second process doing it at the
    same moment gets "database is locked" at once. Once the other one is done, the file is in WAL already.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL").fetchone()
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _migrate(db: sqlite3.Connection, migrations: Sequence[Migration], what: str, path: Path) -> None:
    target = len(migrations)
    # IMMEDIATE takes the write lock before reading the version, so two processes never both migrate.
    db.execute("BEGIN IMMEDIATE")
    try:
        found = schema_version(db)
        if found > target:
            raise StorageError(_too_new(what, path, found, target))
        for number, step in enumerate(migrations[found:], start=found + 1):
            try:
                if isinstance(step, str):
                    for statement in _statements(step):
                        db.execute(statement)
                else:
                    step(db)
            except (sqlite3.Error, ValueError) as err:
                raise StorageError(
                    f"cannot migrate {what} {path} to schema version {number}: {err}; the file was left "
                    f"unchanged at version {found}"
                ) from None
        if found != target:
            db.execute(f"PRAGMA user_version = {int(target)}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def open_database(
    path: Path,
    migrations: Sequence[Migration],
    *,
    what: str,
    error: type[PrivacyError] = StorageError,
    read_only: bool = False,
    pragmas: Sequence[str] = (),
    timeout: float = 30.0,
) -> sqlite3.Connection:
    """Open (creating 0600 and migrating) the SQLite file of one store; failures raise `error` naming `what`.

    The connection is in autocommit mode (`isolation_level=None`: callers issue BEGIN IMMEDIATE for
    their own transactions) and may be shared between threads under the caller's lock. `read_only`
    never creates, migrates or changes the file and refuses one whose version differs from the code's.
    `pragmas` are statements such as `"PRAGMA foreign_keys=ON"` run on every open.
    """
    path = Path(path)
    target = len(migrations)
    db: sqlite3.Connection | None = None
    try:
        if read_only:
            if not path.exists():
                raise error(f"{what} {path} does not exist")
            uri = f"{path.resolve().as_uri()}?mode=ro"
            db = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False)
            found = schema_version(db)
            if found > target:
                raise error(_too_new(what, path, found, target))
            if found < target:
                raise error(
                    f"{what} {path} has schema version {found}, this release uses {target}; open it once with "
                    "write access (any command that writes to it) to migrate it, then read it again"
                )
        else:
            _create_private(path, what)
            db = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
            _use_wal(db, timeout)
        for pragma in pragmas:
            db.execute(pragma)
        if not read_only:
            _migrate(db, migrations, what, path)
    except PrivacyError as err:
        if db is not None:
            db.close()
        if isinstance(err, error):
            raise
        raise error(str(err)) from None
    except (OSError, sqlite3.Error, ValueError) as err:
        if db is not None:
            db.close()
        raise error(f"cannot open {what} {path}: {err}") from None
    return db
