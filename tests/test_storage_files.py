"""The one atomic writer and the one leftover sweeper: nothing partial is visible, nothing stale stays."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from frigate_privacy.errors import InputError, OutputPathError
from frigate_privacy.export.staging import Staging, sweep_stale_staging
from frigate_privacy.storage import leftovers
from frigate_privacy.storage.atomic import PARTIAL_PREFIX, AtomicFile
from frigate_privacy.storage.leftovers import leftover_name, owner_tag, sweep_leftovers


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


@pytest.fixture(params=[True, False], ids=["o_tmpfile", "named_fallback"])
def tmpfile(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    if not request.param:
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    return bool(request.param)


def test_nothing_is_visible_until_commit_and_the_file_is_private(tmp_path: Path, tmpfile: bool) -> None:
    dest = tmp_path / "out.bin"
    with AtomicFile(dest) as out:
        out.write(b"secret " * 1000)
        names = sorted(p.name for p in tmp_path.iterdir())
        assert "out.bin" not in names
        assert names == ([] if tmpfile else [out.temp_path.name if out.temp_path else "?"])
        out.commit()
    assert dest.read_bytes() == b"secret " * 1000 and stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_leaving_without_commit_discards(tmp_path: Path, tmpfile: bool) -> None:
    dest = tmp_path / "x.bin"
    dest.write_bytes(b"previous")
    with AtomicFile(dest, overwrite=True) as out:
        os.write(out.fd, b"new")  # an early return or exception: no commit
    assert dest.read_bytes() == b"previous"
    with pytest.raises(RuntimeError), AtomicFile(dest, overwrite=True) as out:
        out.write(b"new")
        raise RuntimeError
    assert dest.read_bytes() == b"previous" and [p.name for p in tmp_path.iterdir()] == ["x.bin"]
    with AtomicFile(dest, overwrite=True) as out:
        os.write(out.fd, b"new")
        out.commit()
    assert dest.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["x.bin"]


def test_never_clobbers_without_overwrite(tmp_path: Path, tmpfile: bool) -> None:
    dest = tmp_path / "key.txt"
    dest.write_bytes(b"theirs")
    with pytest.raises(InputError, match="already exists"):
        AtomicFile(dest)
    dest.unlink()
    out = AtomicFile(dest)
    out.write(b"ours")
    dest.write_bytes(b"appeared meanwhile")
    with pytest.raises(InputError, match="already exists"):
        out.commit()
    assert dest.read_bytes() == b"appeared meanwhile" and [p.name for p in tmp_path.iterdir()] == ["key.txt"]


def test_native_writers_write_by_path(tmp_path: Path, tmpfile: bool) -> None:
    dest = tmp_path / "clip.bin"
    with AtomicFile(dest) as out:
        out.write(b"head-")
        with open(out.reopen_path(), "ab") as native:  # as PyAV or pyrage would, by name
            native.write(b"tail")
        out.commit()
    assert dest.read_bytes() == b"head-tail"


def test_destination_errors_name_the_fix(tmp_path: Path) -> None:
    with pytest.raises(OutputPathError, match="does not exist"):
        AtomicFile(tmp_path / "missing" / "x")
    with pytest.raises(OutputPathError, match="is a directory"):
        AtomicFile(tmp_path)


def _make(directory: Path, name: str, *, is_dir: bool = False) -> Path:
    path = directory / name
    if is_dir:
        path.mkdir()
        (path / "inner.part").write_bytes(b"ciphertext")
    else:
        path.write_bytes(b"unmasked frames")
    return path


def test_sweep_removes_only_leftovers_whose_maker_is_gone(tmp_path: Path) -> None:
    pid, start = owner_tag().split(".")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        deadline = time.monotonic() + 10
        while leftovers._start_ticks(sleeper.pid) is None and time.monotonic() < deadline:
            time.sleep(0.01)
        alive_tag = f"{sleeper.pid}.{leftovers._start_ticks(sleeper.pid)}"
        mine = _make(tmp_path, leftover_name(PARTIAL_PREFIX))
        other_live = _make(tmp_path, f"{PARTIAL_PREFIX}{alive_tag}-aa")
        dead = _make(tmp_path, f"{PARTIAL_PREFIX}{_dead_pid()}.123-bb")
        # A live process's id with another start time: the id was reused after the maker died.
        reused = _make(tmp_path, f"{PARTIAL_PREFIX}{sleeper.pid}.1-cc")
        # Our own id with another start time: what an earlier PID 1 of a restarted container left.
        earlier_me = _make(tmp_path, f"{PARTIAL_PREFIX}{pid}.{int(start) - 1}-dd", is_dir=True)
        unrelated = _make(tmp_path, "holiday.mp4")
        removed = sweep_leftovers(tmp_path, PARTIAL_PREFIX)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert sorted(removed) == sorted([dead, reused, earlier_me])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, other_live.name, unrelated.name])


def test_untagged_leftovers_fall_back_to_pid_and_age(tmp_path: Path) -> None:
    """Names from before the start time was recorded: a dead pid goes, our own pid goes if older than us."""
    dead = _make(tmp_path, f"{PARTIAL_PREFIX}{_dead_pid()}-abc")
    old_mine = _make(tmp_path, f"{PARTIAL_PREFIX}{os.getpid()}-old")
    os.utime(old_mine, (leftovers._STARTED_AT - 60, leftovers._STARTED_AT - 60))
    new_mine = _make(tmp_path, f"{PARTIAL_PREFIX}{os.getpid()}-new")
    assert sorted(sweep_leftovers(tmp_path, PARTIAL_PREFIX)) == sorted([dead, old_mine])
    assert [p.name for p in tmp_path.iterdir()] == [new_mine.name]


def test_staging_of_a_killed_export_with_our_own_pid_is_swept(tmp_path: Path) -> None:
    """In a container the service is PID 1 every time: a killed earlier PID 1's staging must still go."""
    pid, start = owner_tag().split(".")
    earlier = _make(tmp_path, f".staging-{pid}.{int(start) - 5}-0a0b0c0d", is_dir=True)
    current = Staging(tmp_path)
    assert sweep_stale_staging(tmp_path) == [earlier]
    assert [p.name for p in tmp_path.iterdir()] == [current.path.name]
    current.cleanup()
