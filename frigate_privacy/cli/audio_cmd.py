"""`frigate-privacy audio`: check each camera's recordings for audio and (with --apply) switch it off."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from frigate_privacy.cli.policy_job import OPERATOR_ROLE, run_policy_job
from frigate_privacy.errors import PolicyViolation
from frigate_privacy.policy.audio import run_audio
from frigate_privacy.policy.render import render_audio

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `audio` command."""
    p = sub.add_parser("audio", help="check audio in recordings against `audio: forbid`; --apply switches it off")
    p.add_argument("--config", type=Path, required=True, help="frigate-privacy config file")
    p.add_argument("--apply", action="store_true", help="set audio-free record args through config/set")
    p.add_argument("--restart", action="store_true", help="with --apply: restart Frigate when the change needs it")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_audio)


def _audio(args: argparse.Namespace) -> int:
    report = run_policy_job(
        args,
        lambda cfg, client, audit, actor: run_audio(
            cfg, client, audit, time.time(), apply=args.apply, restart=args.restart, actor=actor, role=OPERATOR_ROLE
        ),
    )
    print(json.dumps(report.to_dict(), indent=2) if args.json else render_audio(report))
    # A dry run with violations exits like `check` does; after --apply the change is made (maybe pending restart).
    return PolicyViolation.exit_code if report.plan.violations and not args.apply else 0
