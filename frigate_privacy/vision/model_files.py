"""Model files on disk: the cache directory, hash checks, atomic verified writes and `resolve_model`."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from frigate_privacy.errors import ModelError
from frigate_privacy.vision.registry import ModelSpec, get_spec

__all__ = [
    "ModelState",
    "ModelStatus",
    "default_cache_dir",
    "file_sha256",
    "model_status",
    "resolve_model",
    "write_verified",
]

CACHE_ENV = "FRIGATE_PRIVACY_MODELS"
_CHUNK = 1 << 20
# (path, size, mtime_ns) -> sha256: a detector built per camera must not re-hash 7 MB every time.
_HASH_MEMO: dict[tuple[str, int, int], str] = {}


def default_cache_dir() -> Path:
    """`$FRIGATE_PRIVACY_MODELS`, else `$XDG_CACHE_HOME/frigate-privacy/models`, else `~/.cache/...`."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec says relative values are invalid and must be ignored.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "frigate-privacy" / "models"


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, memoised by path, size and mtime."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _HASH_MEMO:
        digest = hashlib.sha256()
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
        _HASH_MEMO[key] = digest.hexdigest()
    return _HASH_MEMO[key]


def write_verified(chunks: Iterable[bytes], expected_sha256: str, dest: Path) -> Path:
    """Write `chunks` to `dest` atomically, only if their sha256 is `expected_sha256`.

    The data goes to a temporary file in the destination directory (so the rename is atomic), is fsynced,
    hashed as it is written, and renamed over `dest` only when the hash matches. On a mismatch or any
    error the temporary file is removed and `dest` is left as it was.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                digest.update(chunk)
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        actual = digest.hexdigest()
        if actual != expected_sha256:
            raise ModelError(
                f"sha256 mismatch for {dest.name}: expected {expected_sha256}, got {actual}; nothing was written"
            )
        # Model weights are not secret; 0644 lets a service user read a cache an admin filled.
        tmp.chmod(0o644)
        tmp.replace(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(dest.parent)
    return dest


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not every filesystem allows opening a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class ModelState(StrEnum):
    """What `models list` reports for one model."""

    verified = "verified"
    present = "present"
    mismatch = "mismatch"
    missing = "missing"


@dataclass(frozen=True, slots=True)
class ModelStatus:
    """Where a model was found and whether its hash matched."""

    spec: ModelSpec
    state: ModelState
    path: Path | None


def _candidates(spec: ModelSpec, search_dirs: Sequence[Path], cache_dir: Path | None) -> list[Path]:
    dirs = [*search_dirs, cache_dir if cache_dir is not None else default_cache_dir()]
    return [d / spec.file for d in dirs]


def model_status(
    spec: ModelSpec, search_dirs: Sequence[Path] = (), cache_dir: Path | None = None, verify: bool = True
) -> ModelStatus:
    """Look for `spec` in `search_dirs` then the cache; hash the first file found unless `verify` is off."""
    for path in _candidates(spec, search_dirs, cache_dir):
        if path.is_file():
            if not verify:
                return ModelStatus(spec, ModelState.present, path)
            ok = file_sha256(path) == spec.sha256
            return ModelStatus(spec, ModelState.verified if ok else ModelState.mismatch, path)
    return ModelStatus(spec, ModelState.missing, None)


def resolve_model(name: str, search_dirs: Sequence[Path] = (), cache_dir: Path | None = None) -> Path:
    """Path of a verified model file: `search_dirs` first (used in place), then the cache.

    A missing model or one whose hash does not match raises ModelError naming the command that fixes it.
    """
    spec = get_spec(name)
    status = model_status(spec, search_dirs, cache_dir)
    if status.state is ModelState.verified and status.path is not None:
        return status.path
    if status.state is ModelState.mismatch and status.path is not None:
        raise ModelError(
            f"model {name} at {status.path} has sha256 {file_sha256(status.path)}, expected {spec.sha256}; "
            f"delete it and run: {spec.fix_command()}"
        )
    looked = ", ".join(str(p.parent) for p in _candidates(spec, search_dirs, cache_dir))
    raise ModelError(f"model {name} ({spec.file}) is not installed (looked in {looked}); run: {spec.fix_command()}")
