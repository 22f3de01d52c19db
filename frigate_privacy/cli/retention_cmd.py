"""`frigate-privacy retention`: compare the retention policy with Frigate and (with --apply) enforce it."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from frigate_privacy.cli.policy_job import INCOMPLETE_EXIT, OPERATOR_ROLE, run_policy_job
from frigate_privacy.exit_codes import ExitCode
from frigate_privacy.policy.render import render_retention
from frigate_privacy.policy.retention import run_retention

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `retention` command."""
    p = sub.add_parser(
        "retention",
        help="plan (dry run) or --apply the retention policy against Frigate",
        description="Exit 0 when done, 13 when --apply could not finish (run it again), 15 when --apply lowered "
        "a setting that Frigate reads only at its next restart (add --restart).",
    )
    p.add_argument("--config", type=Path, required=True, help="frigate-privacy config file")
    p.add_argument("--apply", action="store_true", help="carry out the plan (default: only print it)")
    p.add_argument("--restart", action="store_true", help="with --apply: restart Frigate when a change needs it")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_retention)


def _retention(args: argparse.Namespace) -> int:
    report = run_policy_job(
        args,
        lambda cfg, client, audit, actor: run_retention(
            cfg, client, audit, time.time(), apply=args.apply, restart=args.restart, actor=actor, role=OPERATOR_ROLE
        ),
    )
    print(json.dumps(report.to_dict(), indent=2) if args.json else render_retention(report))
    if args.apply and not report.complete:
        return INCOMPLETE_EXIT
    # Like `audio`: a lowered retention that Frigate reads only at its next restart is not in effect yet.
    return ExitCode.PENDING_RESTART if report.pending_restart else ExitCode.OK
