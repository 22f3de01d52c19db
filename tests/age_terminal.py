"""Drive the real `age` CLI on a pseudo-terminal: age reads passphrases only from its controlling tty."""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import time

AGE = shutil.which("age")


def age_on_a_terminal(args: list[str], passphrase: str, timeout: float = 60.0) -> tuple[int, str]:
    """Run `age ARGS` with a pty as its terminal, type `passphrase` at each prompt; return (exit code, screen)."""
    assert AGE is not None, "the age CLI is not installed"
    pid, fd = pty.fork()
    if pid == 0:  # child: the pty is now /dev/tty, where age reads passphrases
        try:
            os.execv(AGE, [AGE, *args])
        finally:
            os._exit(127)
    seen, answered = b"", 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    chunk = os.read(fd, 1024)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
                if seen.lower().count(b"passphrase") > answered:
                    answered += 1
                    os.write(fd, passphrase.encode() + b"\n")
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")
        else:
            os.kill(pid, signal.SIGKILL)  # timed out
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")
    finally:
        os.close(fd)
