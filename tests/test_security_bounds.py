"""Bounded resources against crafted input: scrypt work factor, bundle members, sizes and lengths."""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import Broker
from pyrage import encrypt as age_encrypt
from pyrage import passphrase as age_passphrase
from pyrage import x25519

from frigate_privacy.cli import main
from frigate_privacy.config.mqtt import MqttConfig
from frigate_privacy.crypto.age import MAX_SCRYPT_LOG_N
from frigate_privacy.export.bundle_reader import MAX_MEMBERS
from frigate_privacy.export.operations import OpenRequest, decrypt_export
from frigate_privacy.frigate.boxes import Size
from frigate_privacy.frigate.listener import FrigateListener
from frigate_privacy.frigate.models import EventMessage
from frigate_privacy.frigate.trackstore import TrackStore
from tests.frigate_payloads import event_message, state
from tests.standin import StandinPublisher

REPO = Path(__file__).resolve().parent.parent
PASS = "correct horse battery staple 7"


def _crafted_work_factor(log_n: int) -> bytes:
    """A real passphrase file whose scrypt stanza is edited to ask for 2^log_n (about 200 bytes of header)."""
    sealed = bytes(age_passphrase.encrypt(b"x" * 100, PASS))
    head, rest = sealed.split(b"\n-> scrypt ", 1)
    salt, _, tail = rest.partition(b" ")
    return head + b"\n-> scrypt " + salt + b" " + str(log_n).encode() + tail[tail.index(b"\n") :]


@pytest.mark.parametrize("log_n", [24, 40, 0])
def test_crafted_scrypt_work_factor_is_refused_before_key_derivation(
    tmp_path: Path, log_n: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    crafted = tmp_path / "x.fpx.age"
    crafted.write_bytes(_crafted_work_factor(log_n))
    monkeypatch.setenv("FP_TEST_PASS", PASS)
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    code = main(["verify", str(crafted), "--passphrase-env", "FP_TEST_PASS"])
    err = capsys.readouterr().err
    assert code != 0 and "work factor" in err and "Traceback" not in err
    assert time.monotonic() - started < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: no GiB-sized derivation


def test_work_factor_under_a_memory_cap_is_a_clear_error_not_a_panic(tmp_path: Path) -> None:
    crafted = tmp_path / "x.fpx.age"
    crafted.write_bytes(_crafted_work_factor(24))
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))\n"
        "from frigate_privacy.cli import main\n"
        f"sys.exit(main(['verify', {str(crafted)!r}, '--passphrase-env', 'P']))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, timeout=60, env={"P": PASS, "PATH": ""}
    )
    assert proc.returncode not in (0, -6) and b"work factor" in proc.stderr and b"panic" not in proc.stderr


def test_our_own_passphrase_exports_stay_under_the_cap() -> None:
    sealed = bytes(age_passphrase.encrypt(b"x", PASS))
    log_n = int(sealed.split(b"\n-> scrypt ", 1)[1].split(b"\n", 1)[0].split(b" ")[1])
    assert log_n < MAX_SCRYPT_LOG_N  # at least 2x margin over what rage picks on this machine


def test_bundle_with_thousands_of_members_is_refused_before_any_file_is_opened(tmp_path: Path) -> None:
    identity = x25519.Identity.generate()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(5000):
            zf.writestr(f"m{i}", b"")
    path = tmp_path / "x.fpx.age"
    path.write_bytes(bytes(age_encrypt(buf.getvalue(), [identity.to_public()])))
    out = tmp_path / "out"
    report = decrypt_export(OpenRequest(path, "t", "admin", identities=[identity]), None, out)
    assert not report.ok and any(f"at most {MAX_MEMBERS}" in p for p in report.problems), report.problems
    assert not out.exists() or not any(out.iterdir())


def test_mqtt_burst_with_huge_sub_labels_does_not_grow_the_track_store(mqtt_broker: Broker, tmp_path: Path) -> None:
    listener = FrigateListener(MqttConfig(host=mqtt_broker.host, port=mqtt_broker.port, client_id="fp-bounds"))
    store = TrackStore(tmp_path / "tracks.sqlite3")
    stored: list[str] = []

    def keep(msg: EventMessage) -> None:
        store.add_event_message(msg, Size(1280, 720))
        stored.append(msg.after.id)

    listener.subscribe(EventMessage, keep)  # type: ignore[arg-type]
    listener.start()
    assert listener.wait_connected(10)
    try:
        with StandinPublisher(mqtt_broker.host, mqtt_broker.port, "0.16") as pub:
            now = time.time()
            for i in range(300):  # the adversary's burst: 300 events with 100 KB names and zone lists
                after = state(id=f"{now:.6f}-x{i}", sub_label=["A" * 100_000, 0.9], current_zones=["z"] * 5000)
                pub.publish_raw("frigate/events", event_message("new", None, after))
            good = state(id=f"{now:.6f}-good", sub_label=["alice", 0.9])
            pub.publish_raw("frigate/events", event_message("new", None, good))
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and f"{now:.6f}-good" not in stored:
                time.sleep(0.05)
        assert stored == [f"{now:.6f}-good"]
        assert listener.malformed == 300 and listener.connected
    finally:
        listener.stop()
        store.close()
    assert (tmp_path / "tracks.sqlite3").stat().st_size < 1_000_000
