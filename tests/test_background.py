"""The one background thread: its exception reaches the caller, a deliberate stop does not."""

from __future__ import annotations

import os
import threading

from frigate_privacy.background import BackgroundTask
from frigate_privacy.pipes import FdWriter, open_pipe


class _Stop(Exception):
    pass


def _fail() -> None:
    raise OSError(28, "No space left on device")


def test_the_exception_is_kept_for_the_caller_and_siblings_are_told() -> None:
    told = threading.Event()
    task = BackgroundTask("worker", _fail, on_error=lambda err: told.set())
    task.start()
    task.join(10)
    assert isinstance(task.error, OSError) and task.error.errno == 28 and told.is_set()


def test_an_expected_stop_is_not_an_error() -> None:
    def stop() -> None:
        raise _Stop

    task = BackgroundTask("worker", stop, expected=(_Stop,), on_error=lambda err: None)
    task.start()
    task.join(10)
    assert task.error is None and not task.is_alive()


def test_pipe_carries_more_than_its_buffer_through_a_thread() -> None:
    read_fd, write_fd = open_pipe()
    payload = bytes(range(256)) * 20_000  # 5 MB: several times the pipe buffer

    def produce() -> None:
        try:
            FdWriter(write_fd).write(payload)
        finally:
            os.close(write_fd)

    task = BackgroundTask("producer", produce)
    task.start()
    received = bytearray()
    while chunk := os.read(read_fd, 1 << 16):
        received += chunk
    os.close(read_fd)
    task.join(10)
    assert task.error is None and bytes(received) == payload
