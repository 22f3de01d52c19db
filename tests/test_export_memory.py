"""Memory stays bounded by design: a clip three times as long needs no more peak memory (queues, chunks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from frigate_privacy.crypto.age_keys import generate_identity_file
from frigate_privacy.export.times import iso_utc
from tests.standin import FrigateStandin
from tests.test_export_support import config, make_scene, models_ready

REPO = Path(__file__).resolve().parent.parent


def _peak_rss_kib(cfg: Path, recipient: str, start: float, end: float) -> int:
    """Run one export in a fresh process and return its peak resident memory."""
    args = [
        "export", "--config", str(cfg), "--camera", "front", "--start", iso_utc(start), "--end", iso_utc(end),
        "--recipient", recipient, "--requester", "J. Doe", "--purpose", "memory test",
        "--legal-basis", "subject-access", "--actor", "tester",
    ]  # fmt: skip
    code = (
        "import resource, sys\nfrom frigate_privacy.cli import main\n"
        f"rc = main({args!r})\n"
        "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\nsys.exit(rc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return int(done.stdout.decode().split("PEAK")[1].split()[0])


def test_peak_memory_does_not_grow_with_clip_length(tmp_path: Path) -> None:
    models_ready()
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        scene = make_scene(standin, seconds=60)
        cfg = config(standin, tmp_path / "data")
        cfg_path = tmp_path / "cfg.yml"
        cfg_path.write_text(yaml.safe_dump(cfg.model_dump(mode="json")))
        key = generate_identity_file(tmp_path / "key.txt")
        short = _peak_rss_kib(cfg_path, key.recipient, scene.start + 1, scene.start + 20)
        long = _peak_rss_kib(cfg_path, key.recipient, scene.start + 1, scene.start + 59)
    sizes = sorted(p.stat().st_size for p in (tmp_path / "data" / "exports").glob("*.fpx.age"))
    assert sizes[1] > 2.5 * sizes[0], "the long export really holds about three times the video"
    print(f"peak RSS: 19 s clip {short / 1024:.0f} MiB, 58 s clip {long / 1024:.0f} MiB; sizes {sizes}")
    # Three times the video, but the same buffers: allow noise, not proportional growth.
    if long > short * 1.25 + 20 * 1024:
        pytest.fail(f"peak memory grew with the clip: {short} KiB -> {long} KiB")
