"""In CI (CI=true) a missing ../shared asset fails the run instead of skipping the test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(ci: bool, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["FRIGATE_PRIVACY_SHARED"] = str(tmp_path / "no-shared-here")
    if ci:
        env["CI"] = "true"
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
    argv += ["tests/test_detect_faces.py::test_messi_one_face", "tests/test_engine_leaks.py"]
    return subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


def test_missing_shared_assets_skip_locally_and_fail_in_ci(tmp_path: Path) -> None:
    local = _run(False, tmp_path)
    assert local.returncode == 0 and " skipped" in local.stdout and "failed" not in local.stdout, local.stdout
    ci = _run(True, tmp_path)
    assert ci.returncode == 1 and "skipped in CI (CI=true)" in ci.stdout, ci.stdout
    assert "shared" in ci.stdout and " skipped" not in ci.stdout.splitlines()[-1]
