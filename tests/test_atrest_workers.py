"""Scale-out: workers take jobs from a real mosquitto through an MQTT 5 shared subscription."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import Broker

from frigate_privacy.atrest.broker import Dispatcher
from frigate_privacy.atrest.journal import JobState, Journal
from frigate_privacy.atrest.runner import AtRest
from frigate_privacy.atrest.workspace import workspace_for
from tests.atrest_support import LEFT, Media, make_media, sha256, write_config
from tests.standin import FrigateStandin
from tests.test_export_support import models_ready

# One worker process: logs "start|end <slot> <rel> [outcome]" lines; SIGKILLs itself after `kill_step` once.
_WORKER = textwrap.dedent(
    """
    import os, signal, sys, threading
    from pathlib import Path
    from frigate_privacy.config.loader import load_config
    from frigate_privacy.atrest.broker import JobWorker
    from frigate_privacy.atrest.runner import AtRest

    config, slot, kill_step, log_path = sys.argv[1:5]
    cfg = load_config(Path(config))
    log = open(log_path, "a", buffering=1)

    def checkpoint(step, rel):
        if step == kill_step:
            log.write(f"killed {slot} {rel}\\n")
            os.kill(os.getpid(), signal.SIGKILL)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    with AtRest(cfg, slot=slot, checkpoint=checkpoint) as atrest:
        plain = atrest.process

        def logged(rel):
            log.write(f"start {slot} {rel}\\n")
            outcome = plain(rel)
            log.write(f"end {slot} {rel} {outcome.value}\\n")
            return outcome

        atrest.process = logged
        worker = JobWorker(cfg, atrest, stop)
        worker.start()
        assert worker.wait_subscribed(20)
        print("ready", flush=True)
        stop.wait()
        worker.close()
    """
)


@pytest.fixture(autouse=True)
def _models() -> None:
    models_ready()


def _media(standin: FrigateStandin, tmp_path: Path, broker: Broker) -> Media:
    media = make_media(standin, tmp_path, seconds=40, walks=((1, 35, LEFT),), atrest={"snapshots": False})
    data = media.cfg.model_dump(mode="json", exclude_unset=True)
    data["mqtt"] = {"host": broker.host, "port": broker.port, "client_id": "fp-atrest-test"}
    media.cfg = write_config(media.config_path, data)
    return media


def _start_worker(media: Media, slot: str, kill_step: str, log: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-c", _WORKER, str(media.config_path), slot, kill_step, str(log)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def _dispatch_until_done(media: Media, timeout: float) -> float:
    """Run the dispatcher until every segment is done; returns the seconds it took."""
    rels = {s.path.relative_to(media.standin.media_root).as_posix() for s in media.segments}
    started = time.monotonic()
    with AtRest(media.cfg, slot="dispatch") as atrest:
        dispatcher = Dispatcher(media.cfg, atrest, outstanding=2)
        dispatcher.start()
        assert dispatcher.wait_connected(10)
        try:
            while time.monotonic() - started < timeout:
                dispatcher.tick()
                states = atrest.journal.states()
                if all(states.get(r) is JobState.done for r in rels):
                    return time.monotonic() - started
                time.sleep(0.5)
        finally:
            dispatcher.close()
    raise AssertionError(f"not all segments done within {timeout} s")


def _stop(procs: list[subprocess.Popen[str]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_two_workers_share_the_work_never_the_same_file(mqtt_broker: Broker, tmp_path: Path) -> None:
    """Jobs spread over both workers through `$share/...`; each file is masked by exactly one of them, once."""
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        media = _media(standin, tmp_path, mqtt_broker)
        before = {s.path: sha256(s.path) for s in media.segments}
        log = tmp_path / "workers.log"
        procs = [_start_worker(media, slot, "", log) for slot in ("w0", "w1")]
        try:
            _dispatch_until_done(media, timeout=180)
        finally:
            _stop(procs)
        lines = [line.split() for line in log.read_text().splitlines()]
        masked = Counter(parts[2] for parts in lines if parts[0] == "end" and parts[3] == "done")
        assert set(masked.values()) == {1} and len(masked) == len(media.segments), masked
        slots = {parts[1] for parts in lines if parts[0] == "end" and parts[3] == "done"}
        assert slots == {"w0", "w1"}, "the broker handed every job to one worker"
        with Journal(workspace_for(media.cfg).journal_path) as journal:
            assert all(j.attempts == 1 for j in journal.jobs())
        assert all(sha256(p) != digest for p, digest in before.items())


def test_killed_worker_job_is_finished_by_the_other(mqtt_broker: Broker, tmp_path: Path) -> None:
    """w0 dies (SIGKILL) right after masking a file; w1 takes the job over once the lease ends, without re-masking."""
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        media = _media(standin, tmp_path, mqtt_broker)
        log = tmp_path / "workers.log"
        procs = [_start_worker(media, "w0", "masked", log), _start_worker(media, "w1", "", log)]
        try:
            took = _dispatch_until_done(media, timeout=240)
        finally:
            _stop(procs)
        lines = [line.split() for line in log.read_text().splitlines()]
        (victim,) = [parts[2] for parts in lines if parts[0] == "killed"]
        assert procs[0].returncode == -signal.SIGKILL
        finishers = [parts[1] for parts in lines if parts[0] == "end" and parts[2] == victim and parts[3] == "done"]
        assert finishers == ["w1"]
        with Journal(workspace_for(media.cfg).journal_path) as journal:
            job = journal.get(victim)
            assert job is not None and job.state is JobState.done and job.attempts == 2
            assert job.owner is not None and job.owner.endswith("-w1")
            assert sha256(standin.media_root / victim) == job.masked_sha256  # w1 resumed the mask w0 made
        lease = media.cfg.atrest.lease_seconds
        assert took < lease + 120, "takeover must be bounded by the lease plus the scan interval"


def test_service_component_masks_in_the_background(mqtt_broker: Broker, tmp_path: Path) -> None:
    """`frigate-privacy run` with a mask_at_rest camera: its at-rest component masks the segments, health says so."""
    from tests.service_harness import ServiceProcess, Watcher, wait_for

    with FrigateStandin("0.16", tmp_path / "media") as standin:
        media = _media(standin, tmp_path, mqtt_broker)
        data = media.cfg.model_dump(mode="json", exclude_unset=True)
        data["mqtt"].update({"reconnect_min_delay": 1, "reconnect_max_delay": 2, "keepalive": 5})
        data["atrest"]["workers"] = 2
        write_config(media.config_path, data)
        before = {s.path: sha256(s.path) for s in media.segments}
        watcher = Watcher(mqtt_broker)
        service = ServiceProcess(media.config_path, tmp_path / "service.log")
        try:
            assert wait_for(lambda: all(sha256(p) != d for p, d in before.items()), timeout=300, step=0.5)
            health = lambda: (watcher.health() or {}).get("parts", {}).get("atrest", {})  # noqa: E731
            assert wait_for(lambda: health().get("state") == "ok", timeout=60), health()
            code, _ = service.terminate(timeout=60)
        finally:
            watcher.close()
            service.kill()
        assert code == 0
        with Journal(workspace_for(media.cfg).journal_path) as journal:
            assert {j.state for j in journal.jobs()} == {JobState.done}


def test_atrest_run_workers_cli(mqtt_broker: Broker, tmp_path: Path) -> None:
    """`atrest run --workers 2`: dispatcher plus two worker processes mask everything, then stop on SIGTERM."""
    with FrigateStandin("0.18", tmp_path / "media") as standin:
        media = _media(standin, tmp_path, mqtt_broker)
        before = {s.path: sha256(s.path) for s in media.segments}
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        proc = subprocess.Popen(
            [sys.executable, "-m", "frigate_privacy", "atrest", "run", "--config", str(media.config_path),
             "--workers", "2"],
            env=env, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline and any(sha256(p) == d for p, d in before.items()):
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(1)
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=120)
        assert all(sha256(p) != d for p, d in before.items()), "not every segment was masked"
        assert code == 0
        with Journal(workspace_for(media.cfg).journal_path) as journal:
            owners = {j.owner.rsplit("-", 1)[-1] for j in journal.jobs() if j.owner}
            assert {j.state for j in journal.jobs()} == {JobState.done}
        assert owners <= {"w0", "w1"} and owners
