"""Crash safety: the worker is SIGKILLed after every step; a restart leaves every file masked + escrowed, once."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from frigate_privacy.atrest.job import STEPS
from frigate_privacy.atrest.journal import JobState, Journal
from frigate_privacy.atrest.masker import default_engine, default_still
from frigate_privacy.atrest.runner import AtRest
from frigate_privacy.atrest.workspace import workspace_for
from tests.atrest_support import LEFT, age_decrypt, make_media, sha256
from tests.standin import FrigateStandin
from tests.test_export_support import models_ready

# Runs one pass and SIGKILLs itself right after `step` became durable for the first file.
_KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from frigate_privacy.config.loader import load_config
    from frigate_privacy.atrest.runner import AtRest

    step = sys.argv[2]

    def checkpoint(done: str, rel: str) -> None:
        if done == step:
            os.kill(os.getpid(), signal.SIGKILL)

    with AtRest(load_config(Path(sys.argv[1])), checkpoint=checkpoint) as atrest:
        atrest.run_pass()
    """
)


@pytest.fixture(autouse=True)
def _models() -> None:
    models_ready()


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("step", STEPS)
def test_kill_after_every_step(step: str, tmp_path: Path) -> None:
    """SIGKILL after `step`, restart: every file is masked once, its original escrowed, no temp anywhere."""
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        media = make_media(standin, tmp_path, seconds=10, walks=((1, 8, LEFT),))
        root = standin.media_root
        originals = {p: sha256(p) for p in _files(root)}
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        killed = subprocess.run([sys.executable, "-c", _KILLER, str(media.config_path), step], env=env, timeout=300)
        assert killed.returncode == -signal.SIGKILL, "the worker did not reach the step"
        ws = workspace_for(media.cfg)
        with Journal(ws.journal_path) as journal:
            interrupted = [j for j in journal.jobs() if j.state is not JobState.done or step == "done"]
            assert interrupted, "the kill left no job behind"
            rel = interrupted[0].file.rel if step != "done" else None
            recorded_masked = {j.file.rel: j.masked_sha256 for j in journal.jobs() if j.masked_sha256}
        # Whatever the step, each file is now exactly its original or (once done) masked with an escrow copy.
        for path, digest in originals.items():
            current = sha256(path)
            relp = path.relative_to(root).as_posix()
            if current != digest:
                assert recorded_masked.get(relp) == current, f"{relp} is neither original nor the recorded mask"

        masks = {"count": 0}
        engine = default_engine()

        def counting(masking, fps, region_filter):  # type: ignore[no-untyped-def]
            masks["count"] += 1
            return engine(masking, fps, region_filter)

        still = default_still()

        def counting_still(masking):  # type: ignore[no-untyped-def]
            masks["count"] += 1
            return still(masking)

        with AtRest(media.cfg, engine=counting, still=counting_still) as atrest:
            atrest.run_pass()
        with Journal(ws.journal_path) as journal:
            jobs = {j.file.rel: j for j in journal.jobs()}
            escrow = {r.rel: r for r in journal.find_escrow()}
        assert all(j.state is JobState.done for j in jobs.values()), {r: j.state for r, j in jobs.items()}
        # Never masked twice: a file masked before the kill keeps that result; only the rest were masked now.
        for relp, digest in recorded_masked.items():
            assert jobs[relp].masked_sha256 == digest
        already = set(recorded_masked)
        assert masks["count"] == len(jobs) - len(already)
        assert len(jobs) == len(escrow) >= 3  # the segment, its snapshot(s) and thumbnails
        for relp, job in jobs.items():
            path = root / relp
            assert sha256(path) == job.masked_sha256 != job.orig_sha256
            plain = age_decrypt(media.key.path, ws.escrow_dir / escrow[relp].file)
            assert hashlib.sha256(plain).hexdigest() == originals[path] == job.orig_sha256
        if rel is not None:
            assert jobs[rel].attempts == 2
        # No temp file anywhere: not in our temp dir, not beside the media, not beside the escrow copies.
        assert not list(ws.tmp_dir.iterdir())
        leftovers = [p for p in _files(tmp_path) if p.name.endswith(".part") or ".frigate-privacy-partial" in p.name]
        assert not leftovers
