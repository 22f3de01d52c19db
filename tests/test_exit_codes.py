"""One exit-code table: pinned numbers, one meaning per number, shown in --help and the docs."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import frigate_privacy
from frigate_privacy.cli import main
from frigate_privacy.errors import PrivacyError
from frigate_privacy.exit_codes import EXIT_CODE_MEANINGS, ExitCode, render_exit_codes

ROOT = Path(__file__).resolve().parent.parent

# Scripts depend on these numbers: changing one is a breaking change, so it must change here too.
PINNED = {
    "OK": 0,
    "ERROR": 1,
    "USAGE": 2,
    "CONFIG": 3,
    "INPUT": 4,
    "MODEL": 5,
    "POLICY_VIOLATION": 6,
    "CRYPTO": 7,
    "FRIGATE": 8,
    "DETECTION": 9,
    "VERIFY_FAILED": 10,
    "AUDIT": 11,
    "AUDIT_TAMPERED": 12,
    "INCOMPLETE": 13,
    "STORAGE": 14,
    "PENDING_RESTART": 15,
    "INTERRUPTED": 130,
}

# Which family each error belongs to; a class not listed inherits its base's code.
FAMILIES = {
    "frigate_privacy.errors.ConfigError": "CONFIG",
    "frigate_privacy.errors.InputError": "INPUT",
    "frigate_privacy.errors.ModelError": "MODEL",
    "frigate_privacy.errors.PolicyViolation": "POLICY_VIOLATION",
    "frigate_privacy.errors.StorageError": "STORAGE",
    "frigate_privacy.crypto.errors.CryptoError": "CRYPTO",
    "frigate_privacy.crypto.errors.StorageFullError": "STORAGE",
    "frigate_privacy.frigate.errors.FrigateApiError": "FRIGATE",
    "frigate_privacy.export.errors.SourceInterrupted": "FRIGATE",
    "frigate_privacy.export.errors.VerificationFailed": "VERIFY_FAILED",
    "frigate_privacy.video.errors.DetectionFailed": "DETECTION",
    "frigate_privacy.audit.errors.AuditError": "AUDIT",
    "frigate_privacy.audit.errors.AuditIntegrityError": "AUDIT_TAMPERED",
}


def _all_error_classes() -> list[type[PrivacyError]]:
    for info in pkgutil.walk_packages(frigate_privacy.__path__, "frigate_privacy."):
        if ".demo" in info.name or info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
    seen: list[type[PrivacyError]] = []
    todo: list[type[PrivacyError]] = [PrivacyError]
    while todo:
        cls = todo.pop()
        seen.append(cls)
        todo += cls.__subclasses__()
    return seen


def test_numbers_are_pinned_and_every_code_is_explained() -> None:
    assert {c.name: int(c) for c in ExitCode} == PINNED
    assert set(EXIT_CODE_MEANINGS) == set(ExitCode)


def test_every_error_maps_to_its_familys_code() -> None:
    for cls in _all_error_classes():
        assert isinstance(cls.exit_code, ExitCode), f"{cls.__qualname__} uses a bare number"
        family = next(
            (
                FAMILIES[f"{base.__module__}.{base.__qualname__}"]
                for base in cls.__mro__
                if f"{base.__module__}.{base.__qualname__}" in FAMILIES
            ),
            "ERROR",
        )
        assert cls.exit_code is ExitCode[family], f"{cls.__module__}.{cls.__qualname__}: {cls.exit_code!r}"


def test_usage_and_config_errors_are_told_apart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as usage:
        main(["config", "validate", "--no-such-flag"])
    assert usage.value.code == ExitCode.USAGE
    bad = tmp_path / "bad.yml"
    bad.write_text("cameras: {front: {audio: sometimes}}\n")
    assert main(["config", "validate", str(bad)]) == ExitCode.CONFIG != ExitCode.USAGE
    capsys.readouterr()


@pytest.mark.parametrize("argv", [["--help"], ["export", "--help"], ["audit", "show", "--help"]])
def test_help_shows_the_table(argv: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "frigate_privacy", *argv], capture_output=True, text=True, check=True
    ).stdout
    assert render_exit_codes() in out


def test_docs_show_the_same_table() -> None:
    assert render_exit_codes() in (ROOT / "docs" / "exit-codes.md").read_text()


def test_frigate_not_found_is_raised_only_for_frigate_answers() -> None:
    """Our own stores (export registry, media files, escrow) say 'already gone' in their own words."""
    offenders = []
    for path in (ROOT / "frigate_privacy").rglob("*.py"):
        if path.parent.name == "frigate" or "frigate" in path.relative_to(ROOT / "frigate_privacy").parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and node.exc is not None:
                call = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(call, ast.Name) and call.id == "FrigateNotFoundError":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
