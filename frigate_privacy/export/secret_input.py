"""Passphrases from a terminal (asked twice when setting one), an environment variable or a file descriptor."""

from __future__ import annotations

import getpass
import os
import sys

from frigate_privacy.crypto.passphrase import check_passphrase
from frigate_privacy.errors import InputError

__all__ = ["read_passphrase"]

_MAX_FD_BYTES = 4096


def _from_fd(fd: int) -> str:
    try:
        data = os.read(fd, _MAX_FD_BYTES)
    except OSError as err:
        raise InputError(f"cannot read the passphrase from file descriptor {fd}: {err.strerror}") from None
    text = data.decode("utf-8", errors="strict").split("\n", 1)[0].rstrip("\r")
    return text


def read_passphrase(*, env: str | None, fd: int | None, confirm: bool, enforce_rules: bool) -> str:
    """The passphrase from `env` (a variable name), `fd`, or a prompt on the terminal (twice if `confirm`).

    `enforce_rules` applies the strength rules (for new exports; opening an old file accepts any).
    """
    if env is not None:
        value = os.environ.get(env)
        if value is None:
            raise InputError(f"environment variable {env} is not set")
    elif fd is not None:
        value = _from_fd(fd)
    else:
        if not sys.stdin.isatty():
            raise InputError(
                "no terminal to ask for the passphrase; use --passphrase-env VAR or --passphrase-fd N for automation"
            )
        value = getpass.getpass("passphrase: ")
        if confirm and getpass.getpass("passphrase (again): ") != value:
            raise InputError("the two passphrases differ; nothing was done")
    if not value:
        raise InputError("the passphrase is empty")
    if enforce_rules:
        check_passphrase(value)
    return value
