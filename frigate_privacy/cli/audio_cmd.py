"""`frigate-privacy audio`: check each camera's recordings for audio and (with --apply) switch it off."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from frigate_privacy.cli.policy_job import OPERATOR_ROLE, run_policy_job
from frigate_privacy.exit_codes import ExitCode
from frigate_privacy.policy.audio import AudioReport, run_audio
from frigate_privacy.policy.render import render_audio

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `audio` command."""
    p = sub.add_parser(
        "audio",
        help="check audio in recordings against `audio: forbid`; --apply switches it off",
        description="Exit 0 when no camera records audio against its policy when the run ends, 6 when one "
        "does, 15 when --apply changed Frigate's config and the change waits for a restart (add --restart).",
    )
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
    return audio_exit_code(report)


def audio_exit_code(report: AudioReport) -> ExitCode:
    """0 only when no camera violates its audio policy when the run ends; a fix waiting for a restart is 15."""
    if report.applied and report.pending_restart:
        return ExitCode.PENDING_RESTART
    return ExitCode.POLICY_VIOLATION if report.remaining else ExitCode.OK
