"""Gather the report's facts: Frigate's state judged against the policy, our masking, exports and audit.

Every check that cannot run becomes an `unknown` finding that says why; nothing unchecked is reported
as compliant.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import cv2
import numpy as np

from frigate_privacy.atrest.runner import AtRest
from frigate_privacy.audit.location import audit_db_path
from frigate_privacy.audit.verify import verify_log_file
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.crypto.signing import load_signing_key, signing_key_path
from frigate_privacy.errors import PrivacyError
from frigate_privacy.export.registry import ExportRegistry, registry_path
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import FrigateApiError
from frigate_privacy.policy.check import CameraVerdict, CheckReport, Verdict, run_check
from frigate_privacy.report.broker_probe import RetainedSnapshots, probe_retained_snapshots
from frigate_privacy.report.gdpr import Article
from frigate_privacy.report.model import CameraSection, ExportRow, Finding, Picture, ReportData, Status
from frigate_privacy.video.still import StillRedactor, mask_everything
from frigate_privacy.vision.types import Frame

__all__ = ["gather_report"]

logger = logging.getLogger(__name__)

_STATUS = {
    Verdict.ok: Status.ok,
    Verdict.info: Status.info,
    Verdict.warning: Status.warning,
    Verdict.violation: Status.violation,
}


def _audio(config_file: str, c: CameraVerdict) -> Finding:
    fix = f"frigate-privacy audio --config {config_file} --apply" if c.audio_verdict is Verdict.violation else ""
    detail = f"policy {c.audio_policy.value}, {c.audio_status.value}: {c.audio_detail}"
    return Finding("audio", _STATUS[c.audio_verdict], detail, Article.minimisation, fix)


def _retention(config_file: str, c: CameraVerdict) -> Finding:
    detail = c.retention_detail
    if c.retention_excess:
        detail += "; " + "; ".join(e.describe() for e in c.retention_excess)
    fix = (
        f"frigate-privacy retention --config {config_file} --apply" if c.retention_verdict is Verdict.violation else ""
    )
    return Finding("retention", _STATUS[c.retention_verdict], detail, Article.storage_limitation, fix)


def _frigate_masks(c: CameraVerdict) -> Finding:
    status = Status.info if (c.facts.motion_masks or c.facts.object_masks) else Status.ok
    return Finding("Frigate's own masks", status, c.masks_detail, Article.by_design)


def _masking(cfg: PrivacyConfig, camera: str) -> Finding:
    m = cfg.masking_for(camera)
    what = "faces and whole bodies" if m.bodies else "faces (heads of persons whose face is not found)"
    zones = f"static privacy zones: {', '.join(z.name for z in m.zones)}" if m.zones else "no static privacy zones"
    detail = f"live snapshots, live view and exports mask {what} with style {m.style}; {zones}"
    return Finding("our masking", Status.ok, detail, Article.by_design)


def _at_rest(cfg: PrivacyConfig, camera: str) -> Finding:
    if not cfg.policy_for(camera).mask_at_rest:
        return Finding(
            "masking at rest",
            Status.warning,
            "off: Frigate's UI, VOD and exports of this camera show unmasked recordings",
            Article.by_design,
            f"set policy.mask_at_rest: true for {camera} and give escrow recipients (docs/at-rest.md)",
        )
    detail = "on: stored recordings, snapshots and thumbnails are masked; originals only as age-encrypted escrow"
    return Finding("masking at rest", Status.ok, detail, Article.by_design)


def _pause(cfg: PrivacyConfig, camera: str) -> Finding:
    windows = [s for s in cfg.homeassistant.pause.schedules if not s.cameras or camera in s.cameras]
    if not windows:
        return Finding(
            "privacy pause", Status.info, "no schedule (the switch in Home Assistant still works)", Article.minimisation
        )
    text = "; ".join(f"{s.name}: {','.join(d.value for d in s.days)} {s.start}-{s.end}" for s in windows)
    toggles = ", ".join(t.value for t in cfg.homeassistant.pause.toggles)
    return Finding("privacy pause", Status.ok, f"{text} (turns off {toggles})", Article.minimisation)


def _zone_outlines(image: Frame, cfg: PrivacyConfig, camera: str) -> None:
    h, w = image.shape[:2]
    for zone in cfg.masking_for(camera).zones:
        pts = np.array([(round(x * w), round(y * h)) for x, y in zone.points], np.int32)
        cv2.polylines(image, [pts], isClosed=True, color=(0, 255, 255), thickness=max(2, w // 400))


def _picture(client: FrigateClient, cfg: PrivacyConfig, camera: str) -> tuple[Picture | None, Finding | None]:
    """Frigate's latest picture of the camera, masked by our engine, with the static zones outlined."""
    try:
        data = client.latest_jpeg(camera)
    except FrigateApiError as err:
        return None, Finding("masked snapshot", Status.unknown, f"no picture from Frigate: {err}", Article.by_design)
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if decoded is None:
        return None, Finding("masked snapshot", Status.unknown, "Frigate's latest.jpg is not a JPEG", Article.by_design)
    image: Frame = np.asarray(decoded, dtype=np.uint8)
    try:
        StillRedactor(cfg.masking_for(camera)).redact(image)
        caption = f"{camera}: Frigate's latest picture as our masking shows it (static zones outlined)"
    except PrivacyError as err:
        mask_everything(image)
        caption = f"{camera}: detection failed ({err}); the whole picture is masked, as the service would"
    _zone_outlines(image, cfg, camera)
    ok, png = cv2.imencode(".png", image)
    if not ok:
        return None, Finding("masked snapshot", Status.unknown, "could not encode the picture", Article.by_design)
    return Picture(png.tobytes(), "image/png", caption), None


