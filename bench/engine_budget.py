"""What the speed targets leave the engine, and what its network calls alone cost.

`bench.redact_bench` says whether a target is met; this says how far it is, in CPU seconds. For each
target row it measures, in the same run and as subprocesses like the benchmark (median of `--reps`):

- the baseline's wall time (the transcode floor, or deface at 1080p) and so the wall time the target
  allows us (floor / 0.7, deface / 2.5);
- the floor's and our own CPU seconds and wall time, on the clip and on a 2-frame clip of the same look
  (start-up);
- the network calls of one of our runs, recorded and replayed alone on one thread of this process: the
  CPU that detection needs before any Python, tracking, masking or waiting.

From these: the engine's CPU now (ours minus the floor's, start-up excluded) and the most it may use to
meet the target, with both cores busy every moment (`2.0 cores`) and at the core use this run of ours
reached. Clips: those of `bench.redact_bench` (bench/out/bench_*p.mp4, built when missing).

    .venv/bin/python -m bench.engine_budget [--reps 3] [--frames 150]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime

from bench.redact_bench import OUT, commands, ensure_deface
from bench.synth import REPO, build_eval_clip

FLOOR_SHARE = 0.7
DEFACE_FACTOR = 2.5


@dataclass(frozen=True)
class Run:
    """Median wall and CPU seconds of one command."""

    wall: float
    cpu: float


def measure(cmd: list[str], reps: int) -> Run:
    """Median wall time and CPU time (user + system of the child) of `cmd` over `reps` runs."""
    walls, cpus = [], []
    for _ in range(reps):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=REPO)
        walls.append(time.monotonic() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return Run(statistics.median(walls), statistics.median(cpus))


def network_seconds(src: Path, profile: str) -> tuple[float, int, float]:
    """CPU seconds of one run's network calls replayed alone on this thread, their count and megapixels.

    The run's calls are recorded by wrapping `InferenceSession.run` (inputs copied), then replayed
    in order on the same sessions; the best of three replays (the least disturbed by the machine).
    """
    from frigate_privacy.config.masking import MaskingConfig
    from frigate_privacy.video.redact import RedactOptions, redact_file

    calls: list[tuple[Any, Any, dict[str, np.ndarray]]] = []
    original = onnxruntime.InferenceSession.run

    def recording(self: Any, names: Any, feeds: dict[str, np.ndarray], *args: Any, **kwargs: Any) -> Any:
        calls.append((self, names, {k: np.array(v, copy=True) for k, v in feeds.items()}))
        return original(self, names, feeds, *args, **kwargs)

    onnxruntime.InferenceSession.run = recording
    try:
        redact_file(src, OUT / "budget.mp4", MaskingConfig(profile=profile), RedactOptions(seed=0))
    finally:
        onnxruntime.InferenceSession.run = original
    pixels = sum(next(iter(feeds.values())).size / 3 for _, _, feeds in calls)
    replays = []
    for _ in range(3):
        started = time.thread_time()
        for session, names, feeds in calls:
            original(session, names, feeds)
        replays.append(time.thread_time() - started)
    return min(replays), len(calls), pixels / 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--frames", type=int, default=150, help="frames of the clips when they must be built")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    deface = ensure_deface()
    floors: dict[int, tuple[Run, Run]] = {}  # per height: the floor on the clip and on its 2-frame start
    rows = []
    for height, profile, baseline in ((720, "fast", "floor"), (1080, "fast", "floor"), (1080, "default", "deface")):
        src, head = OUT / f"bench_{height}p.mp4", OUT / f"head_{height}p.mp4"
        if not src.exists():
            build_eval_clip(src, OUT / f"bench_{height}p.json", height=height, frames=args.frames, seed=0, look="mixed")
        # The benchmark's own command lines (floor, default, fast, deface), on the clip and on the start clip.
        full = list(commands(src, OUT / "budget.mp4", deface).values())
        start = list(commands(head, OUT / "budget.mp4", deface).values())
        ours_row = 1 if profile == "default" else 2
        if height not in floors:
            # A 2-frame clip of the same look: start-up and model loading, next to nothing else.
            build_eval_clip(head, OUT / f"head_{height}p.json", height=height, frames=2, seed=0, look="mixed")
            floors[height] = (measure(full[0], args.reps), measure(start[0], args.reps))
        floor, floor_start = floors[height]
        ours = measure(full[ours_row], args.reps)
        ours_start = measure(start[ours_row], args.reps)
        allowed = floor.wall / FLOOR_SHARE if baseline == "floor" else measure(full[3], args.reps).wall / DEFACE_FACTOR
        nets, calls, mpx = network_seconds(src, profile)
        floor_pipe = floor.cpu - floor_start.cpu
        engine_now = (ours.cpu - ours_start.cpu) - floor_pipe
        cores = (ours.cpu - ours_start.cpu) / max(ours.wall - ours_start.wall, 1e-6)
        budget_2 = 2.0 * (allowed - ours_start.wall) - floor_pipe
        budget_seen = cores * (allowed - ours_start.wall) - floor_pipe
        cells = [
            f"{height}p {profile} vs {baseline}",
            f"{allowed:.2f}",
            f"{ours.wall:.2f}",
            f"{floor.wall:.2f} / {floor.cpu:.2f}",
            f"{ours_start.wall:.2f} / {floor_start.wall:.2f}",
            f"{engine_now:.2f}",
            f"{nets:.2f} ({calls}, {mpx:.0f} Mpx)",
            f"{budget_2:.2f}",
            f"{budget_seen:.2f} ({cores:.2f})",
        ]
        rows.append("| " + " | ".join(cells) + " |")
        print(f"  {height}p {profile}: done", file=sys.stderr)
    print(
        "| target | wall allowed (s) | ours now (s) | floor wall / CPU (s) | start-up ours / floor (s) "
        "| engine CPU now (s) | networks alone, CPU s (calls, pixels) | engine CPU allowed, 2.0 cores "
        "| allowed at our core use (cores) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
