"""`frigate-privacy check`: a per-camera privacy table of a running Frigate."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from frigate_privacy.config import load_config
from frigate_privacy.errors import PolicyViolation
from frigate_privacy.frigate.errors import FrigateApiError, FrigateConnectionError
from frigate_privacy.policy.check import render_table, report_json, run_check

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `check` command."""
    p = sub.add_parser("check", help="report audio, retention, masks and exposure of each Frigate camera")
    p.add_argument("--config", type=Path, required=True, help="frigate-privacy config file")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--no-probe", action="store_true", help="judge audio by Frigate's config only")
    p.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    try:
        report = run_check(cfg, probe_segments=not args.no_probe)
    except FrigateConnectionError as err:
        # Frigate being down is a status to report, in the form the caller asked for.
        if args.json:
            print(json.dumps({"frigate": {"url": cfg.frigate.url, "reachable": False, "error": str(err)}}))
        else:
            print(f"frigate: DOWN - {err}")
        return err.exit_code
    except FrigateApiError as err:
        if args.json:
            print(json.dumps({"frigate": {"url": cfg.frigate.url, "reachable": True, "error": str(err)}}))
        else:
            print(f"frigate: ERROR - {err}")
        return err.exit_code
    print(json.dumps(report_json(report), indent=2) if args.json else render_table(report))
    return PolicyViolation.exit_code if report.violations else 0
