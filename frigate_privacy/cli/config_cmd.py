"""`frigate-privacy config`: validate a config file or print the reference generated from the model."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from frigate_privacy.config import load_config
from frigate_privacy.config.loader import InvalidConfig
from frigate_privacy.config.reference import render_reference
from frigate_privacy.exit_codes import ExitCode

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `config` command."""
    p = sub.add_parser("config", help="validate a config file or print the configuration reference")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    v = actions.add_parser("validate", help="check a config file; one message per wrong field")
    v.add_argument("path", type=Path)
    v.add_argument("--json", action="store_true", help="machine-readable output (one JSON object on stdout)")
    v.set_defaults(func=_validate)
    r = actions.add_parser("reference", help="print the Markdown reference of every config field")
    r.set_defaults(func=_reference)


def _validate(args: argparse.Namespace) -> int:
    if not args.json:
        cfg = load_config(args.path)
        print(f"{args.path}: valid ({len(cfg.cameras)} camera(s))")
        return 0
    body: dict[str, Any] = {"path": str(args.path)}
    try:
        cfg = load_config(args.path)
    except InvalidConfig as err:
        body |= {
            "valid": False,
            "errors": [{"field": p.field, "line": p.line, "message": p.message} for p in err.problems],
            "missing_env": [{"name": name, "fields": uses} for name, uses in err.missing_env.items()],
        }
        print(json.dumps(body, indent=2))
        return ExitCode.CONFIG
    print(json.dumps(body | {"valid": True, "cameras": sorted(cfg.cameras)}, indent=2))
    return 0


def _reference(args: argparse.Namespace) -> int:
    print(render_reference(), end="")
    return 0
