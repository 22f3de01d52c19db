"""Redaction benchmark: one table of fps, leak-frames and collateral at 720p and 1080p.

Rows: the transcode-only floor (our PyAV pipeline, no detection), `frigate-privacy redact` with the default
and the fast profile, and the `deface==1.5.0` CLI at `--scale 640x360` (installed into its own venv under
bench/out/). Every row runs as a subprocess on the same generated clips in the same run; fps is frames
divided by the median wall time of that subprocess over `--reps` runs, the rows taking turns (start-up and
model loading included, for every row alike).
The clips (bench/synth.py, look `mixed` by default) hold colour and gray faces whose paths cross, and the
camera switches to infrared halfway.

    .venv/bin/python -m bench.redact_bench [--frames 200] [--reps 3] [--look mixed] [--cprofile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import platform
import pstats
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import av
import cv2
import numpy as np
import onnxruntime

from bench.metrics import EvalMetrics, evaluate
from bench.synth import LOOKS, REPO, build_eval_clip

OUT = REPO / "bench" / "out"
DEFACE_VENV = OUT / ".venv-deface"
DEFACE = "deface==1.5.0"


@dataclass
class Cell:
    """One row at one resolution."""

    fps: float
    metrics: EvalMetrics


def ensure_deface() -> Path:
    """bench/out/.venv-deface with deface 1.5.0 (it pulls opencv-python etc.; kept out of our env)."""
    exe = DEFACE_VENV / "bin" / "deface"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(DEFACE_VENV)], check=True)
        subprocess.run([str(DEFACE_VENV / "bin" / "pip"), "install", "-q", DEFACE], check=True)
    return exe


def commands(src: Path, dst: Path, deface: Path) -> dict[str, list[str]]:
    """The command of each row for one input clip."""
    ours = [sys.executable, "-m", "frigate_privacy", "redact", str(src), str(dst)]
    return {
        "transcode floor (PyAV decode+encode)": [sys.executable, "-m", "bench.transcode_floor", str(src), str(dst)],
        "frigate-privacy redact (default)": ours,
        "frigate-privacy redact --profile fast": [*ours, "--profile", "fast"],
        "deface 1.5.0 --scale 640x360": [str(deface), str(src), "-o", str(dst), "--scale", "640x360"],
    }


def count_frames(path: Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


def run_row(cmd: list[str], src: Path, dst: Path, gt: Path) -> tuple[float, EvalMetrics]:
    """One run of one row: its wall seconds and the scores of what it wrote."""
    dst.unlink(missing_ok=True)
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=REPO)
    seconds = time.monotonic() - started
    if proc.returncode != 0 or not dst.exists():
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return seconds, evaluate(src, dst, gt)


def median_cell(runs: list[tuple[float, EvalMetrics]], frames: int) -> Cell:
    """fps from the median wall time of a row's runs; the scores of its worst run (most leak-frames)."""
    worst = max(runs, key=lambda run: (run[1].leak_frames, run[1].collateral_pct))[1]
    return Cell(frames / statistics.median(seconds for seconds, _ in runs), worst)


def profile_default(src: Path, dst: Path) -> str:
    """cProfile of one in-process default-profile run: where the time goes."""
    from frigate_privacy.config.masking import MaskingConfig
    from frigate_privacy.video.redact import RedactOptions, redact_file

    prof = cProfile.Profile()
    prof.enable()
    redact_file(src, dst, MaskingConfig(), RedactOptions(seed=0))
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(14)
    return buf.getvalue()


def versions(deface: Path) -> str:
    dv = subprocess.run([str(deface), "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return (
        f"Python {platform.python_version()}, PyAV {av.__version__}, onnxruntime {onnxruntime.__version__}, "
        f"opencv {cv2.__version__}, numpy {np.__version__}; deface {dv or DEFACE}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--frames", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--look", choices=LOOKS, default="mixed", help="clip look (bench/synth.py)")
    ap.add_argument("--reps", type=int, default=3, help="runs of every row; fps from the median (rows take turns)")
    ap.add_argument("--cprofile", action="store_true", help="also profile one default run at 1080p")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    deface = ensure_deface()
    clips = {}
    for height in (720, 1080):
        src, gt = OUT / f"bench_{height}p.mp4", OUT / f"bench_{height}p.json"
        build_eval_clip(src, gt, height=height, frames=args.frames, seed=args.seed, look=args.look)
        clips[height] = (src, gt)
    table: dict[str, dict[int, Cell]] = {}
    for height, (src, gt) in clips.items():
        frames = count_frames(src)
        runs: dict[str, list[tuple[float, EvalMetrics]]] = {}
        # Rows take turns, so a slow minute of the machine falls on every row alike.
        for rep in range(args.reps):
            for name, cmd in commands(src, OUT / "row.mp4", deface).items():
                seconds, metrics = run_row(cmd, src, OUT / "row.mp4", gt)
                runs.setdefault(name, []).append((seconds, metrics))
                print(f"  {name} @ {height}p, run {rep + 1}: {frames / seconds:.1f} fps", file=sys.stderr)
        for name, row_runs in runs.items():
            table.setdefault(name, {})[height] = median_cell(row_runs, frames)

    face_frames = {h: next(iter(table.values()))[h].metrics.face_frames for h in clips}
    print(f"\n{date.today()} · {platform.machine()} · {versions(deface)}")
    print(
        f"clips: {args.frames} frames each, seed {args.seed}, look {args.look}; face-frames (>= 24 px): {face_frames}; "
        f"fps from the median of {args.reps} runs per row, leak-frames and collateral of its worst run\n"
    )
    print("| row | 720p fps | 720p leak-frames | 720p collateral | 1080p fps | 1080p leak-frames | 1080p collateral |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, cells in table.items():
        c7, c10 = cells[720], cells[1080]
        print(
            f"| {name} | {c7.fps:.1f} | {c7.metrics.leak_frames} | {c7.metrics.collateral_pct:.2f} % "
            f"| {c10.fps:.1f} | {c10.metrics.leak_frames} | {c10.metrics.collateral_pct:.2f} % |"
        )
    floor, default, fast, deface_row = (table[k] for k in table)
    print("\nrecall by face height (masked/scorable face-frames), flicker (on/off/on episodes):")
    for name, cells in table.items():
        for h, c in cells.items():
            print(f"- {name} @ {h}p: {c.metrics.recall_line()}; flicker {c.metrics.flicker_events}")
    ratio = default[1080].fps / deface_row[1080].fps
    ours_leaks, deface_leaks = default[1080].metrics.leak_frames, deface_row[1080].metrics.leak_frames
    print("\ntargets (same run, so the ratios hold on a shared machine):")
    verdict = "met" if ratio >= 2.5 and ours_leaks == 0 else "MISSED"
    print(
        f"- default >= 2.5x deface fps at 1080p with 0 leak-frames: {ratio:.2f}x, {ours_leaks} leak-frames ({verdict})"
    )
    print(f"  (deface: {deface_leaks} leak-frames)")
    for h in clips:
        share = fast[h].fps / floor[h].fps
        leaks = fast[h].metrics.leak_frames
        verdict = "met" if share >= 0.7 and leaks == 0 else "MISSED"
        print(f"- fast >= 70 % of the transcode floor at {h}p, 0 leak-frames: {100 * share:.0f} %, {leaks} ({verdict})")
    if args.cprofile:
        print("\ncProfile, default profile at 1080p (top functions by own time):")
        print(profile_default(clips[1080][0], OUT / "profiled.mp4"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
