"""`frigate-privacy export | verify | decrypt`: redacted, encrypted, signed exports."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from frigate_privacy.audit.actor import NAME_RULE, actor_arg, operator_actor, role_arg
from frigate_privacy.cli.redact_cmd import _load_zones
from frigate_privacy.config import load_config
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.crypto.age_keys import load_identities, load_recipients
from frigate_privacy.crypto.errors import EncryptionModeError
from frigate_privacy.crypto.passphrase import generate_passphrase
from frigate_privacy.crypto.signing import PublicKey
from frigate_privacy.errors import InputError
from frigate_privacy.export.errors import VerificationFailed
from frigate_privacy.export.job import ExportRequest
from frigate_privacy.export.manifest import LegalBasis
from frigate_privacy.export.operations import OpenRequest, decrypt_export, local_trusted_key, make_export, verify_export
from frigate_privacy.export.secret_input import read_passphrase
from frigate_privacy.export.times import TimeRange
from frigate_privacy.export.verify import VerifyReport
from frigate_privacy.times import TIME_HELP, time_arg

__all__ = ["register"]


def _who(parser: argparse.ArgumentParser, default_role: str) -> None:
    parser.add_argument(
        "--actor",
        type=actor_arg,
        default=None,
        help=f"who is doing this, for the audit log ({NAME_RULE}; default: cli:<OS user>)",
    )
    parser.add_argument(
        "--role", type=role_arg, default=default_role, help=f"the actor's role for the audit log ({default_role})"
    )


def _passphrase_args(parser: argparse.ArgumentParser, verb: str) -> None:
    parser.add_argument("--passphrase", action="store_true", help=f"{verb} with a passphrase (asked on the terminal)")
    parser.add_argument("--passphrase-env", metavar="VAR", help="read the passphrase from this environment variable")
    parser.add_argument("--passphrase-fd", metavar="N", type=int, help="read the passphrase from file descriptor N")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `export`, `verify` and `decrypt` commands."""
    p = sub.add_parser(
        "export",
        help="redacted, encrypted, signed export of a time range or events",
        description="Streams the clip from Frigate, masks everyone but the kept subjects, strips audio, and "
        "writes one age-encrypted bundle (video, signed manifest, public key). No plaintext touches the disk.",
    )
    p.add_argument("--config", type=Path, required=True, help="frigate-privacy config file")
    p.add_argument("--camera", required=True, help="Frigate camera name")
    p.add_argument("--start", type=time_arg, help=f"start of the range: {TIME_HELP}")
    p.add_argument("--end", type=time_arg, help=f"end of the range: {TIME_HELP}")
    p.add_argument("--event", action="append", default=[], metavar="ID", help="export this event's span (padded)")
    p.add_argument("--recipient", action="append", default=[], metavar="AGE1", help="age public key (repeatable)")
    p.add_argument("--recipient-file", action="append", default=[], type=Path, help="file of age public keys")
    _passphrase_args(p, "encrypt")
    p.add_argument("--generate-passphrase", action="store_true", help="encrypt with a new passphrase, printed once")
    p.add_argument("--requester", required=True, help="who asked for the footage")
    p.add_argument("--purpose", required=True, help="why, e.g. 'subject access request 2026-17'")
    p.add_argument(
        "--legal-basis",
        required=True,
        choices=[b.value for b in LegalBasis],
        help="legal basis of the disclosure (see docs/exports.md)",
    )
    p.add_argument("--keep-visible", action="append", default=[], metavar="EVENT_ID", help="leave this subject visible")
    p.add_argument(
        "--keep-visible-sub-label", action="append", default=[], metavar="NAME", help="leave this person visible"
    )
    p.add_argument("--bodies", action="store_true", help="also mask whole bodies of everyone else")
    p.add_argument("--zones", type=Path, help="YAML file of extra privacy zones for this export")
    p.add_argument("--track-store", type=Path, help="track store file (default: tracks.sqlite3 in the data dir)")
    p.add_argument("--models-dir", type=Path, help="directory with model files, searched before the cache")
    _who(p, "admin")
    p.add_argument("--json", action="store_true", help="machine-readable output (one JSON object on stdout)")
    p.set_defaults(func=_export)

    for name, verb in (("verify", "verify"), ("decrypt", "decrypt")):
        q = sub.add_parser(
            name,
            help=f"{verb} an export: signature, signer and every file's hash"
            + (", then write its files" if name == "decrypt" else ""),
        )
        q.add_argument("file", type=Path, metavar="FILE.fpx.age")
        q.add_argument("--identity", "-i", action="append", default=[], type=Path, help="age identity file")
        _passphrase_args(q, "decrypt")
        q.add_argument("--trusted-key", action="append", default=[], metavar="ed25519:...", help="expected signing key")
        where = q.add_mutually_exclusive_group()
        where.add_argument("--config", type=Path, help="config: trusts its service key and writes the audit entry")
        where.add_argument("--data-dir", type=Path, help="data directory whose service key is trusted")
        q.add_argument("--reason", default=f"{verb} export", help="why, for the audit log")
        if name == "decrypt":
            q.add_argument("-o", "--output", type=Path, required=True, help="directory for the files (0600)")
        _who(q, "admin")
        q.add_argument("--json", action="store_true", help="machine-readable output (one JSON object on stdout)")
        q.set_defaults(func=_verify if name == "verify" else _decrypt)


