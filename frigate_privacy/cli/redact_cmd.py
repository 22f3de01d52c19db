"""`frigate-privacy redact IN OUT`: mask faces (and optionally bodies) in a video or image."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError
from tqdm import tqdm

from frigate_privacy.config import load_config
from frigate_privacy.config.encoding import EncodingConfig
from frigate_privacy.config.loader import format_validation_error
from frigate_privacy.config.masking import DetectionProfile, MaskingConfig, PrivacyZone
from frigate_privacy.config.policy import MaskSubjects
from frigate_privacy.errors import ConfigError
from frigate_privacy.masking.registry import available_styles
from frigate_privacy.video.redact import RedactionSummary, RedactOptions, redact_file
from frigate_privacy.vision.detectors import DEFAULT_FACE_THRESHOLD
from frigate_privacy.vision.model_files import default_cache_dir

__all__ = ["register"]

# Command-line flags that override one MaskingConfig field each.
_FLAG_FIELDS = (("bodies", "bodies"), ("style", "style"), ("profile", "profile"), ("threshold", "face_threshold"))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `redact` command."""
    base = MaskingConfig()
    encoding = EncodingConfig()
    p = sub.add_parser(
        "redact",
        help="mask faces (and bodies) in a video or image; audio dropped, timing kept",
        description="Writes OUT only when complete; on any error nothing is left behind. Every default below is "
        "the built-in one; with --config, the config's settings (the camera's with --camera) replace it. Video is "
        f"encoded H.264, preset {encoding.preset.value}, CRF {encoding.crf} (encoding: in --config).",
    )
    p.add_argument("input", type=Path, metavar="IN", help="video (MP4, MKV, AVI, ...) or image (JPEG, PNG)")
    p.add_argument("output", type=Path, metavar="OUT", help="output path (.mp4/.mov/.mkv for video, .jpg/.png)")
    p.add_argument(
        "--bodies",
        action="store_true",
        default=None,
        help=f"also mask whole person boxes (default: {'on' if base.bodies else 'off'}; masking.bodies or "
        "policy.mask.bodies)",
    )
    p.add_argument(
        "--style",
        help=f"mask style, one of those installed: {', '.join(available_styles())} "
        f"(default: {base.style}; masking.style)",
    )
    p.add_argument(
        "--zones",
        type=Path,
        help="YAML file with static privacy zones (a list, or `zones: [...]`), added to the config's "
        "(default: none; masking.zones)",
    )
    p.add_argument(
        "--profile",
        choices=[p.value for p in DetectionProfile],
        help=f"detector profile (default: {base.profile.value}; masking.profile)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        help="face score that starts a mask, lower masks more "
        f"(default: {DEFAULT_FACE_THRESHOLD['yunet_n']}; masking.face_threshold)",
    )
    p.add_argument("--keep-audio", action="store_true", help="copy the audio stream (default: off, audio dropped)")
    p.add_argument(
        "--head-crops", action="store_true", help="also search upscaled heads of small persons (default: off)"
    )
    p.add_argument(
        "--allow-truncated",
        action="store_true",
        help="accept a video that ends before its header says (default: refuse it with a non-zero exit)",
    )
    p.add_argument(
        "--config", type=Path, help="frigate-privacy config file to take settings from (default: none, built-ins)"
    )
    p.add_argument("--camera", help="use this camera's settings from --config (default: the config's global settings)")
    p.add_argument(
        "--models-dir",
        type=Path,
        help=f"directory with model files, searched before the cache (default: none; cache {default_cache_dir()})",
    )
    p.set_defaults(func=_redact)


def _redact(args: argparse.Namespace) -> int:
    masking, encoding = _settings(args)
    options = RedactOptions(
        keep_audio=args.keep_audio,
        models_dir=args.models_dir,
        encoding=encoding,
        head_crops=args.head_crops,
        allow_truncated=args.allow_truncated,
    )
    # A bar on a terminal; nothing when stderr is a log file or pipe (disable=None: tqdm checks isatty).
    with tqdm(unit="frame", disable=None, leave=False, file=sys.stderr) as bar:

        def progress(done: int, total: int | None) -> None:
            if total is not None and bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        summary = redact_file(args.input, args.output, masking, options, progress=progress)
    print(_summary_line(summary))
    return 0


def _settings(args: argparse.Namespace) -> tuple[MaskingConfig, EncodingConfig]:
    """Masking settings from --config/--camera (or defaults), overridden by the flags."""
    if args.camera and not args.config:
        raise ConfigError("--camera needs --config FILE to read the camera's settings from")
    base, encoding = MaskingConfig(), EncodingConfig()
    if args.config:
        cfg = load_config(args.config)
        if args.camera and args.camera not in cfg.cameras:
            raise ConfigError(f"camera {args.camera!r} is not in {args.config}")
        base = cfg.masking_for(args.camera)
        rule = cfg.policy_for(args.camera).mask
        if rule.subjects is not MaskSubjects.everyone:
            # Fail closed: without Frigate's names nobody can be told apart, so nobody is exempted.
            print(
                f"note: policy.mask.subjects is `{rule.subjects.value}`, which needs Frigate's recognised names; "
                "a file redaction has none, so everyone detected is masked",
                file=sys.stderr,
            )
        encoding = cfg.encoding
    updates: dict[str, Any] = {}
    for flag, field in _FLAG_FIELDS:
        if getattr(args, flag) is not None:
            updates[field] = getattr(args, flag)
    if args.zones is not None:
        updates["zones"] = [*base.zones, *_load_zones(args.zones)]
    try:
        return MaskingConfig.model_validate({**base.model_dump(), **updates}), encoding
    except ValidationError as err:
        raise ConfigError(f"invalid option:\n{format_validation_error(err, MaskingConfig)}") from None


def _load_zones(path: Path) -> list[PrivacyZone]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"cannot read zones file {path}: {err.strerror}") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path} is not valid YAML: {err}") from None
    if isinstance(data, dict) and set(data) == {"zones"}:
        data = data["zones"]
    try:
        return TypeAdapter(list[PrivacyZone]).validate_python(data)
    except ValidationError as err:
        raise ConfigError(f"{path} does not hold a list of zones:\n{format_validation_error(err)}") from None


def _summary_line(s: RedactionSummary) -> str:
    padded = "; odd frame size padded by 1 px" if s.padded else ""
    return (
        f"{s.frames} frames, {s.regions} regions masked in {s.frames_masked} frames, "
        f"{s.fps:.1f} fps -> {s.output}{padded}"
    )
