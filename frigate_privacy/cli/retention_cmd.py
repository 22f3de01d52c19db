"""`frigate-privacy retention`: compare the retention policy with Frigate and (with --apply) enforce it."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from frigate_privacy.audit.location import open_audit_log
from frigate_privacy.config import load_config
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.policy.actor import operator_actor
from frigate_privacy.policy.render import render_retention
from frigate_privacy.policy.retention import run_retention

__all__ = ["register"]

# Exit code when --apply could not finish (Frigate went down halfway): run the command again.
INCOMPLETE = 7


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `retention` command."""
    p = sub.add_parser("retention", help="plan (dry run) or --apply the retention policy against Frigate")
    p.add_argument("--config", type=Path, required=True, help="frigate-privacy config file")
    p.add_argument("--apply", action="store_true", help="carry out the plan (default: only print it)")
    p.add_argument("--restart", action="store_true", help="with --apply: restart Frigate when a change needs it")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_retention)


def _retention(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    audit = open_audit_log(cfg) if args.apply else None
    try:
        with FrigateClient.from_config(cfg.frigate) as client:
            report = run_retention(
                cfg,
                client,
                audit,
                time.time(),
                apply=args.apply,
                restart=args.restart,
                actor=operator_actor(),
                role="admin",
            )
    finally:
        if audit is not None:
            audit.close()
    print(json.dumps(report.to_dict(), indent=2) if args.json else render_retention(report))
    return 0 if not args.apply or report.complete else INCOMPLETE
