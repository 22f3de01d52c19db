"""Where the service's audit log lives, and opening it with the service key."""

from __future__ import annotations

from pathlib import Path

from frigate_privacy.audit.log import AuditLog
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.crypto.signing import load_or_create_signing_key

__all__ = ["AUDIT_FILENAME", "audit_db_path", "open_audit_log"]

AUDIT_FILENAME = "audit.sqlite3"


def audit_db_path(config: PrivacyConfig) -> Path:
    """The configured audit database, by default `audit.sqlite3` in the data directory."""
    return config.audit.db_path or Path(config.storage.data_dir) / AUDIT_FILENAME


def open_audit_log(config: PrivacyConfig) -> AuditLog:
    """The service's audit log, ready to record (creates the key and the file on first use)."""
    signer = load_or_create_signing_key(config.storage.data_dir)
    return AuditLog(audit_db_path(config), signer, checkpoint_every=config.audit.checkpoint_every)
