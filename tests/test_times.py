"""One time parser: the same words mean the same instant in every command, on a machine that is not on UTC."""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from frigate_privacy.cli import build_parser
from frigate_privacy.errors import InputError
from frigate_privacy.times import TIME_HELP, parse_datetime, parse_time

# 2026-11-21 10:00 at UTC-5 is 15:00 UTC.
LOCAL_TEXT = "2026-11-21T10:00"
EXPECTED = datetime(2026, 11, 21, 15, 0, tzinfo=UTC).timestamp()


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # A POSIX TZ rule needs no tz database, so the test means the same on a minimal CI image.
    monkeypatch.setenv("TZ", "EST+05")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _args(argv: list[str]) -> argparse.Namespace:
    return build_parser(argv[0]).parse_args(argv)


def test_naive_time_is_local_and_offsets_win(new_york: None) -> None:
    assert parse_time(LOCAL_TEXT) == EXPECTED
    assert parse_time("2026-11-21T15:00Z") == EXPECTED == parse_time("2026-11-21T16:00+01:00")
    assert parse_time(" 1795297921.5 ") == 1795297921.5
    assert parse_datetime(LOCAL_TEXT) == datetime(2026, 11, 21, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "nan", "inf", ""])
def test_bad_time_names_the_rule(text: str) -> None:
    with pytest.raises(InputError, match="not a time") as err:
        parse_time(text)
    assert "local time" in str(err.value)


def test_every_command_reads_the_same_words_as_the_same_instant(new_york: None) -> None:
    who = ["--requester", "r", "--purpose", "p", "--legal-basis", "consent"]
    export = _args(
        ["export", "--config", "c.yml", "--camera", "front", *who, "--start", LOCAL_TEXT, "--end", LOCAL_TEXT]
    )
    erase = _args(["erase", "--config", "c.yml", "--camera", "front", "--start", LOCAL_TEXT, "--end", LOCAL_TEXT])
    audit = _args(["audit", "show", "--db", "a.db", "--since", LOCAL_TEXT, "--until", LOCAL_TEXT])
    assert export.start == export.end == erase.start == erase.end == EXPECTED
    assert audit.since.timestamp() == audit.until.timestamp() == EXPECTED


@pytest.mark.parametrize(
    ("argv", "flags"),
    [
        (["export"], ["--start", "--end"]),
        (["erase"], ["--start", "--end"]),
        (["audit", "show"], ["--since", "--until"]),
    ],
)
def test_every_time_flag_documents_the_rule(argv: list[str], flags: list[str]) -> None:
    parser = build_parser(argv[0])
    for word in argv:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[word]
    helps = {opt: a.help for a in parser._actions for opt in a.option_strings}
    for flag in flags:
        assert helps[flag] is not None and helps[flag].endswith(TIME_HELP), flag


def test_a_bad_time_on_the_command_line_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        _args(["erase", "--config", "c.yml", "--camera", "front", "--start", "noon"])
    assert done.value.code == 2
    assert "'noon' is not a time" in capsys.readouterr().err
