"""Passphrase strength rules and a generator for strong passphrases. Never log a passphrase."""

from __future__ import annotations

import itertools
import math
import secrets

from zxcvbn import zxcvbn

from frigate_privacy.crypto.errors import WeakPassphraseError

__all__ = [
    "GENERATED_ALPHABET",
    "GENERATE_HINT",
    "MIN_LENGTH",
    "MIN_ZXCVBN_SCORE",
    "RUN_LENGTH",
    "check_passphrase",
    "generate_passphrase",
    "generated_entropy_bits",
    "passphrase_problems",
]

MIN_LENGTH = 12
# zxcvbn's score 4 ("very unguessable", >= 1e10 guesses): a stolen export faces an offline attack without limits.
MIN_ZXCVBN_SCORE = 4
# zxcvbn's cost grows with length and it learns nothing from beyond this many characters.
_ZXCVBN_MAX_CHARS = 100
GENERATE_HINT = "or let us choose one: --generate-passphrase"
# Four identical characters (1111) or four consecutive ones (1234, abcd, dcba) break the rules.
RUN_LENGTH = 4
# Lower-case letters and digits without the look-alikes l, o, 0 and 1: 32 symbols, 5 bits each.
GENERATED_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
_GROUPS = 6
_GROUP_SIZE = 5


def _has_repeat_run(text: str) -> bool:
    run = 1
    for prev, cur in itertools.pairwise(text):
        run = run + 1 if cur == prev else 1
        if run >= RUN_LENGTH:
            return True
    return False


def _has_sequence(text: str) -> bool:
    """Ascending or descending steps of one within digits or within letters (case-insensitive)."""
    lowered = text.lower()
    for step in (1, -1):
        run = 1
        for prev, cur in itertools.pairwise(lowered):
            same_class = (prev.isdigit() and cur.isdigit()) or (
                prev.isascii() and prev.isalpha() and cur.isascii() and cur.isalpha()
            )
            run = run + 1 if same_class and ord(cur) - ord(prev) == step else 1
            if run >= RUN_LENGTH:
                return True
    return False


def passphrase_problems(passphrase: str) -> list[str]:
    """Every rule the passphrase breaks, as messages that never quote the passphrase."""
    problems = []
    if len(passphrase) < MIN_LENGTH:
        problems.append(f"it must be at least {MIN_LENGTH} characters long (it has {len(passphrase)})")
    if _has_repeat_run(passphrase):
        problems.append(f"it must not repeat one character {RUN_LENGTH} or more times in a row (like 1111)")
    if _has_sequence(passphrase):
        problems.append(
            f"it must not contain a sequence of {RUN_LENGTH} or more consecutive characters, "
            "up or down (like 1234, abcd or dcba)"
        )
    problems += _estimator_problems(passphrase)
    return problems


def _estimator_problems(passphrase: str) -> list[str]:
    """Zxcvbn's verdict (dictionary words, names, dates, keyboard walks, l33t, repeats), never quoting the text."""
    result = zxcvbn(passphrase[:_ZXCVBN_MAX_CHARS])
    score = int(result["score"])
    if score >= MIN_ZXCVBN_SCORE:
        return []
    feedback = result.get("feedback") or {}
    advice = " ".join(part for part in [feedback.get("warning") or "", *(feedback.get("suggestions") or [])] if part)
    text = f"it is too easy to guess (strength {score} of 4 by the zxcvbn estimator, 4 needed)"
    return [f"{text}: {advice}" if advice else text]


def check_passphrase(passphrase: str) -> None:
    """Raise WeakPassphraseError naming each broken rule."""
    problems = passphrase_problems(passphrase)
    if problems:
        raise WeakPassphraseError("passphrase rejected: " + "; ".join(problems) + f"; {GENERATE_HINT}")


def generate_passphrase() -> str:
    """A random passphrase such as `k7dqz-m3xha-...` (150 bits) that passes `check_passphrase`."""
    while True:
        groups = ["".join(secrets.choice(GENERATED_ALPHABET) for _ in range(_GROUP_SIZE)) for _ in range(_GROUPS)]
        candidate = "-".join(groups)
        # Rejection sampling: dropping the rare candidates with a run or sequence costs < 1 bit.
        if not passphrase_problems(candidate):
            return candidate


def generated_entropy_bits() -> float:
    """Entropy of `generate_passphrase()` before rejection sampling."""
    return _GROUPS * _GROUP_SIZE * math.log2(len(GENERATED_ALPHABET))
