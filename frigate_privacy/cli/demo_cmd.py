"""`frigate-privacy demo`: the whole mission against the Frigate stand-in, or (--clip-only) one redacted clip."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from frigate_privacy.config.masking import DetectionProfile
from frigate_privacy.demo.leak_check import LeakedFace
from frigate_privacy.demo.runner import DemoOptions, DemoResult, default_shared_data, run_demo
from frigate_privacy.demo.standin_source import StandinUnavailable, load_standin
from frigate_privacy.demo.tour import TourOptions, TourResult, run_tour

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `demo` command."""
    p = sub.add_parser(
        "demo",
        help="tour the whole mission against a Frigate stand-in (or --clip-only: redact one generated clip)",
        description="Starts a private MQTT broker, the Frigate stand-in (0.16) and the service, plays a scene "
        "in which people walk past a camera that records audio, and shows each feature working: redacted "
        "snapshots, Home Assistant entities, an encrypted export, the audio check, retention, at-rest masking "
        "with escrow, an erasure and the audit chain; then redacts a generated clip and writes a before/after "
        "picture of its worst frame. Exit 0 only when every step passed with zero leak-frames. The tour needs "
        "a source checkout (tests/standin/) and ../shared/data; without them only the clip demo runs.",
    )
    p.add_argument("--out", type=Path, default=Path("demo-out"), help="output directory (default: ./demo-out)")
    p.add_argument(
        "--frames",
        type=int,
        default=90,
        help="clip length in frames, at least 60 at 720p and 90 at 1080p (default: 90, 6 s at 15 fps)",
    )
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
    p.add_argument("--clip-only", action="store_true", help="only the clip demo (no broker, stand-in or service)")
    p.add_argument(
        "--keep-running",
        action="store_true",
        help="after the tour, leave the service up for Home Assistant (prints the broker, API URL and a viewer token)",
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


def _tour_unavailable(args: argparse.Namespace, shared: Path | None) -> str | None:
    """Why the full tour cannot run here (None when it can)."""
    if args.pypi_only:
        return "--pypi-only: the tour's Frigate stand-in films ../shared/data, so only the clip demo runs"
    if shared is None or not (shared / "vtest.avi").is_file():
        return "../shared/data (vtest.avi) is not available, so only the clip demo runs"
    try:
        load_standin()
    except StandinUnavailable as err:
        return f"{err}; only the clip demo runs"
    return None


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
    why_not = None if args.clip_only else _tour_unavailable(args, shared)
    if args.clip_only or why_not is not None:
        if why_not is not None:
            print(f"note: {why_not}")
        return _print_clip(run_demo(options))
    print(f"frigate-privacy demo: touring the mission; everything goes to {args.out}/ (logs in {args.out}/tour/)")
    codes: list[int] = []

    def report(tour: TourResult) -> None:
        clip_code = 1
        if tour.clip is not None:
            print()
            clip_code = _print_clip(tour.clip)
        _print_summary(tour)
        codes.append(0 if tour.ok and clip_code == 0 else 1)

    run_tour(TourOptions(args.out, options, keep_running=args.keep_running), lambda x: print(x, flush=True), report)
    return codes[0] if codes else 1


def _print_summary(tour: TourResult) -> None:
    passed = sum(1 for s in tour.steps if s.ok)
    print(f"\nsummary: {passed} of {len(tour.steps)} steps passed" + ("" if tour.ok else " -- DEMO FAILED"))
    for s in tour.steps:
        print(f"  {s.status:7} {s.title}" + ("" if s.ok else f": {s.detail}"))
    made = [p for s in tour.steps for p in s.paths if p.exists()]  # the erasure removes the export it covers
    if made:
        print("made:")
        for path in made:
            print(f"  {path}")
    sys.stdout.flush()


def _print_clip(r: DemoResult) -> int:
    """The clip demo's report; returns its exit code (0 only with zero leak-frames and every frame out)."""
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
