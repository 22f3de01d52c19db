"""Who the audit log names when an operator runs a policy command by hand."""

from __future__ import annotations

import getpass
import re

__all__ = ["operator_actor"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.@:-]")


def operator_actor() -> str:
    """`cli:<login name>`, reduced to the characters the audit log accepts."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return ("cli:" + _UNSAFE.sub("_", name))[:128]
