"""Who the audit log names: one actor format for every command, checked before any work is done."""

from __future__ import annotations

import argparse
import getpass
import os
import re

from frigate_privacy.audit.errors import AuditInputError

__all__ = ["NAME_RULE", "actor_arg", "check_audit_name", "operator_actor", "role_arg"]

# The characters the log accepts in actor and role (no spaces: one token, greppable, never ambiguous).
_NAME = re.compile(r"[A-Za-z0-9_.@:-]{1,128}")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.@:-]")
NAME_RULE = "1-128 letters, digits and _ . @ : - (no spaces)"


def check_audit_name(value: str, field: str) -> str:
    """`value` if the audit log accepts it as an actor or role name; AuditInputError naming the fix otherwise."""
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        hint = _UNSAFE.sub("_", str(value))[:128] or "name"
        raise AuditInputError(
            f"{field} {str(value)[:60]!r} is not valid for the audit log: use {NAME_RULE}, e.g. {hint!r}"
        )
    return value


def operator_actor() -> str:
    """`cli:<login name>` of whoever runs the command; `cli:uid-<n>` when the OS user has no name (containers)."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no LOGNAME/USER and no passwd entry for this uid
        name = ""
    name = _UNSAFE.sub("_", name)
    return ("cli:" + name)[:128] if name else f"cli:uid-{os.getuid()}"


def actor_arg(text: str) -> str:
    """Argparse `type=` for `--actor`: refused up front, before anything is exported or decrypted."""
    try:
        return check_audit_name(text, "--actor")
    except AuditInputError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def role_arg(text: str) -> str:
    """Argparse `type=` for `--role`."""
    try:
        return check_audit_name(text, "--role")
    except AuditInputError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
