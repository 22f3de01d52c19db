"""Settings of redacted exports: where they are stored, when they expire, how kept subjects are matched."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field

from frigate_privacy.config.base import PrivacyBaseModel

__all__ = ["ExportConfig", "KeepMatchConfig", "LegalBasis"]


class LegalBasis(StrEnum):
    """Why the footage may be disclosed (GDPR Art. 6/15); stated explicitly by the exporter (kept in the manifest)."""

    subject_access = "subject-access"
    """Art. 15: the data subject asks for footage of themselves."""
    legal_obligation = "legal-obligation"
    """Art. 6(1)(c): a court order or a legal duty to disclose (e.g. to police)."""
    legal_claims = "legal-claims"
    """Art. 6(1)(f) with Art. 17(3)(e)/21: establishing or defending legal claims (e.g. an insurer)."""
    vital_interests = "vital-interests"
    """Art. 6(1)(d): protecting someone's life."""
    consent = "consent"
    """Art. 6(1)(a): everyone visible consented."""
    other = "other"
    """Anything else; explain it in the purpose."""


class KeepMatchConfig(PrivacyBaseModel):
    """How a subject chosen to stay visible is matched to the detector's tracks; every doubt masks."""

    max_keyframe_gap: float = Field(
        default=2.0,
        gt=0,
        le=60,
        title="Maximum keyframe gap",
        description="Seconds between a frame and Frigate's nearest box for the subject; further away the "
        "subject is masked (Frigate reports boxes sparsely, a stationary person only every ~60 s).",
    )
    min_overlap: float = Field(
        default=0.5,
        ge=0.1,
        le=1.0,
        title="Minimum overlap",
        description="Share of a mask region that must lie inside the subject's expected head or body area.",
    )
    min_track_agreement: float = Field(
        default=0.8,
        ge=0.5,
        le=1.0,
        title="Minimum track agreement",
        description="Share of a detector track's frames so far that matched the subject; a track that "
        "also followed someone else is masked.",
    )
    box_padding: float = Field(
        default=0.1,
        ge=0.0,
        le=1.0,
        title="Box padding",
        description="Frigate's box grown by this share of its size per side (boxes lag the recording).",
    )


class ExportConfig(PrivacyBaseModel):
    """Redacted, encrypted, signed exports."""

    dir: Path | None = Field(
        default=None,
        title="Export directory",
        description="Where `.fpx.age` files are written (0700); empty means `exports` in the data directory. "
        "Never inside Frigate's media tree (Frigate registers every file in its exports folder).",
    )
    expiry_days: float = Field(
        default=30.0,
        gt=0,
        le=3650,
        title="Expiry",
        description="Days until an export is due for deletion by the retention engine.",
    )
    event_padding: float = Field(
        default=5.0,
        ge=0,
        le=300,
        title="Event padding",
        description="Seconds added before and after an event's span when exporting by `--event`.",
    )
    max_seconds: float = Field(
        default=4 * 3600.0,
        gt=0,
        le=48 * 3600.0,
        title="Longest export",
        description="Longest time range one export may cover, in seconds.",
    )
    keep: KeepMatchConfig = Field(
        default_factory=KeepMatchConfig,
        title="Keep-visible matching",
        description="How `--keep-visible` subjects are matched to detected people.",
    )
