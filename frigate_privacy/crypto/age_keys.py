"""age X25519 recipients (public `age1...`) and identities (secret `AGE-SECRET-KEY-1...`)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyrage import x25519

from frigate_privacy.crypto.errors import KeyFileError
from frigate_privacy.errors import InputError
from frigate_privacy.storage.atomic import AtomicFile

__all__ = [
    "GeneratedIdentity",
    "generate_identity_file",
    "load_identities",
    "load_recipients",
    "parse_recipient",
]

_SECRET_PREFIX = "AGE-SECRET-KEY-1"  # noqa: S105 - a format prefix, not a secret
_PUBLIC_PREFIX = "age1"


def parse_recipient(text: str, where: str = "recipient") -> x25519.Recipient:
    """One `age1...` public key; the message never echoes a secret key pasted by mistake."""
    value = text.strip()
    if value.upper().startswith(_SECRET_PREFIX):
        raise InputError(f"{where} is a secret key (AGE-SECRET-KEY-1...), not a public recipient; use its age1... key")
    if not value.startswith(_PUBLIC_PREFIX):
        raise InputError(f"{where} is not an age X25519 public key (expected age1...): {value[:16]!r}")
    try:
        return x25519.Recipient.from_str(value)
    except Exception:
        raise InputError(f"{where} is not a valid age public key: {value[:16]!r}...") from None


def _key_lines(path: Path) -> Iterable[tuple[int, str]]:
    """Non-blank, non-comment lines with their line numbers."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise KeyFileError(f"cannot read key file {path}: {getattr(err, 'strerror', None) or err}") from None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line and not line.startswith("#"):
            yield number, line


def load_recipients(keys: Sequence[str] = (), files: Sequence[Path] = ()) -> list[x25519.Recipient]:
    """Recipients from arguments and from recipients files (one per line, `#` comments allowed)."""
    recipients = [parse_recipient(key, f"recipient {i + 1}") for i, key in enumerate(keys)]
    for path in files:
        recipients.extend(parse_recipient(line, f"{path}:{number}") for number, line in _key_lines(path))
    return recipients


def load_identities(files: Sequence[Path]) -> list[x25519.Identity]:
    """Identities from age identity files as `age-keygen` writes them."""
    identities: list[x25519.Identity] = []
    for path in files:
        found = 0
        for number, line in _key_lines(path):
            if not line.upper().startswith(_SECRET_PREFIX):
                raise KeyFileError(f"{path}:{number} is not an age secret key (expected AGE-SECRET-KEY-1...)")
            try:
                identities.append(x25519.Identity.from_str(line))
            except Exception:
                # Never echo the line: it is (almost) a secret key.
                raise KeyFileError(f"{path}:{number} holds a malformed age secret key") from None
            found += 1
        if found == 0:
            raise KeyFileError(f"{path} holds no age secret key")
    return identities


@dataclass(frozen=True)
class GeneratedIdentity:
    """Where a new identity was written and the public recipient that goes with it."""

    path: Path
    recipient: str


def generate_identity_file(path: Path) -> GeneratedIdentity:
    """Write a new X25519 identity in `age-keygen` format to a new 0600 file."""
    identity = x25519.Identity.generate()
    public = str(identity.to_public())
    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    body = f"# created: {created}\n# public key: {public}\n{identity}\n"
    if os.path.lexists(path):
        raise InputError(f"{path} already exists; refusing to overwrite a key file")
    with AtomicFile(path) as out:
        out.write(body.encode("ascii"))
        out.commit()
    return GeneratedIdentity(path=path, recipient=public)
