"""`frigate-privacy config`: validate a config file or print the reference generated from the model."""

from __future__ import annotations

import argparse
from pathlib import Path

from frigate_privacy.config import load_config
from frigate_privacy.config.reference import render_reference

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `config` command."""
    p = sub.add_parser("config", help="validate a config file or print the configuration reference")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    v = actions.add_parser("validate", help="check a config file; one message per wrong field")
    v.add_argument("path", type=Path)
    v.set_defaults(func=_validate)
    r = actions.add_parser("reference", help="print the Markdown reference of every config field")
    r.set_defaults(func=_reference)


def _validate(args: argparse.Namespace) -> int:
    cfg = load_config(args.path)
    print(f"{args.path}: valid ({len(cfg.cameras)} camera(s))")
    return 0


def _reference(args: argparse.Namespace) -> int:
    print(render_reference(), end="")
    return 0
