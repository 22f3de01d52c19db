"""`frigate-privacy audit`: verify the chain, show entries, sign a checkpoint now."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from frigate_privacy.audit.actions import AuditAction, AuditResult
from frigate_privacy.audit.actor import operator_actor
from frigate_privacy.audit.anchor import anchor_path, read_anchor
from frigate_privacy.audit.details import safe_text
from frigate_privacy.audit.errors import AuditIntegrityError
from frigate_privacy.audit.location import AUDIT_FILENAME
from frigate_privacy.audit.log import AuditLog, EntryFilter
from frigate_privacy.audit.verify import verify_log_file
from frigate_privacy.cli.keys_cmd import data_dir_from_args
from frigate_privacy.config import load_config
from frigate_privacy.crypto.signing import PublicKey, load_or_create_signing_key, load_signing_key, signing_key_path
from frigate_privacy.errors import InputError
from frigate_privacy.times import TIME_HELP, datetime_arg

__all__ = ["register"]


def _add_location(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--config", type=Path, help="config file (audit.db_path / storage.data_dir)")
    where.add_argument("--db", type=Path, help="audit database file")
    parser.add_argument("--data-dir", type=Path, help="data directory holding the signing key (with --db)")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `audit` command."""
    p = sub.add_parser("audit", help="the tamper-evident audit log")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    v = actions.add_parser("verify", help="check the hash chain and signatures; name the first bad entry")
    _add_location(v)
    v.add_argument("--public-key", help="trusted service key (ed25519:...), instead of the data dir's key file")
    v.add_argument(
        "--anchor",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="a copy of the anchor kept elsewhere (e.g. the retained frigate_privacy/audit/anchor message); repeatable",
    )
    v.set_defaults(func=_verify)
    s = actions.add_parser("show", help="list entries, filtered")
    _add_location(s)
    s.add_argument("--since", type=datetime_arg, help=f"entries at or after this time: {TIME_HELP}")
    s.add_argument("--until", type=datetime_arg, help=f"entries before this time: {TIME_HELP}")
    s.add_argument("--actor")
    s.add_argument("--action", dest="entry_action", metavar="ACTION")
    s.add_argument("--camera")
    s.add_argument("--limit", type=int)
    s.add_argument("--json", action="store_true", help="print a JSON array")
    s.set_defaults(func=_show)
    i = actions.add_parser(
        "init",
        help="create the audit log; with --force start a new one over a missing or damaged log (audited)",
        description="Without --force this only creates a log where none ever existed. With --force the old file "
        "(if any) is kept aside as <name>.replaced-<time>, and the new log's first entry records the old "
        "anchor (entry count and head hash) and who did it.",
    )
    _add_location(i)
    i.add_argument("--force", action="store_true", help="start a new log even though its anchor says one existed")
    i.set_defaults(func=_init)
    c = actions.add_parser("checkpoint", help="sign a checkpoint over the newest entry now")
    _add_location(c)
    c.set_defaults(func=_checkpoint)


def _db_path(args: argparse.Namespace) -> Path:
    if args.db is not None:
        return Path(args.db)
    if args.config is not None:
        cfg = load_config(args.config)
        return cfg.audit.db_path or Path(cfg.storage.data_dir) / AUDIT_FILENAME
    return data_dir_from_args(args) / AUDIT_FILENAME


def _trusted_key(args: argparse.Namespace) -> PublicKey | None:
    if args.public_key:
        return PublicKey.from_text(args.public_key)
    if args.db is not None and args.data_dir is None:
        return None
    path = signing_key_path(data_dir_from_args(args))
    return load_signing_key(path).public if path.exists() else None


def _verify(args: argparse.Namespace) -> int:
    path = _db_path(args)
    key = _trusted_key(args)
    report = verify_log_file(path, key, args.anchor)
    if not report.ok:
        first = report.first_problem
        others = "".join(f"\n  also: {p}" for p in sorted(report.problems) if p is not first)
        raise AuditIntegrityError(f"audit log {path} FAILED verification; first bad: {first}{others}")
    for entry in report.unfinished:
        print(
            f"warning: entry {entry.seq} ({entry.ts}): {entry.actor} {entry.action} {safe_text(entry.target, 120)!r} "
            "was started and never finished (killed or crashed, or still running)"
        )
    if report.anchor is None and report.entries:
        print("warning: no anchor file next to the log (written from the next audited action on)")
    if not report.trusted_key:
        print("warning: no trusted public key given; signatures were checked against the key stored in the log")
    print(
        f"audit log {path}: OK ({report.entries} entries, {report.checkpoints} checkpoints, "
        f"head at entry {report.last_seq})"
    )
    return 0


def _show(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        raise InputError("--limit must be at least 1")
    where = EntryFilter(
        since=args.since,
        until=args.until,
        actor=args.actor,
        action=args.entry_action,
        camera=args.camera,
        limit=args.limit,
    )
    with AuditLog(_db_path(args), signer=None) as log:
        entries = log.entries(where)
    if args.json:
        print(json.dumps([e.to_json() for e in entries], indent=2, ensure_ascii=False))
        return 0
    for e in entries:
        camera = e.camera or "-"
        print(f"{e.seq:>6} {e.ts} {e.actor}({e.role}) {e.action} {e.result} camera={camera} target={e.target!r}")
        details = f"  details: {safe_text(e.details, 8192)}" if e.details != "{}" else ""
        print(f"       reason: {safe_text(e.reason, 1000)}{details}")
    return 0


def _set_aside(path: Path) -> str | None:
    """Rename the old database (and its WAL files) out of the way; returns the new name, None if there was none."""
    if not path.exists():
        return None
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    moved = path.with_name(f"{path.name}.replaced-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        src = path.with_name(path.name + suffix)
        if src.exists():
            src.rename(moved.with_name(moved.name + suffix))
    return moved.name


def _init(args: argparse.Namespace) -> int:
    if args.db is not None and args.data_dir is None:
        raise InputError("with --db, also give --data-dir: the directory holding the service signing key")
    signer = load_or_create_signing_key(data_dir_from_args(args))
    path = _db_path(args)
    if not args.force:
        with AuditLog(path, signer) as log:  # refuses a missing or shortened log that has an anchor
            head = log.head()
        print(f"audit log {path}: ready ({head.seq if head else 0} entries)")
        return 0
    previous = read_anchor(anchor_path(path))
    moved = _set_aside(path)
    anchor_path(path).unlink(missing_ok=True)
    with AuditLog(path, signer) as log:
        log.record(
            actor=operator_actor(),
            role="admin",
            action=AuditAction.audit_init,
            target=path.name,
            reason="new audit log started with audit init --force",
            result=AuditResult.success,
            details={
                "previous_entries": previous.seq if previous is not None else None,
                "previous_head": previous.hash if previous is not None else None,
                "previous_file": moved or "missing",
            },
        )
    kept = f"; the old file is kept as {moved}" if moved else ""
    print(f"audit log {path}: new log started (the first entry records the old anchor){kept}")
    return 0


def _checkpoint(args: argparse.Namespace) -> int:
    if args.db is not None and args.data_dir is None:
        raise InputError("with --db, also give --data-dir: the directory holding the service signing key")
    signer = load_or_create_signing_key(data_dir_from_args(args))
    with AuditLog(_db_path(args), signer) as log:
        cp = log.checkpoint()
    print("the log is empty: nothing to sign" if cp is None else f"signed checkpoint at entry {cp.seq}")
    return 0
