"""The signed manifest of an export bundle: what it shows, why, for whom, and the hash of every file."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from frigate_privacy.config.export import LegalBasis

__all__ = [
    "MANIFEST_FORMAT",
    "FileEntry",
    "KeptSubject",
    "LegalBasis",
    "Manifest",
    "VideoInfo",
    "manifest_bytes",
    "parse_manifest",
]

MANIFEST_FORMAT = "frigate-privacy-export/1"


LEGAL_BASIS_TEXT = {
    LegalBasis.subject_access: "GDPR Art. 15 subject access request",
    LegalBasis.legal_obligation: "GDPR Art. 6(1)(c) legal obligation",
    LegalBasis.legal_claims: "GDPR Art. 6(1)(f) establishment, exercise or defence of legal claims",
    LegalBasis.vital_interests: "GDPR Art. 6(1)(d) vital interests",
    LegalBasis.consent: "GDPR Art. 6(1)(a) consent",
    LegalBasis.other: "other (see purpose)",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FileEntry(_Strict):
    """One file of the bundle as the manifest vouches for it."""

    name: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)


class KeptSubject(_Strict):
    """A subject left visible, how it was identified and in how many frames it really stayed unmasked."""

    event_id: str
    sub_label: str | None = None
    keyframes: int
    keyframe_source: str
    """`track store` (MQTT), `api` (timeline backfill) or both."""
    visible_frames: int
    ambiguous_frames: int
    """Frames where the match was unsure, so the subject was masked."""


class VideoInfo(_Strict):
    """The redacted video."""

    file: str
    container: str
    codec: str
    width: int
    height: int
    frames: int
    audio: bool


class Manifest(_Strict):
    """Everything `manifest.json` holds."""

    format: str = MANIFEST_FORMAT
    export_id: str
    camera: str
    start: str
    end: str
    start_unix: float
    end_unix: float
    clip_origin_unix: float
    """Unix time of the video's second 0: its first frame (frames before the requested start are dropped)."""
    first_frame_unix: float | None = None
    """Real time of the first frame, from its timestamp against the recording segments (None: older bundles)."""
    last_frame_unix: float | None = None
    """Real time of the last frame."""
    event_ids: list[str]
    requester: str
    purpose: str
    legal_basis: LegalBasis
    legal_basis_text: str
    actor: str
    created: str
    expires: str
    plugin_version: str
    frigate_version: str
    masking: dict[str, Any]
    kept_subjects: list[KeptSubject]
    video: VideoInfo
    signing_key: str
    """`ed25519:<base64>`; the bundle also carries it as PEM."""
    files: list[FileEntry]


def manifest_bytes(manifest: Manifest) -> bytes:
    """The exact bytes written and signed (sorted keys, two-space indent, trailing newline)."""
    return (json.dumps(manifest.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def parse_manifest(data: bytes) -> Manifest:
    """Parse `manifest.json`; ValueError with a short reason when it is not a valid manifest."""
    try:
        return Manifest.model_validate_json(data)
    except ValidationError as err:
        where = ", ".join(".".join(str(p) for p in e["loc"]) for e in err.errors()[:5])
        raise ValueError(f"not a valid manifest ({err.error_count()} problem(s): {where})") from None
