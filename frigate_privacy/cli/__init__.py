"""The `frigate-privacy` command: thin subcommands that parse, call one function and print."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from frigate_privacy import __version__
from frigate_privacy.errors import PrivacyError

__all__ = ["main"]

# One module per subcommand; each exposes `register(subparsers)` and sets `func` on its parser.
# Adding a command is adding its module name here.
COMMAND_MODULES: tuple[str, ...] = (
    "frigate_privacy.cli.config_cmd",
    "frigate_privacy.cli.models_cmd",
    "frigate_privacy.cli.check_cmd",
    "frigate_privacy.cli.redact_cmd",
    "frigate_privacy.cli.keys_cmd",
    "frigate_privacy.cli.audit_cmd",
    "frigate_privacy.cli.export_cmd",
    "frigate_privacy.cli.retention_cmd",
    "frigate_privacy.cli.erase_cmd",
    "frigate_privacy.cli.audio_cmd",
    "frigate_privacy.cli.demo_cmd",
)

logger = logging.getLogger("frigate_privacy")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="frigate-privacy",
        description="Privacy layer for Frigate NVR: masking, redacted encrypted exports, retention, audit.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log verbosity (logs go to stderr)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and turn our errors into a message and an exit code, never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code: int = args.func(args)
    except PrivacyError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return code