def _actor(args: argparse.Namespace) -> str:
    return str(args.actor or operator_actor())


def _uses_passphrase(args: argparse.Namespace) -> bool:
    return bool(args.passphrase or args.passphrase_env or args.passphrase_fd is not None)


def _export(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    recipients = load_recipients(args.recipient, args.recipient_file)
    if args.generate_passphrase and _uses_passphrase(args):
        raise EncryptionModeError("--generate-passphrase and --passphrase exclude each other")
    if recipients and (args.generate_passphrase or _uses_passphrase(args)):
        raise EncryptionModeError(
            "an age file is protected either by a passphrase or by public-key recipients, not both; choose one"
        )
    passphrase: str | None = None
    if args.generate_passphrase:
        passphrase = generate_passphrase()
    elif _uses_passphrase(args):
        passphrase = read_passphrase(env=args.passphrase_env, fd=args.passphrase_fd, confirm=True, enforce_rules=True)
    span = None
    if args.start is not None or args.end is not None:
        if args.start is None or args.end is None:
            raise InputError("give both --start and --end")
        span = TimeRange(args.start, args.end)
    zones = tuple(_load_zones(args.zones)) if args.zones else ()
    req = ExportRequest(
        camera=args.camera,
        span=span,
        requester=args.requester,
        purpose=args.purpose,
        legal_basis=LegalBasis(args.legal_basis),
        actor=_actor(args),
        event_ids=tuple(args.event),
        keep_event_ids=tuple(args.keep_visible),
        keep_sub_labels=tuple(args.keep_visible_sub_label),
        bodies=args.bodies,
        extra_zones=zones,
        recipients=recipients,
        passphrase=passphrase,
    )
    result = make_export(cfg, req, role=args.role, track_store=args.track_store, models_dir=args.models_dir)
    m = result.manifest
    if args.json:
        body: dict[str, Any] = {
            "export_id": m.export_id,
            "path": str(result.path),
            "size": result.record.size,
            "camera": m.camera,
            "start": m.start,
            "end": m.end,
            "expires": m.expires,
            "frames": m.video.frames,
            "audio": "stripped",
            "kept_subjects": [s.event_id for s in m.kept_subjects],
        }
        if args.generate_passphrase:
            body["passphrase"] = passphrase  # shown only this once, as in the text output
        print(json.dumps(body, indent=2))
        return 0
    print(f"export {m.export_id}: {result.path} ({result.record.size} bytes, expires {m.expires})")
    print(f"  {m.video.frames} frames, audio stripped; kept visible: {len(m.kept_subjects)} subject(s)")
    if args.generate_passphrase:
        print(f"passphrase (shown only this once; store it safely): {passphrase}")
    return 0


def _open_request(args: argparse.Namespace) -> tuple[OpenRequest, PrivacyConfig | None]:
    cfg = load_config(args.config) if args.config else None
    data_dir = Path(cfg.storage.data_dir) if cfg is not None else args.data_dir
    trusted = [PublicKey.from_text(text) for text in args.trusted_key]
    local = local_trusted_key(data_dir)
    if local is not None:
        trusted.append(local)
    identities = load_identities(args.identity) if args.identity else []
    passphrase = None
    if _uses_passphrase(args):
        passphrase = read_passphrase(env=args.passphrase_env, fd=args.passphrase_fd, confirm=False, enforce_rules=False)
    req = OpenRequest(
        path=args.file,
        actor=_actor(args),
        role=args.role,
        identities=identities,
        passphrase=passphrase,
        trusted=trusted,
        reason=args.reason,
    )
    return req, cfg


class _ReportedFailure(VerificationFailed):
    """A failed verification whose report is already on stdout as JSON (the CLI adds no second object)."""

    json_reported = True


def _report_json(report: VerifyReport, output: Path | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ok": report.ok,
        "problems": list(report.problems),
        "signer": report.signer.fingerprint if report.signer is not None else None,
        "files": [{"name": f.name, "sha256": f.sha256, "size": f.size} for f in report.files],
        "manifest": report.manifest.model_dump(mode="json") if report.manifest is not None else None,
    }
    if output is not None:
        body["output"] = str(output) if report.ok else None
    return body


def _print_report(report: VerifyReport, as_json: bool = False, output: Path | None = None) -> None:
    if as_json:
        # The report goes out even for a failed check (scripts read `problems`); the exit code still says so.
        print(json.dumps(_report_json(report, output), indent=2))
        if not report.ok:
            raise _ReportedFailure(report.problems)
        return
    if not report.ok:
        raise VerificationFailed(report.problems)
    m = report.manifest
    assert m is not None and report.signer is not None
    print(f"verified: export {m.export_id}, camera {m.camera}, {m.start} to {m.end}")
    print(f"  signed by {report.signer.fingerprint}; {len(report.files)} file(s), every hash matches")


def _verify(args: argparse.Namespace) -> int:
    req, cfg = _open_request(args)
    _print_report(verify_export(req, cfg), args.json)
    return 0


def _decrypt(args: argparse.Namespace) -> int:
    req, cfg = _open_request(args)
    report = decrypt_export(req, cfg, args.output)
    _print_report(report, args.json, args.output)
    if not args.json:
        print(f"  files written to {args.output}", file=sys.stdout)
    return 0
