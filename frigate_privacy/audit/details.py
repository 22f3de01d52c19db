"""Checks that keep secrets, binary and image data out of the audit log (pure functions)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from frigate_privacy.audit.errors import AuditInputError

__all__ = [
    "MAX_DETAILS_BYTES",
    "MAX_STRING",
    "canonical_details",
    "check_free_text",
    "safe_text",
    "validate_details",
]

MAX_DETAILS_BYTES = 4096
MAX_STRING = 256
_MAX_DEPTH = 3
_MAX_ITEMS = 50
_KEY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
# Key words that name secrets. Whole words (split on _ . - and camelCase) ...
_SECRET_WORDS = {"key", "keys", "pwd", "pass", "pin", "auth", "identity", "identities", "otp", "salt", "nonce"}
# ... and fragments that are secret wherever they appear (privateKey, apitoken, ...).
_SECRET_FRAGMENTS = ("password", "passwd", "passphrase", "secret", "token", "credential", "cookie", "privatekey")
# Text that is key material or embedded media, whatever the key is called.
_SECRET_MARKERS = ("AGE-SECRET-KEY-", "-----BEGIN", "PRIVATE KEY", "data:image/", "data:video/")


def _words(key: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", key)
    return [w.lower() for w in re.split(r"[\s_.\-]+", spaced) if w]


def _check_key(key: object, where: str) -> str:
    if not isinstance(key, str) or not _KEY_PATTERN.fullmatch(key):
        raise AuditInputError(f"{where}: detail keys must be short identifiers (letters, digits, _ . -)")
    lowered = key.lower()
    if any(word in _SECRET_WORDS for word in _words(key)) or any(f in lowered for f in _SECRET_FRAGMENTS):
        raise AuditInputError(f"{where}.{key}: the audit log never stores secrets (passwords, tokens, key material)")
    return key


def check_free_text(value: str, where: str, max_length: int) -> None:
    """Reject over-long text, control characters and anything that looks like key material or media."""
    if len(value) > max_length:
        raise AuditInputError(f"{where} is {len(value)} characters long; the limit is {max_length}")
    if any(ord(c) < 32 and c not in "\t" for c in value):
        raise AuditInputError(f"{where} holds control characters")
    upper = value.upper()
    if any(marker.upper() in upper for marker in _SECRET_MARKERS):
        raise AuditInputError(f"{where} looks like key material or embedded media; the audit log never stores it")


def safe_text(value: object, max_length: int = MAX_STRING) -> str:
    """Text from files or Frigate made fit for an entry (and a terminal) instead of refusing the entry.

    Control characters become visible escapes, anything that looks like key material or media is
    replaced by a marker, and over-long text is cut with a trailing "...".
    """
    text = str(value)
    text = "".join(c if (ord(c) >= 32 and ord(c) != 127) or c == "\t" else repr(c)[1:-1] for c in text)
    for marker in _SECRET_MARKERS:
        text = re.sub(re.escape(marker), "[redacted]", text, flags=re.IGNORECASE)
    if len(text) > max_length:
        text = text[: max(0, max_length - 3)] + "..."
    return text


def _check_value(value: object, where: str, depth: int) -> None:
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise AuditInputError(f"{where} is not a finite number")
        return
    if isinstance(value, str):
        check_free_text(value, where, MAX_STRING)
        return
    if isinstance(value, bytes | bytearray | memoryview):
        raise AuditInputError(f"{where} holds binary data; the audit log never stores image or binary data")
    if depth + 1 >= _MAX_DEPTH:
        raise AuditInputError(f"{where} is nested too deeply (at most {_MAX_DEPTH} levels)")
    if isinstance(value, list | tuple):
        if len(value) > _MAX_ITEMS:
            raise AuditInputError(f"{where} has {len(value)} items; the limit is {_MAX_ITEMS}")
        for i, item in enumerate(value):
            _check_value(item, f"{where}[{i}]", depth + 1)
        return
    if isinstance(value, Mapping):
        _check_mapping(value, where, depth + 1)
        return
    raise AuditInputError(f"{where} has type {type(value).__name__}; use text, numbers, lists or mappings")


def _check_mapping(mapping: Mapping[Any, Any], where: str, depth: int) -> None:
    if len(mapping) > _MAX_ITEMS:
        raise AuditInputError(f"{where} has {len(mapping)} keys; the limit is {_MAX_ITEMS}")
    for key, value in mapping.items():
        name = _check_key(key, where)
        _check_value(value, f"{where}.{name}", depth)


def canonical_details(details: Mapping[str, Any]) -> str:
    """The one JSON text stored (and hashed) for a details mapping."""
    return json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def validate_details(details: Mapping[str, Any] | None) -> str:
    """Check `details` and return its canonical JSON; raises AuditInputError naming the bad field."""
    if details is None:
        return "{}"
    if not isinstance(details, Mapping):
        raise AuditInputError("details must be a mapping")
    _check_mapping(details, "details", 0)
    text = canonical_details(details)
    size = len(text.encode("utf-8"))
    if size > MAX_DETAILS_BYTES:
        raise AuditInputError(f"details take {size} bytes as JSON; the limit is {MAX_DETAILS_BYTES}")
    return text
