"""At-rest masking: which stored media is masked in place, when, how fast, and who can get the originals back."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from frigate_privacy.config.base import PrivacyBaseModel

__all__ = ["AtRestConfig", "AtRestSelect"]

AgeRecipient = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=200)]


class AtRestSelect(StrEnum):
    """Which recording segments of a `mask_at_rest` camera are masked."""

    all = "all"
    activity = "activity"


class AtRestConfig(PrivacyBaseModel):
    """Masking Frigate's stored media in place, for cameras whose policy sets `mask_at_rest`."""

    escrow_recipients: list[AgeRecipient] = Field(
        default_factory=list,
        title="Escrow recipients",
        description="age public keys (age1...) the originals are encrypted to before they are replaced; the "
        "matching secret keys stay offline. Required when any camera sets `mask_at_rest`.",
    )
    escrow_recipients_file: Path | None = Field(
        default=None,
        title="Escrow recipients file",
        description="A file of age public keys, one per line (`#` comments allowed), added to `escrow_recipients`.",
    )
    select: AtRestSelect = Field(
        default=AtRestSelect.activity,
        title="Segments",
        description="`activity`: only segments that overlap a tracked person (track store) or that Frigate's "
        "recordings API lists with active objects; `all`: every segment.",
    )
    delay_minutes: float = Field(
        default=10.0,
        ge=0.0,
        le=7 * 24 * 60,
        title="Delay",
        description="Mask a file only once it is this old, so live incident review still sees the original.",
    )
    settle_seconds: float = Field(
        default=30.0,
        ge=1.0,
        le=3600.0,
        title="Closed after",
        description="A file counts as closed once unmodified this long and open in no process on this host; "
        "Frigate's ffmpeg may still be writing younger ones.",
    )
    activity_padding_seconds: float = Field(
        default=5.0,
        ge=0.0,
        le=300.0,
        title="Activity padding",
        description="With `select: activity`, a segment this close to a tracked person counts as active "
        "(Frigate's boxes lag the recording).",
    )
    snapshots: bool = Field(
        default=True,
        title="Snapshots and thumbnails",
        description="Also mask event snapshots (`clips/<camera>-<id>.jpg`, `-clean.png`, `-clean.webp`), event "
        "thumbnails (`clips/thumbs/`) and review thumbnails (`clips/review/`).",
    )
    previews: bool = Field(
        default=True,
        title="Preview clips",
        description="Also mask the low-resolution preview clips (`clips/previews/<camera>/`).",
    )
    crf: int = Field(
        default=20,
        ge=0,
        le=51,
        title="CRF",
        description="x264 constant quality of masked segments (lower is better and bigger).",
    )
    max_size_ratio: float = Field(
        default=1.2,
        ge=0.5,
        le=4.0,
        title="Size cap",
        description="Caps the masked segment's bitrate at this multiple of the original's (x264 maxrate with a "
        "one-second buffer), so masking does not eat the disk Frigate's retention plans with.",
    )
    cpu_share: float = Field(
        default=0.5,
        ge=0.05,
        le=1.0,
        title="CPU share",
        description="Share of the machine's CPU all at-rest workers together may use; each worker rests after "
        "a job long enough to stay under its part.",
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        title="Workers",
        description="Local worker processes `frigate-privacy run` and `atrest run` start (`--workers` overrides).",
    )
    state_dir: Path | None = Field(
        default=None,
        title="State directory",
        description="Journal, escrow index and temp files. Must be on the same filesystem as the recordings and "
        "outside `recordings/`; empty uses `<media_root>/.frigate-privacy`, shared by every worker.",
    )
    escrow_dir: Path | None = Field(
        default=None,
        title="Escrow directory",
        description="Where encrypted originals are kept; empty uses `<state_dir>/escrow`.",
    )
    lease_seconds: float = Field(
        default=120.0,
        ge=10.0,
        le=3600.0,
        title="Job lease",
        description="A worker renews its claim on a file while it works; a claim not renewed this long (the "
        "worker died) is handed to another worker.",
    )
    scan_seconds: float = Field(
        default=60.0,
        ge=1.0,
        le=3600.0,
        title="Scan interval",
        description="How often the dispatcher scans for newly closed files; between scans it refills the broker "
        "every second, handing out again what a dead worker held once its lease ended.",
    )
    topic: str = Field(
        default="frigate-privacy/atrest/jobs",
        pattern=r"^[A-Za-z0-9_/-]+$",
        title="Job topic",
        description="MQTT topic jobs are published to; workers read it through the shared subscription "
        "`$share/frigate-privacy-atrest/<topic>` (MQTT 5).",
    )

    @field_validator("escrow_recipients")
    @classmethod
    def _public_keys_only(cls, keys: list[str]) -> list[str]:
        for key in keys:
            if key.upper().startswith("AGE-SECRET-KEY-1"):
                raise ValueError("escrow_recipients holds a secret key; give its public age1... key only")
            if not key.startswith("age1"):
                raise ValueError(f"escrow recipient {key[:12]!r}... is not an age public key (age1...)")
        return keys
