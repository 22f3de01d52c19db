"""The three user operations with their resources and audit entries: export, verify, decrypt.

The CLI (and later the service API) call these; they open the Frigate client, signing key, registry,
track store and audit log from the config, run the job, and record who did what, when and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pyrage import x25519

from frigate_privacy.audit.actions import AuditAction, AuditResult
from frigate_privacy.audit.audited import audited
from frigate_privacy.audit.details import safe_text
from frigate_privacy.audit.location import open_audit_log
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.crypto.signing import (
    PublicKey,
    load_or_create_signing_key,
    load_signing_key,
    signing_key_path,
)
from frigate_privacy.export.extract import extract_bundle
from frigate_privacy.export.job import EngineBuilder, ExportRequest, ExportResult, run_export
from frigate_privacy.export.registry import ExportRegistry, registry_path
from frigate_privacy.export.verify import VerifyReport, age_plaintext, verify_bundle
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.trackstore import TrackStore

__all__ = [
    "TRACK_STORE_FILENAME",
    "OpenRequest",
    "decrypt_export",
    "local_trusted_key",
    "make_export",
    "verify_export",
]

TRACK_STORE_FILENAME = "tracks.sqlite3"
# Problems quoted in a verify/decrypt entry: enough to see what failed, within the details size limit.
_AUDITED_PROBLEMS = 15


@dataclass(frozen=True)
class OpenRequest:
    """Who opens which export file, with what key, trusting which signers."""

    path: Path
    actor: str
    role: str
    identities: Sequence[x25519.Identity] = ()
    passphrase: str | None = None
    trusted: Sequence[PublicKey] = ()
    reason: str = "verify export"


def make_export(
    cfg: PrivacyConfig,
    req: ExportRequest,
    *,
    role: str,
    track_store: Path | None = None,
    models_dir: Path | None = None,
    engine_builder: EngineBuilder | None = None,
    client: FrigateClient | None = None,
) -> ExportResult:
    """Run one export against the configured Frigate and audit it (success or failure)."""
    data_dir = Path(cfg.storage.data_dir)
    signer = load_or_create_signing_key(data_dir)
    store_path = track_store or data_dir / TRACK_STORE_FILENAME
    span = req.span
    target = f"camera {req.camera}" + (f" {span.start:.0f}-{span.end:.0f}" if span is not None else "")
    details = {
        "legal_basis": req.legal_basis.value,
        "events": list(req.event_ids)[:50],
        "keep_events": list(req.keep_event_ids)[:50],
        "keep_sub_labels": list(req.keep_sub_labels)[:50],
        "encryption": "passphrase" if req.passphrase is not None else f"{len(req.recipients)} recipient(s)",
        "bodies": req.bodies,
    }
    own_client = client is None
    frigate = client or FrigateClient.from_config(cfg.frigate)
    with open_audit_log(cfg) as log, ExportRegistry(registry_path(data_dir)) as registry:
        store = TrackStore(store_path) if store_path.exists() else None
        try:
            return audited(
                log,
                actor=req.actor,
                role=role,
                action=AuditAction.export,
                target=target,
                reason=f"purpose: {req.purpose}; requester: {req.requester}",
                camera=req.camera,
                details=details,
                work=lambda: run_export(
                    cfg,
                    req,
                    frigate,
                    signer,
                    registry,
                    store=store,
                    engine_builder=engine_builder,
                    models_dir=models_dir,
                ),
                outcome=lambda r: (
                    AuditResult.success,
                    {"export_id": r.record.id, "size": r.record.size, "expires": r.manifest.expires},
                ),
            )
        finally:
            if store is not None:
                store.close()
            if own_client:
                frigate.close()


def local_trusted_key(data_dir: Path | None) -> PublicKey | None:
    """The local service's public key, when its data directory holds one (never created here)."""
    if data_dir is None or not signing_key_path(data_dir).exists():
        return None
    return load_signing_key(signing_key_path(data_dir)).public


def _audit_log(cfg: PrivacyConfig | None) -> AuditLog | None:
    return open_audit_log(cfg) if cfg is not None else None


def _open(req: OpenRequest, cfg: PrivacyConfig | None, action: AuditAction, out_dir: Path | None) -> VerifyReport:
    def work() -> VerifyReport:
        with age_plaintext(req.path, req.identities, req.passphrase) as opener:
            if out_dir is None:
                return verify_bundle(opener, req.trusted)
            return extract_bundle(opener, req.trusted, out_dir)

    log = _audit_log(cfg)
    if log is None:
        return work()
    with log:
        return audited(
            log,
            actor=req.actor,
            role=req.role,
            action=action,
            target=safe_text(req.path.name, 512),  # a file name may hold newlines or key-like text
            reason=req.reason,
            camera=None,
            details={"mode": "passphrase" if req.passphrase is not None else "identity"},
            work=work,
            outcome=lambda r: (
                AuditResult.success if r.ok else AuditResult.failure,
                {
                    "export_id": r.manifest.export_id if r.manifest is not None else None,
                    # Problems quote member names a crafted bundle chooses: made harmless and bounded.
                    "problems": [safe_text(p, 160) for p in r.problems[:_AUDITED_PROBLEMS]],
                    "problem_count": len(r.problems),
                },
            ),
        )


def verify_export(req: OpenRequest, cfg: PrivacyConfig | None) -> VerifyReport:
    """Verify an export file in a stream; audited when a config (audit log) is available."""
    return _open(req, cfg, AuditAction.verify, None)


def decrypt_export(req: OpenRequest, cfg: PrivacyConfig | None, out_dir: Path) -> VerifyReport:
    """Verify, and only then write the bundle's files into `out_dir`; audited like verify."""
    return _open(req, cfg, AuditAction.decrypt, out_dir)
