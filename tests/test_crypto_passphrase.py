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
    assert len(problems) == 4  # length, repeat, sequence, and the estimator's verdict


def test_generator_output_is_strong_random_and_passes_the_rules() -> None:
    seen = {generate_passphrase() for _ in range(200)}
    assert len(seen) == 200
    for value in seen:
        check_passphrase(value)
        assert set(value) <= set(GENERATED_ALPHABET) | {"-"}
    assert generated_entropy_bits() >= 128


@pytest.mark.parametrize("passphrase", ["password1234", "qwertyuiopas", "Summer2026!!", "iloveyou2026"])
def test_guessable_passphrases_are_refused_with_the_generator_hint(passphrase: str) -> None:
    """Long enough and free of runs, but zxcvbn finds them (common words, keyboard walks, dates)."""
    with pytest.raises(WeakPassphraseError, match="too easy to guess") as err:
        check_passphrase(passphrase)
    assert "--generate-passphrase" in str(err.value)
    assert passphrase not in str(err.value)


def test_export_cli_refuses_a_weak_passphrase_before_any_work(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from frigate_privacy.cli import main

    cfg = tmp_path / "fp.yml"
    cfg.write_text(f"frigate:\n  url: http://127.0.0.1:9\nstorage:\n  data_dir: {tmp_path / 'data'}\n")
    monkeypatch.setenv("FP_TEST_PASS", "password1234")
    code = main(
        [
            "export",
            "--config",
            str(cfg),
            "--camera",
            "front",
            "--start",
            "1",
            "--end",
            "2",
            "--passphrase-env",
            "FP_TEST_PASS",
            "--requester",
            "r",
            "--purpose",
            "p",
            "--legal-basis",
            "consent",
        ]
    )
    err = capsys.readouterr().err
    assert code != 0 and "too easy to guess" in err and "--generate-passphrase" in err
    assert not (tmp_path / "data" / "exports").exists()
