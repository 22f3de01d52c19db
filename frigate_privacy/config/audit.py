"""Settings of the tamper-evident audit log."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from frigate_privacy.config.base import PrivacyBaseModel

__all__ = ["AuditConfig"]


class AuditConfig(PrivacyBaseModel):
    """Where the audit log lives and how often it is anchored by a signed checkpoint."""

    db_path: Path | None = Field(
        default=None,
        title="Database path",
        description="SQLite file of the audit log (created 0600); empty means `audit.sqlite3` in the data directory.",
    )
    checkpoint_every: int = Field(
        default=100,
        ge=1,
        le=100_000,
        title="Checkpoint interval",
        description="Sign a checkpoint over the chain head every this many entries (the head itself is "
        "re-signed on every entry).",
    )
