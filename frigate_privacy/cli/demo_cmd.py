"""`frigate-privacy demo`: faces walk through a scene, get redacted for real, and the result is scored."""

from __future__ import annotations

import argparse
from pathlib import Path

from frigate_privacy.config.masking import DetectionProfile
from frigate_privacy.demo.leak_check import LeakedFace
from frigate_privacy.demo.runner import DemoOptions, DemoResult, default_shared_data, run_demo

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `demo` command."""
    p = sub.add_parser(
        "demo",
        help="generate a short clip with moving faces, redact it and show before/after with a leak score",
    )
    p.add_argument("--out", type=Path, default=Path("demo-out"), help="output directory (default: ./demo-out)")
    p.add_argument("--frames", type=int, default=90, help="clip length in frames (default: 90, 6 s at 15 fps)")
    p.add_argument("--seed", type=int, default=0, help="scene seed: the same seed gives the same clip (default: 0)")
    p.add_argument(
        "--resolution", choices=sorted(RESOLUTIONS), default="720p", help="frame size of the clip (default: 720p)"
    )
    p.add_argument(
        "--profile", choices=[x.value for x in DetectionProfile], default="default", help="detection profile"
    )
    p.add_argument(
        "--pypi-only",
        action="store_true",
        help="ignore ../shared/data: take the face from the scikit-image wheel and draw a synthetic scene",
    )
    p.set_defaults(func=_run)


RESOLUTIONS = {"720p": (1280, 720), "1080p": (1920, 1080)}


def _leak_lines(r: DemoResult) -> list[str]:
    """One line per leaked face: which face, its size, and every frame it leaked in."""
    by_face: dict[int, list[LeakedFace]] = {}
    for leak in r.leaked_faces:
        by_face.setdefault(leak.track_id, []).append(leak)
    lines = []
    for track_id, leaks in sorted(by_face.items()):
        sizes = [round(x.height) for x in leaks]
        frames = ", ".join(str(x.frame) for x in leaks)
        name = r.face_names.get(track_id, "?")
        lines.append(f"  face #{track_id} ({name}, {min(sizes)}-{max(sizes)} px) leaked in frames {frames}")
    return lines


def _run(args: argparse.Namespace) -> int:
    shared = None if args.pypi_only else default_shared_data()
    width, height = RESOLUTIONS[args.resolution]
    options = DemoOptions(
        args.out,
        shared,
        frames=args.frames,
        width=width,
        height=height,
        seed=args.seed,
        profile=DetectionProfile(args.profile),
    )
    r = run_demo(options)
    verdict = "no face leaked" if not r.leak_frames else "LEAKED"
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
    for line in _leak_lines(r):
        print(line)
    if r.still_face is not None:
        w = r.still_face
        print(
            f"before/after shows the worst frame: frame {w.frame}, face #{w.track_id} "
            f"({r.face_names.get(w.track_id, '?')}), identifying detail left {w.retained:.0%}"
            + (" (LEAKED)" if w.leaked else "")
        )
    print(f"original:  {r.original}\nredacted:  {r.redacted}\nbefore/after: {r.still}\nground truth: {r.ground_truth}")
    return 0 if not r.leak_frames and r.frames_in == r.frames_out else 1
