"""Give originals back from escrow to an authorised person: admins only, always audited."""

from __future__ import annotations

from pathlib import Path

from pyrage import x25519

from frigate_privacy.atrest.escrow import EscrowStore, RestoredFile
from frigate_privacy.atrest.journal import Journal
from frigate_privacy.atrest.workspace import workspace_for
from frigate_privacy.audit.actions import AuditAction, AuditResult
from frigate_privacy.audit.audited import audited
from frigate_privacy.audit.location import open_audit_log
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import InputError, PrivacyError

__all__ = ["ADMIN_ROLE", "EscrowDenied", "restore_escrow"]

ADMIN_ROLE = "admin"


class EscrowDenied(PrivacyError):
    """Only admins may have originals restored."""


def restore_escrow(
    cfg: PrivacyConfig,
    identities: list[x25519.Identity],
    camera: str,
    start: float,
    end: float,
    out_dir: Path,
    *,
    actor: str,
    role: str,
    reason: str = "",
) -> list[RestoredFile]:
    """Decrypt the escrow copies of `camera` overlapping [start, end] into `out_dir`; audited either way."""
    if end <= start:
        raise InputError("--end must be after --start")
    workspace = workspace_for(cfg)
    target = f"camera {camera} {start:.0f}-{end:.0f}"
    with open_audit_log(cfg) as log:
        if role != ADMIN_ROLE:
            log.record(
                actor=actor, role=role, action=AuditAction.escrow_restore, target=target,
                reason=reason or "restore", result=AuditResult.denied, camera=camera,
            )  # fmt: skip
            raise EscrowDenied(f"restoring originals from escrow needs the admin role (you have {role!r})")

        def work() -> list[RestoredFile]:
            if not workspace.journal_path.exists():
                raise InputError(f"no at-rest journal at {workspace.journal_path}: nothing has been escrowed here")
            with Journal(workspace.journal_path) as journal:
                records = journal.find_escrow(camera, start, end)
                if not records:
                    raise InputError(f"no escrow copies of camera {camera} between those times")
                return EscrowStore(journal, workspace.escrow_dir, workspace.media_root).restore(
                    records, identities, out_dir
                )

        return audited(
            log,
            actor=actor,
            role=role,
            action=AuditAction.escrow_restore,
            target=target,
            reason=reason or "restore",
            camera=camera,
            details={"start": start, "end": end},
            work=work,
            outcome=lambda restored: (
                AuditResult.success,
                {"files": len(restored), "bytes": sum(r.path.stat().st_size for r in restored)},
            ),
        )
