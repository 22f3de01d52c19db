"""`frigate-privacy erase`: erase one data subject's footage, events, crops and exports, with a report."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from frigate_privacy.atrest.escrow import frigate_event_span, open_escrow_store
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.cli.policy_job import INCOMPLETE_EXIT, OPERATOR_ROLE, run_policy_job
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import InputError
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.policy.erasure import ErasureReport, run_erasure
from frigate_privacy.policy.plan_erasure import ErasureSelector
from frigate_privacy.policy.render import render_erasure
from frigate_privacy.times import TIME_HELP, time_arg

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `erase` command."""
    p = sub.add_parser("erase", help="erase a person's or a time range's data (dry run unless --apply)")
    p.add_argument("--config", type=Path, required=True, help="frigate-privacy config file")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--sub-label", help="a recognised person (Frigate sub label)")
    who.add_argument("--event", nargs="+", metavar="ID", help="one or more event ids")
    who.add_argument("--camera", help="a camera, with --start and --end")
    p.add_argument("--start", type=time_arg, help=f"range start, with --camera: {TIME_HELP}")
    p.add_argument("--end", type=time_arg, help=f"range end, with --camera: {TIME_HELP}")
    p.add_argument("--include-face-library", action="store_true", help="also delete the person's registered faces")
    p.add_argument("--apply", action="store_true", help="carry out the erasure (default: only print the plan)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_erase)


def _erase(args: argparse.Namespace) -> int:
    try:
        selector = ErasureSelector(
            sub_label=args.sub_label,
            event_ids=tuple(args.event or ()),
            camera=args.camera,
            start=args.start,
            end=args.end,
        )
    except ValueError as err:
        raise InputError(str(err)) from None

    def erase(cfg: PrivacyConfig, client: FrigateClient, audit: AuditLog | None, actor: str) -> ErasureReport:
        # Escrow copies made by at-rest masking are erased too (the erasure plan's escrow extension point).
        with open_escrow_store(cfg, frigate_event_span(client)) as escrow:
            return run_erasure(
                cfg,
                client,
                audit,
                selector,
                apply=args.apply,
                include_face_library=args.include_face_library,
                actor=actor,
                role=OPERATOR_ROLE,
                escrow=escrow,
            )

    report = run_policy_job(args, erase)
    print(json.dumps(report.to_dict(), indent=2) if args.json else render_erasure(report))
    return 0 if not args.apply or report.complete else INCOMPLETE_EXIT
