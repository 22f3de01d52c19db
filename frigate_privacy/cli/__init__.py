"""The `frigate-privacy` command: thin subcommands that parse, call one function and print."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from collections.abc import Sequence

from frigate_privacy import __version__
from frigate_privacy.errors import PrivacyError
from frigate_privacy.exit_codes import ExitCode, render_exit_codes

__all__ = ["main"]

# Each command's module exposes `register(subparsers)` and sets `func` on its parser. The table maps
# command names to modules so that running one command imports only its module: importing all of them
# (ONNX, the Frigate client, PyAV, ...) would add a noticeable start-up cost to every short run.
COMMANDS: dict[str, str] = {
    "config": "frigate_privacy.cli.config_cmd",
    "models": "frigate_privacy.cli.models_cmd",
    "check": "frigate_privacy.cli.check_cmd",
    "redact": "frigate_privacy.cli.redact_cmd",
    "keys": "frigate_privacy.cli.keys_cmd",
    "audit": "frigate_privacy.cli.audit_cmd",
    "export": "frigate_privacy.cli.export_cmd",
    "verify": "frigate_privacy.cli.export_cmd",
    "decrypt": "frigate_privacy.cli.export_cmd",
    "retention": "frigate_privacy.cli.retention_cmd",
    "erase": "frigate_privacy.cli.erase_cmd",
    "audio": "frigate_privacy.cli.audio_cmd",
    "demo": "frigate_privacy.cli.demo_cmd",
    "report": "frigate_privacy.cli.report_cmd",
    "run": "frigate_privacy.cli.run_cmd",
    "atrest": "frigate_privacy.cli.atrest_cmd",
    "escrow": "frigate_privacy.cli.escrow_cmd",
    "users": "frigate_privacy.cli.users_cmd",
    "search": "frigate_privacy.cli.search_cmd",
}
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(COMMANDS.values()))

logger = logging.getLogger("frigate_privacy")


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The command named on the command line, or None (help, version, a typo): then all are loaded."""
    words = iter(argv)
    for word in words:
        if word == "--log-level":
            next(words, None)
        elif not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, except that the exit-code table keeps its line breaks."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith("exit codes:"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with one command's subparser, or with every command when `command` is None."""
    parser = argparse.ArgumentParser(
        prog="frigate-privacy",
        description="Privacy layer for Frigate NVR: masking, redacted encrypted exports, retention, audit.",
        epilog=render_exit_codes(),
        formatter_class=_HelpFormatter,
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
    modules = (COMMANDS[command],) if command in COMMANDS else COMMAND_MODULES
    for name in modules:
        importlib.import_module(name).register(sub)
    _add_exit_codes(sub)
    return parser


def _add_exit_codes(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Show the one exit-code table under every command's --help too (nested actions included)."""
    for parser in sub.choices.values():
        parser.formatter_class = _HelpFormatter
        if parser.epilog is None:
            parser.epilog = render_exit_codes()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                _add_exit_codes(action)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and turn our errors into a message and an exit code, never a traceback."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(_chosen_command(argv))
    except ModuleNotFoundError as err:
        # An install older than the code (a new dependency since the last set-up): say how to fix it.
        print(
            f"error: a dependency is not installed ({err.name}); run `bash .ci/setup` in a checkout, "
            "or `pip install -U frigate-privacy`",
            file=sys.stderr,
        )
        return int(ExitCode.ERROR)
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code: int = args.func(args)
    except PrivacyError as err:
        print(f"error: {err}", file=sys.stderr)
        if getattr(args, "json", False) and not getattr(err, "json_reported", False):
            # --json promises JSON on stdout, errors included: one object scripts can test for "error".
            print(json.dumps({"error": str(err), "exit_code": int(err.exit_code)}))
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    return code
