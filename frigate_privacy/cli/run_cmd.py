"""`frigate-privacy run`: the long-running privacy service."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from frigate_privacy.config import load_config

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `run` command."""
    p = sub.add_parser(
        "run", help="run the service: live track store, masked snapshots, scheduled policy jobs, components"
    )
    p.add_argument("--config", type=Path, required=True, help="frigate-privacy config file")
    p.add_argument("--log-format", choices=["text", "json"], default="text", help="json: one JSON object per log line")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    # The config is checked completely before anything starts: a wrong field exits non-zero at once.
    cfg = load_config(args.config)
    from frigate_privacy.service.logs import configure_logging
    from frigate_privacy.service.runtime import Service, check_runnable

    check_runnable(cfg)
    # A daemon's log should say what it does: INFO unless --log-level was given explicitly.
    explicit = any(a == "--log-level" or a.startswith("--log-level=") for a in sys.argv)
    configure_logging(
        args.log_level if explicit else "INFO",
        args.log_format,
        secrets=(cfg.mqtt.password, cfg.frigate.password),
    )
    return Service(cfg).run()
