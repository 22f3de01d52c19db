"""`frigate-privacy atrest run|status`: mask Frigate's stored media in place, originals to escrow."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from frigate_privacy.config import load_config
from frigate_privacy.exit_codes import ExitCode

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `atrest` command."""
    p = sub.add_parser("atrest", help="mask stored recordings, snapshots and previews in place (mask_at_rest)")
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    verbs.required = True
    run = verbs.add_parser("run", help="work the backlog, newest first (until stopped, or --once)")
    run.add_argument("--config", type=Path, required=True, help="frigate-privacy config file")
    run.add_argument("--once", action="store_true", help="one pass in this process, without the broker, then exit")
    run.add_argument("--workers", type=int, default=None, help="local worker processes (default: atrest.workers)")
    run.add_argument(
        "--no-dispatch",
        action="store_true",
        help="only work jobs from the broker (a second machine with the same media mount)",
    )
    run.set_defaults(func=_run)
    worker = verbs.add_parser("worker", help=argparse.SUPPRESS)  # one worker process, started by `run`
    worker.add_argument("--config", type=Path, required=True)
    worker.add_argument("--workers", type=int, default=1)
    worker.add_argument("--slot", default="w0")
    worker.set_defaults(func=_worker)
    status = verbs.add_parser("status", help="journal counts, backlog, escrow size, face library")
    status.add_argument("--config", type=Path, required=True, help="frigate-privacy config file")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(func=_status)


def _run(args: argparse.Namespace) -> int:
    from frigate_privacy.atrest.runner import AtRest

    cfg = load_config(args.config)
    if args.once:
        with AtRest(cfg) as atrest:
            counts = atrest.run_pass()
        print("at-rest pass: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing due"))
        return ExitCode.OK if not counts.get("failed") else ExitCode.ERROR
    from frigate_privacy.atrest.broker import run_fleet

    workers = args.workers if args.workers is not None else cfg.atrest.workers
    return run_fleet(args.config, cfg, workers=workers, dispatch=not args.no_dispatch)


def _worker(args: argparse.Namespace) -> int:
    from frigate_privacy.atrest.broker import run_worker

    return run_worker(load_config(args.config), slot=args.slot, workers=args.workers)


def _status(args: argparse.Namespace) -> int:
    from frigate_privacy.atrest.runner import AtRest

    cfg = load_config(args.config)
    with AtRest(cfg, slot="status") as atrest:
        status = atrest.status()
    if args.json:
        print(json.dumps(asdict(status), indent=2))
        return 0
    print(f"cameras masked at rest: {', '.join(status.cameras) or '(none: no camera sets policy.mask_at_rest)'}")
    print("journal: " + (", ".join(f"{k} {v}" for k, v in sorted(status.states.items())) or "empty"))
    b = status.backlog
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(b.by_kind.items()))
    print(f"backlog: {b.files} files ({kinds or 'none'}), {b.bytes / 1e6:.1f} MB, {b.footage_seconds / 60:.1f} min")
    print(f"escrow: {status.escrow_copies} copies, {status.escrow_bytes / 1e6:.1f} MB")
    lib = status.face_library
    print(f"face library (left alone, your choice for face recognition): {lib.folders} people, {lib.files} images")
    for rel, error in status.failed:
        print(f"failed: {rel}: {error}")
    return 0
