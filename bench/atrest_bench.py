"""At-rest benchmark: how many 1080p 15 fps cameras one machine keeps masked, with the transcode floor beside it.

Every row works on the same 10-second 1080p15 "camera segment" (the evaluation clip re-encoded like a camera
stream: H.264 at 4 Mbit/s, a keyframe every 2 s) in the same run:

- floor: our PyAV pipeline re-encoding the segment with the at-rest x264 settings, no detection;
- mask: `mask_video` as the at-rest job calls it (default profile, Frigate boxes absent);
- job: the whole at-rest job through `AtRest.run_pass` (claim, mask, sha256, age escrow, journal, os.replace)
  on `--segments` copies of the segment laid out as Frigate recordings.

A camera writes one segment every 10 s, so one worker keeps up with 10 / job-seconds cameras when every
segment is masked, and with 10 / (job-seconds x activity share) when only segments with a person are (the
share of segments with person activity is an assumption, `--activity`; segments without activity cost only the
scan). Quality: PSNR of the masked segment against the original outside every mask rectangle, and the size ratio.

    .venv/bin/python -m bench.atrest_bench [--segments 4] [--activity 0.25]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import time
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import yaml

from bench.metrics import evaluate
from bench.synth import REPO, build_eval_clip
from bench.transcode_floor import transcode
from frigate_privacy.atrest.masker import MaskResult, default_engine, mask_video
from frigate_privacy.atrest.runner import AtRest
from frigate_privacy.config.atrest import AtRestConfig
from frigate_privacy.config.encoding import EncodingConfig
from frigate_privacy.config.loader import load_config
from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.crypto.age_keys import generate_identity_file

OUT = REPO / "bench" / "out" / "atrest"
FPS = 15
SECONDS = 10
CAMERA_KBPS = 4000


def camera_segment(src: Path, dst: Path) -> None:
    """Re-encode the evaluation clip like a camera: 15 fps, ~4 Mbit/s, keyframe every 2 s, +faststart."""
    with av.open(str(src)) as inp, av.open(str(dst), "w", options={"movflags": "+faststart"}) as out:
        vin = inp.streams.video[0]
        vs = out.add_stream("libx264", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = vin.codec_context.width, vin.codec_context.height, "yuv420p"
        vs.bit_rate = CAMERA_KBPS * 1000
        vs.options = {"preset": "veryfast", "g": str(2 * FPS), "maxrate": f"{CAMERA_KBPS}k", "bufsize": "8000k"}
        for k, frame in enumerate(inp.decode(vin)):
            new = av.VideoFrame.from_ndarray(frame.to_ndarray(format="yuv420p"), format="yuv420p")
            new.pts, new.time_base = k, Fraction(1, FPS)
            for pkt in vs.encode(new):
                out.mux(pkt)
        for pkt in vs.encode():
            out.mux(pkt)


def psnr_outside(original: Path, masked: Path, regions: dict[int, list[tuple[float, float, float, float]]]) -> float:
    """PSNR (dB, all colour channels) of `masked` against `original` over the pixels no mask rectangle covers."""
    sq, count = 0.0, 0
    with av.open(str(original)) as a, av.open(str(masked)) as b:
        for k, (fa, fb) in enumerate(zip(a.decode(video=0), b.decode(video=0), strict=True)):
            x = fa.to_ndarray(format="bgr24").astype(np.float32)
            y = fb.to_ndarray(format="bgr24").astype(np.float32)
            keep = np.ones(x.shape[:2], bool)
            h, w = keep.shape
            for x1, y1, x2, y2 in regions.get(k, []):
                keep[max(0, int(y1)) : min(h, int(np.ceil(y2))), max(0, int(x1)) : min(w, int(np.ceil(x2)))] = False
            diff = (x - y)[keep]
            sq += float(np.square(diff).sum())
            count += diff.size
    mse = sq / max(1, count)
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def cpu_seconds() -> float:
    """CPU time of this process (all threads) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_jobs(segment: Path, count: int, encoding: EncodingConfig) -> tuple[float, float]:
    """(wall seconds, CPU seconds) per segment of whole at-rest jobs on `count` copies of `segment`."""
    work = OUT / "media"
    shutil.rmtree(work, ignore_errors=True)
    start = int(time.time()) - 3600
    for i in range(count):
        t = datetime.fromtimestamp(start + 10 * i, UTC)
        dst = work / "recordings" / f"{t:%Y-%m-%d}" / f"{t:%H}" / "bench" / f"{t:%M}.{t:%S}.mp4"
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(segment, dst)
        os.utime(dst, (start, start))
    key = generate_identity_file(OUT / f"key-{time.time_ns()}.txt")
    cfg_path = OUT / "config.yaml"
    cfg_path.write_text(
        yaml.safe_dump(
            {
                "frigate": {"url": "http://127.0.0.1:9", "timeout": 1, "retries": 1, "media_root": str(work)},
                "storage": {"data_dir": str(OUT / "data")},
                "encoding": encoding.model_dump(mode="json"),
                "atrest": {"escrow_recipients": [key.recipient], "select": "all", "delay_minutes": 0,
                           "settle_seconds": 1, "cpu_share": 1.0, "snapshots": False, "previews": False},
                "cameras": {"bench": {"policy": {"mask_at_rest": True}}},
            }
        )
    )  # fmt: skip
    cfg = load_config(cfg_path)
    with AtRest(cfg) as atrest:
        wall, cpu = time.monotonic(), cpu_seconds()
        counts = atrest.run_pass()
        wall, cpu = time.monotonic() - wall, cpu_seconds() - cpu
    assert counts == {"done": count}, counts
    return wall / count, cpu / count


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--segments", type=int, default=4, help="segments in the whole-job row")
    ap.add_argument("--activity", type=float, default=0.25, help="assumed share of segments with a person")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    clip, gt = OUT / "eval_1080p.mp4", OUT / "eval_1080p.json"
    if not clip.exists():
        build_eval_clip(clip, gt, 1080, FPS * SECONDS, seed=0)
    segment = OUT / "camera_1080p15.mp4"
    camera_segment(clip, segment)
    at = load_config_defaults()
    encoding = EncodingConfig(crf=at.crf)
    cap_ratio = at.max_size_ratio

    floor_out = OUT / "floor.mp4"
    wall, cpu = time.monotonic(), cpu_seconds()
    transcode(segment, floor_out, encoding)
    floor_s, floor_cpu = time.monotonic() - wall, cpu_seconds() - cpu

    masked = OUT / "masked.mp4"
    masked.unlink(missing_ok=True)
    engine = default_engine()
    wall, cpu = time.monotonic(), cpu_seconds()
    result: MaskResult = mask_video(
        segment, masked, MaskingConfig(), start=0.0, keep_audio=False, encoding=encoding,
        max_size_ratio=cap_ratio, boxes=None, engine=engine,
    )  # fmt: skip
    mask_s, mask_cpu = time.monotonic() - wall, cpu_seconds() - cpu
    metrics = evaluate(segment, masked, gt)
    psnr = psnr_outside(segment, masked, result.regions)
    psnr_floor = psnr_outside(segment, floor_out, {})
    ratio = masked.stat().st_size / segment.stat().st_size
    floor_ratio = floor_out.stat().st_size / segment.stat().st_size

    job_s, job_cpu = run_jobs(segment, args.segments, encoding)

    print(f"# at-rest benchmark {date.today()} — {platform.machine()}, {os.cpu_count()} cores (shared), "
          f"load average at the end {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(
        f"segment: 1080p {FPS} fps, {SECONDS} s, {segment.stat().st_size / 1e6:.2f} MB "
        f"({CAMERA_KBPS} kbit/s camera-like)"
    )
    cores = os.cpu_count() or 1
    print(f"style {MaskingConfig().style}, crf {encoding.crf}, preset {encoding.preset.value}, size cap {cap_ratio}x")
    print("")
    print(
        "Cameras kept up: `wall` = from the wall time measured here, on the shared machine; `CPU` = from the CPU "
        f"seconds, i.e. what {cores} dedicated cores at cpu_share 1.0 would keep up with. Activity-only assumes "
        f"{args.activity:.0%} of segments have a person."
    )
    print("")
    print(
        "| row | wall s per 10 s segment | CPU s | cameras, all segments (wall / CPU) | "
        "cameras, activity-only (wall / CPU) | PSNR outside masks | size ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, s, c, p, r in (
        ("transcode floor (no detection)", floor_s, floor_cpu, psnr_floor, floor_ratio),
        ("mask (detect + track + mask + encode)", mask_s, mask_cpu, psnr, ratio),
        ("whole at-rest job (+ sha256, age escrow, journal, replace)", job_s, job_cpu, None, None),
    ):
        all_wall, all_cpu = SECONDS / s, SECONDS * cores / c
        print(f"| {name} | {s:.2f} | {c:.2f} | {all_wall:.1f} / {all_cpu:.1f} | "
              f"{all_wall / args.activity:.1f} / {all_cpu / args.activity:.1f} | "
              f"{'' if p is None else f'{p:.1f} dB'} | {'' if r is None else f'{r:.2f}x'} |")  # fmt: skip
    print("")
    print(f"masking: leak-frames {metrics.leak_frames} / {metrics.face_frames} face-frames, "
          f"collateral {metrics.collateral_pct:.2f} %, frames {metrics.frames_in} -> {metrics.frames_out}")  # fmt: skip
    return 0


def load_config_defaults() -> AtRestConfig:
    """The at-rest defaults (crf, size cap) the bench measures."""
    return AtRestConfig()


if __name__ == "__main__":
    raise SystemExit(main())