def _exposures(report: CheckReport, retained: RetainedSnapshots | str) -> list[Finding]:
    exp = report.facts.exposure
    out = []
    if exp.config_readable_without_login:
        out.append(
            Finding(
                "Frigate API without login",
                Status.violation,
                f"{report.facts.url}/api/config answers without a login (full admin access to every recording)",
                Article.security,
                "connect through the authenticated port 8971 and close port 5000 to the network",
            )
        )
    if exp.open_port_reachable:
        out.append(
            Finding(
                "port 5000",
                Status.violation,
                f"{exp.open_port_url} (unauthenticated admin port) is reachable from this machine",
                Article.security,
                "do not publish port 5000 (docker compose: remove it from `ports:`)",
            )
        )
    if not out:
        out.append(Finding("Frigate API access", Status.ok, "no unauthenticated admin port found", Article.security))
    out.append(
        Finding(
            "Home Assistant notification proxy",
            Status.unknown,
            "not checked from here: unless disabled, the Frigate integration serves original snapshots and clips "
            "to anyone holding a notification link",
            Article.security,
            "disable 'Enable notification proxy' in the Frigate integration's options",
        )
    )
    if isinstance(retained, str):
        out.append(Finding("retained snapshots on the broker", Status.unknown, retained, Article.minimisation))
    elif retained.frigate:
        cams = ", ".join(sorted(retained.frigate))
        out.append(
            Finding(
                "retained snapshots on the broker",
                Status.warning,
                f"Frigate's unmasked snapshots are retained on the broker for: {cams} "
                f"({sum(retained.frigate.values())} message(s)); our masked copies: {sum(retained.ours.values())}",
                Article.minimisation,
                "restrict Frigate's topics with broker ACLs so only the service reads them; point Home Assistant "
                "at frigate_privacy/<camera>/<object>/snapshot",
            )
        )
    else:
        out.append(
            Finding(
                "retained snapshots on the broker", Status.ok, "no unmasked snapshot is retained", Article.minimisation
            )
        )
    return out


