import argparse
import subprocess
import sys

from frigate_privacy.cli import COMMANDS, build_parser, main


def _subcommands(parser: argparse.ArgumentParser) -> set[str]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices)


def test_command_table_matches_what_the_modules_register() -> None:
    assert _subcommands(build_parser()) == set(COMMANDS)
    for name in COMMANDS:
        assert name in _subcommands(build_parser(name))


def test_one_command_imports_only_its_module() -> None:
    code = (
        "import sys; from frigate_privacy.cli import main; main(['config', 'reference']); "
        "print('onnx' in sys.modules, 'frigate_privacy.cli.redact_cmd' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False False"


def test_log_level_before_the_command(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--log-level", "INFO", "config", "reference"]) == 0
    assert "# Configuration reference" in capsys.readouterr().out
