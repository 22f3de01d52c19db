"""Users of our API and their tokens, in SQLite. Only a hash of each token is stored.

A token reads `fpt_<id>_<secret>`: the id finds the row, the SHA-256 of the whole token is compared with
the stored hash in constant time. The secret has 256 random bits, so a fast hash is enough (a slow
password hash protects low-entropy secrets; it adds nothing here but latency on every request).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from frigate_privacy.config.api import ApiRole
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import InputError, StorageError
from frigate_privacy.storage.sqlite import open_database

__all__ = ["USERS_FILENAME", "ApiUser", "UserStore", "UserStoreError", "users_db_path"]

USERS_FILENAME = "users.sqlite3"
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_CAMERA = re.compile(r"^[a-zA-Z0-9_-]+$")
_TOKEN = re.compile(r"^fpt_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$")

# Each step upgrades a database from its index's version to the next (PRAGMA user_version).
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        cameras TEXT,
        token_id TEXT NOT NULL UNIQUE,
        token_hash TEXT NOT NULL,
        created REAL NOT NULL,
        revoked REAL
    );
    """,
)


class UserStoreError(StorageError):
    """The users database cannot be opened or written."""


@dataclass(frozen=True)
class ApiUser:
    """One user: a name, a role and optionally the only cameras they may see."""

    name: str
    role: ApiRole
    cameras: frozenset[str] | None
    created: float
    revoked: float | None = None

    @property
    def active(self) -> bool:
        """Whether the user's token still works."""
        return self.revoked is None


def users_db_path(config: PrivacyConfig) -> Path:
    """The configured users database, by default `users.sqlite3` in the data directory."""
    return config.api.users_db or Path(config.storage.data_dir) / USERS_FILENAME


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def check_user_name(name: str) -> str:
    """`name` if it is a valid user name, else InputError."""
    if not _NAME.match(name):
        raise InputError(f"user name {name!r} is not valid: use 1-64 letters, digits and _ . @ -")
    return name


def _check_cameras(cameras: Iterable[str] | None) -> list[str] | None:
    if cameras is None:
        return None
    names = sorted(set(cameras))
    bad = [c for c in names if not _CAMERA.match(c)]
    if bad or not names:
        raise InputError(f"camera names must be Frigate names (letters, digits, _ and -), got {bad or 'none'}")
    return names


class UserStore:
    """The users table. Thread-safe; every API request reads it, `users` commands write it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        # open_database creates the file 0600 (it holds token hashes) and applies _MIGRATIONS.
        self._db = open_database(self.path, _MIGRATIONS, what="users database", error=UserStoreError)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> UserStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, name: str, role: ApiRole, cameras: Iterable[str] | None = None) -> tuple[ApiUser, str]:
        """Create a user (or replace a revoked one) and return it with its token, shown only this once."""
        check_user_name(name)
        limited = _check_cameras(cameras)
        token_id = secrets.token_hex(6)
        token = f"fpt_{token_id}_{secrets.token_urlsafe(32)}"
        now = time.time()
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                row = self._db.execute("SELECT revoked FROM users WHERE name = ?", (name,)).fetchone()
                if row is not None and row[0] is None:
                    self._db.execute("ROLLBACK")
                    raise InputError(f"user {name!r} exists; revoke it first (`frigate-privacy users revoke {name}`)")
                self._db.execute(
                    "INSERT OR REPLACE INTO users (name, role, cameras, token_id, token_hash, created, revoked) "
                    "VALUES (?, ?, ?, ?, ?, ?, NULL)",
                    (name, role.value, json.dumps(limited) if limited else None, token_id, _hash(token), now),
                )
                self._db.execute("COMMIT")
            except sqlite3.Error as err:
                self._db.execute("ROLLBACK")
                raise UserStoreError(f"cannot write the users database {self.path}: {err}") from None
        return ApiUser(name, role, frozenset(limited) if limited else None, now), token

    def revoke(self, name: str) -> ApiUser:
        """Revoke a user's token at once; the row stays for the record."""
        with self._lock:
            cur = self._db.execute(
                "UPDATE users SET revoked = ?, token_hash = '' WHERE name = ? AND revoked IS NULL", (time.time(), name)
            )
        if cur.rowcount == 0:
            raise InputError(f"no active user {name!r} (see `frigate-privacy users list`)")
        user = self.get(name)
        assert user is not None
        return user

    def get(self, name: str) -> ApiUser | None:
        """One user, active or revoked."""
        with self._lock:
            row = self._db.execute(
                "SELECT name, role, cameras, created, revoked FROM users WHERE name = ?", (name,)
            ).fetchone()
        return _user(row) if row is not None else None

    def list(self) -> list[ApiUser]:
        """Every user, by name."""
        with self._lock:
            rows = self._db.execute("SELECT name, role, cameras, created, revoked FROM users ORDER BY name").fetchall()
        return [_user(row) for row in rows]

    def authenticate(self, token: str) -> ApiUser | None:
        """The active user holding `token`, or None. The hash comparison takes constant time."""
        match = _TOKEN.match(token)
        if match is None:
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT name, role, cameras, created, revoked, token_hash FROM users WHERE token_id = ?",
                (match.group(1),),
            ).fetchone()
        # Compare even when no row matched, so a wrong id costs the same as a wrong secret.
        stored = row[5] if row is not None and row[4] is None else "0" * 64
        ok = hmac.compare_digest(_hash(token), stored)
        return _user(row[:5]) if ok and row is not None and row[4] is None else None


def _user(row: tuple[object, ...]) -> ApiUser:
    name, role, cameras, created, revoked = row
    limited = frozenset(json.loads(str(cameras))) if cameras else None
    return ApiUser(
        str(name),
        ApiRole(str(role)),
        limited,
        float(created),  # type: ignore[arg-type]
        None if revoked is None else float(revoked),  # type: ignore[arg-type]
    )
