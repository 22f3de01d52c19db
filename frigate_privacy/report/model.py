"""What the report says, as plain data: findings per camera and for the installation (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from frigate_privacy.report.gdpr import Article

__all__ = ["CameraSection", "ExportRow", "Finding", "Picture", "ReportData", "Status"]


class Status(StrEnum):
    """How a finding weighs; `violation` is what a data-protection officer must act on."""

    ok = "ok"
    info = "info"
    warning = "warning"
    violation = "violation"
    unknown = "unknown"
    """Could not be checked (the reason is in the detail): never shown as compliant."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the report: what was checked, the result, why it matters and how to fix it."""

    topic: str
    status: Status
    detail: str
    article: Article
    fix: str = ""


@dataclass(frozen=True, slots=True)
class Picture:
    """An embedded image (PNG or JPEG bytes) with its caption."""

    data: bytes
    mime: str
    caption: str


@dataclass(frozen=True, slots=True)
class CameraSection:
    """Everything the report says about one camera."""

    name: str
    findings: list[Finding]
    picture: Picture | None = None


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One of our redacted exports."""

    export_id: str
    camera: str
    created: float
    expires: float | None
    encrypted: bool
    path_exists: bool


@dataclass(frozen=True, slots=True)
class ReportData:
    """The whole report."""

    generated_at: float
    frigate_url: str
    frigate_version: str
    cameras: list[CameraSection]
    installation: list[Finding]
    """Exposures, exports and the audit chain: findings that are not about one camera."""
    exports: list[ExportRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, status: Status) -> int:
        """How many findings, over cameras and installation, have `status`."""
        every = [f for c in self.cameras for f in c.findings] + self.installation
        return sum(1 for f in every if f.status is status)