def _exports(cfg: PrivacyConfig, now: float) -> tuple[list[ExportRow], list[Finding]]:
    path = registry_path(cfg.storage.data_dir)
    if not path.exists():
        return [], [Finding("exports", Status.ok, "no export has been made", Article.security)]
    with ExportRegistry(path) as registry:
        records = registry.all()
    rows = [
        ExportRow(r.id, r.camera, r.created, r.expires, r.path.name.endswith(".age"), r.path.exists()) for r in records
    ]
    findings = []
    overdue = [r for r in records if r.expires <= now and r.path.exists()]
    plain = [r for r in rows if not r.encrypted]
    if plain:
        findings.append(Finding("exports", Status.violation, f"{len(plain)} export(s) not encrypted", Article.security))
    if overdue:
        findings.append(
            Finding(
                "export expiry",
                Status.violation,
                f"{len(overdue)} export(s) past their expiry still on disk",
                Article.storage_limitation,
                "frigate-privacy retention --config FILE --apply (or leave the service running: it removes them)",
            )
        )
    if not findings:
        detail = f"{len(rows)} export(s) on record, all age-encrypted with a signed manifest, each with an expiry"
        findings.append(Finding("exports", Status.ok, detail, Article.security))
    return rows, findings


def _audit(cfg: PrivacyConfig) -> Finding:
    path = audit_db_path(cfg)
    if not path.exists():
        return Finding("audit chain", Status.warning, f"no audit log at {path} yet", Article.accountability)
    key_path = signing_key_path(cfg.storage.data_dir)
    try:
        key = load_signing_key(key_path).public if key_path.exists() else None
        report = verify_log_file(path, key)
    except PrivacyError as err:
        return Finding("audit chain", Status.violation, f"cannot be verified: {err}", Article.accountability)
    if not report.ok:
        return Finding(
            "audit chain", Status.violation, f"FAILED: first bad entry {report.first_problem}", Article.accountability
        )
    detail = f"{report.entries} entries, hash chain and signatures verified"
    if report.unfinished:
        detail += f"; {len(report.unfinished)} action(s) started and never finished"
    return Finding("audit chain", Status.ok, detail, Article.accountability)


def _at_rest_backlog(cfg: PrivacyConfig) -> Finding | None:
    """The at-rest backlog over every camera masked at rest; None when no camera is."""
    if not any(cfg.policy_for(c).mask_at_rest for c in cfg.cameras):
        return None
    try:
        with AtRest(cfg, slot="report") as atrest:
            status = atrest.status()
    except PrivacyError as err:
        return Finding("at-rest backlog", Status.unknown, f"not known: {err}", Article.by_design)
    b = status.backlog
    detail = (
        f"{b.files} file(s) waiting to be masked ({b.footage_seconds / 60:.0f} min of footage); "
        f"{status.escrow_copies} escrow copies; {len(status.failed)} failed"
    )
    waiting = b.files > 0 or bool(status.failed)
    return Finding("at-rest backlog", Status.warning if waiting else Status.ok, detail, Article.by_design)


def gather_report(
    cfg: PrivacyConfig,
    config_file: str,
    *,
    pictures: bool = True,
    broker_probe: Callable[[PrivacyConfig], RetainedSnapshots] = probe_retained_snapshots,
    now: float | None = None,
) -> ReportData:
    """Everything the report shows; raises FrigateConnectionError only when Frigate cannot be reached at all."""
    now = time.time() if now is None else now
    check = run_check(cfg)
    try:
        retained: RetainedSnapshots | str = broker_probe(cfg)
    except PrivacyError as err:
        retained = f"not checked: {err}"
    backlog = _at_rest_backlog(cfg)
    sections = []
    with FrigateClient.from_config(cfg.frigate) as client:
        for c in check.cameras:
            findings = [_audio(config_file, c), _retention(config_file, c), _frigate_masks(c), _masking(cfg, c.name)]
            findings += [_at_rest(cfg, c.name), _pause(cfg, c.name)]
            picture = None
            if pictures:
                picture, problem = _picture(client, cfg, c.name)
                if problem is not None:
                    findings.append(problem)
            sections.append(CameraSection(c.name, findings, picture))
    rows, export_findings = _exports(cfg, now)
    installation = _exposures(check, retained) + ([backlog] if backlog else []) + export_findings + [_audit(cfg)]
    return ReportData(
        generated_at=now,
        frigate_url=check.facts.url,
        frigate_version=str(check.facts.version),
        cameras=sections,
        installation=installation,
        exports=rows,
        notes=list(check.notes),
    )
