"""Passphrase rules and the generator."""

from __future__ import annotations

import pytest

from frigate_privacy.crypto.errors import WeakPassphraseError
from frigate_privacy.crypto.passphrase import (
    GENERATED_ALPHABET,
    check_passphrase,
    generate_passphrase,
    generated_entropy_bits,
    passphrase_problems,
)


@pytest.mark.parametrize(
    ("passphrase", "rule"),
    [
        ("short-Pass9", "at least 12 characters"),
        ("river-1111-Stone", "repeat one character"),
        ("river-aaaa-Stone", "repeat one character"),
        ("river-1234-Stone", "sequence"),
        ("river-abcd-Stone", "sequence"),
        ("river-ABCD-Stone", "sequence"),
        ("river-9876-Stone", "sequence"),
        ("river-dcba-Stone", "sequence"),
        ("river-WxYz-Stone", "sequence"),  # case does not hide a sequence
    ],
)
def test_each_rule_is_named(passphrase: str, rule: str) -> None:
    with pytest.raises(WeakPassphraseError, match=rule) as err:
        check_passphrase(passphrase)
    assert passphrase not in str(err.value)  # never echo the passphrase


@pytest.mark.parametrize(
    "passphrase", ["river-123-Stone-aaa", "correct horse battery", "n7Qx-p2Wd-k9Rm", "1357-abce-9753"]
)
def test_good_passphrases_pass(passphrase: str) -> None:
    assert passphrase_problems(passphrase) == []
    check_passphrase(passphrase)


def test_several_broken_rules_are_all_reported() -> None:
    problems = passphrase_problems("1111abcd")
    assert len(problems) == 3


def test_generator_output_is_strong_random_and_passes_the_rules() -> None:
    seen = {generate_passphrase() for _ in range(200)}
    assert len(seen) == 200
    for value in seen:
        check_passphrase(value)
        assert set(value) <= set(GENERATED_ALPHABET) | {"-"}
    assert generated_entropy_bits() >= 128
