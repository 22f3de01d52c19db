"""Describe an answer of Frigate's that did not fit our model, so that a user can report it."""

from __future__ import annotations

from pydantic import ValidationError

from frigate_privacy.frigate.errors import FrigateApiError

__all__ = ["describe_invalid", "unexpected_answer"]

# How many invalid fields a message names; the count says how many there were in all.
_NAMED = 3


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(the whole answer)"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe_invalid(err: ValidationError) -> str:
    """`cameras.front.record.enabled: expected a valid boolean, got 'maybe'; ...` for the first few fields."""
    parts = []
    for item in err.errors(include_url=False)[:_NAMED]:
        expected = str(item["msg"]).removeprefix("Input should be ").removeprefix("Value error, ")
        got = "nothing (the field is missing)" if item["type"] == "missing" else _shown(item.get("input"))
        parts.append(f"{_path(tuple(item['loc']))}: expected {expected}, got {got}")
    more = err.error_count() - len(parts)
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def unexpected_answer(what: str, err: ValidationError, version: str) -> FrigateApiError:
    """The error for an answer of Frigate `version` that failed our model: field path, expected, got."""
    return FrigateApiError(
        f"unexpected {what} from Frigate {version}: {describe_invalid(err)}. "
        "If this Frigate version is supported, please report this message"
    )
