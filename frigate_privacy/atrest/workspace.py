"""Where at-rest masking works (checked once), and what each camera's policy asks of it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pyrage import x25519

from frigate_privacy.config.camera import AudioPolicy
from frigate_privacy.config.encoding import EncodingConfig
from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.config.policy import MaskSubjects
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.crypto.age_keys import load_recipients
from frigate_privacy.errors import ConfigError

__all__ = ["CameraPlan", "Workspace", "at_rest_cameras", "camera_plan", "escrow_recipients", "workspace_for"]

STATE_DIR_NAME = ".frigate-privacy"


@dataclass(frozen=True)
class Workspace:
    """The media root and our directories beside it, on the same filesystem (so os.replace is atomic)."""

    media_root: Path
    state_dir: Path
    escrow_dir: Path
    settle_seconds: float
    lease_seconds: float

    @property
    def tmp_dir(self) -> Path:
        """Masked temp files; outside `recordings/`, which Frigate's sync_recordings would clean."""
        return self.state_dir / "tmp"

    @property
    def journal_path(self) -> Path:
        """The journal and escrow index."""
        return self.state_dir / "atrest.db"

    def ensure(self) -> Workspace:
        """Create the directories (0700) and check they share the recordings' filesystem."""
        recordings = self.media_root / "recordings"
        if not self.media_root.is_dir():
            raise ConfigError(f"frigate.media_root {self.media_root} is not a directory")
        for directory in (self.state_dir, self.tmp_dir, self.escrow_dir):
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = recordings if recordings.is_dir() else self.media_root
        if os.stat(self.tmp_dir).st_dev != os.stat(target).st_dev:
            raise ConfigError(
                f"atrest.state_dir {self.state_dir} is on another filesystem than {target}; masked files must be "
                "renamed over the originals atomically, so put it on the same mount (outside recordings/)"
            )
        return self


def workspace_for(cfg: PrivacyConfig) -> Workspace:
    """The workspace the config describes; refuses a missing media root or a state dir inside recordings/."""
    media_root = cfg.frigate.media_root
    if media_root is None:
        raise ConfigError("at-rest masking needs frigate.media_root (Frigate's /media/frigate as mounted here)")
    media_root = Path(media_root).resolve()
    state = Path(cfg.atrest.state_dir).resolve() if cfg.atrest.state_dir else media_root / STATE_DIR_NAME
    escrow = Path(cfg.atrest.escrow_dir).resolve() if cfg.atrest.escrow_dir else state / "escrow"
    for name, directory in (("state_dir", state), ("escrow_dir", escrow)):
        for frigate_dir in ("recordings", "clips", "exports"):
            if directory.is_relative_to(media_root / frigate_dir):
                raise ConfigError(
                    f"atrest.{name} {directory} is inside Frigate's {frigate_dir}/ tree; Frigate serves or cleans "
                    "that tree, so choose a directory beside it"
                )
    return Workspace(media_root, state, escrow, cfg.atrest.settle_seconds, cfg.atrest.lease_seconds)


@dataclass(frozen=True)
class CameraPlan:
    """How one camera's files are masked."""

    camera: str
    masking: MaskingConfig
    keep_audio: bool
    encoding: EncodingConfig
    max_size_ratio: float


def at_rest_cameras(cfg: PrivacyConfig) -> list[str]:
    """Cameras whose policy sets `mask_at_rest`."""
    return [name for name in cfg.cameras if cfg.policy_for(name).mask_at_rest]


def camera_plan(cfg: PrivacyConfig, camera: str) -> CameraPlan:
    """The masking a camera's policy asks for at rest (everyone's faces, bodies if the rule says so, zones)."""
    policy = cfg.policy_for(camera)
    if policy.mask.subjects is not MaskSubjects.everyone:
        # Keeping chosen people visible needs their identity at every frame; at rest that is not built yet.
        raise ConfigError(
            f"camera {camera}: at-rest masking masks everyone; policy.mask.subjects "
            f"`{policy.mask.subjects.value}` is only supported for exports"
        )
    masking = cfg.masking_for(camera)  # the one rule: includes the faces/bodies policy.mask asks for
    cam = cfg.cameras.get(camera)
    keep_audio = cam is not None and cam.audio is AudioPolicy.allow
    encoding = cfg.encoding.model_copy(update={"crf": cfg.atrest.crf})
    return CameraPlan(camera, masking, keep_audio, encoding, cfg.atrest.max_size_ratio)


def escrow_recipients(cfg: PrivacyConfig) -> list[x25519.Recipient]:
    """The escrow public keys; an error naming the setting when there are none."""
    files = [cfg.atrest.escrow_recipients_file] if cfg.atrest.escrow_recipients_file else []
    recipients = load_recipients(cfg.atrest.escrow_recipients, files)
    if not recipients:
        raise ConfigError(
            "at-rest masking keeps each original only as an encrypted escrow copy: set atrest.escrow_recipients "
            "(age1... public keys; `frigate-privacy keys` makes a pair) or atrest.escrow_recipients_file"
        )
    return recipients
