"""`frigate-privacy demo`: faces walk through a scene, get redacted for real, and the result is scored."""

from __future__ import annotations

import argparse
from pathlib import Path

from frigate_privacy.config.masking import DetectionProfile
from frigate_privacy.demo.runner import DemoOptions, default_shared_data, run_demo

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `demo` command."""
    p = sub.add_parser(
        "demo",
        help="generate a short clip with moving faces, redact it and show before/after with a leak score",
    )
    p.add_argument("--out", type=Path, default=Path("demo-out"), help="output directory (default: ./demo-out)")
    p.add_argument("--frames", type=int, default=90, help="clip length in frames (default: 90, 6 s at 15 fps)")
    p.add_argument("--seed", type=int, default=0, help="scene seed: the same seed gives the same clip")
    p.add_argument(
        "--profile", choices=[x.value for x in DetectionProfile], default="default", help="detection profile"
    )
    p.add_argument(
        "--pypi-only",
        action="store_true",
        help="ignore ../shared/data: take the face from the scikit-image wheel and draw a synthetic scene",
    )
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    shared = None if args.pypi_only else default_shared_data()
    options = DemoOptions(args.out, shared, frames=args.frames, seed=args.seed, profile=DetectionProfile(args.profile))
    r = run_demo(options)
    verdict = "no face leaked" if not r.leak_frames else f"LEAKED in frames {r.leak_frames[:10]}"
    for note in r.notes:
        print(f"note: {note}")
    print(f"face: {r.face_source}")
    print(f"background: {r.background}")
    print(
        f"frames: {r.frames_in} in, {r.frames_out} out at {r.redaction_fps:.1f} fps; "
        f"mask rectangles drawn: {r.mask_regions}"
    )
    print(
        f"faces masked: {r.masked_face_frames} of {r.scored_face_frames} face-frames (faces >= 24 px); "
        f"leak-frames: {len(r.leak_frames)} ({verdict})"
    )
    print(f"original:  {r.original}\nredacted:  {r.redacted}\nbefore/after: {r.still}\nground truth: {r.ground_truth}")
    return 0 if not r.leak_frames and r.frames_in == r.frames_out else 1
