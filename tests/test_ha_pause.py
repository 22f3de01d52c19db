"""Privacy pause state machine and schedules (pure parts)."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError

from frigate_privacy.config.homeassistant import HomeAssistantConfig, PauseScheduleConfig, PauseToggle
from frigate_privacy.frigate.version import FrigateVersion
from frigate_privacy.service.homeassistant.pause import PauseState, PauseStatus, supported_toggles
from frigate_privacy.service.homeassistant.schedule import active_schedule, window_open

T = PauseToggle
TOGGLES = (T.detect, T.recordings, T.snapshots)
V016 = FrigateVersion(0, 16, 4)
V018 = FrigateVersion(0, 18, 0)


def all_on(state: PauseState, toggles: tuple[PauseToggle, ...] = TOGGLES) -> PauseState:
    for t in toggles:
        state = state.observe(t, True)
    return state


def frigate_applies(state: PauseState, commands: list) -> PauseState:
    for c in commands:
        state = state.observe(c.toggle, c.on)
    return state


def test_pause_turns_off_every_toggle_and_reads_them_back() -> None:
    state, cmds = all_on(PauseState("front")).pause(TOGGLES, "switch", now=0.0)
    assert [(c.toggle, c.payload) for c in cmds] == [(T.detect, "OFF"), (T.recordings, "OFF"), (T.snapshots, "OFF")]
    assert state.status(TOGGLES) is PauseStatus.pausing
    state = frigate_applies(state, cmds).settle(TOGGLES, now=1.0, confirm_seconds=10)
    assert state.status(TOGGLES) is PauseStatus.paused
    assert state.attributes(TOGGLES)["not_taken"] == []


def test_a_toggle_frigate_refuses_is_reported_as_partial_by_name() -> None:
    state, cmds = all_on(PauseState("front")).pause(TOGGLES, "switch", now=0.0)
    state = frigate_applies(state, [c for c in cmds if c.toggle is not T.recordings])
    assert state.settle(TOGGLES, now=5.0, confirm_seconds=10).status(TOGGLES) is PauseStatus.pausing
    state = state.settle(TOGGLES, now=10.0, confirm_seconds=10)
    assert state.status(TOGGLES) is PauseStatus.partial
    assert state.attributes(TOGGLES)["not_taken"] == ["recordings"]
    assert state.attributes(TOGGLES)["frigate"]["recordings"] == "ON"


def test_no_toggle_taking_is_failed() -> None:
    state, _ = all_on(PauseState("front")).pause(TOGGLES, "switch", now=0.0)
    state = state.settle(TOGGLES, now=11.0, confirm_seconds=10)
    assert state.status(TOGGLES) is PauseStatus.failed


def test_resume_never_re_enables_what_the_user_had_turned_off() -> None:
    state = all_on(PauseState("front")).observe(T.recordings, False)  # user turned recordings off by hand
    state, cmds = state.pause(TOGGLES, "switch", now=0.0)
    assert {c.toggle for c in cmds} == {T.detect, T.snapshots}
    state = frigate_applies(state, cmds).settle(TOGGLES, 1.0, 10)
    state, cmds = state.resume("switch", now=2.0)
    assert {(c.toggle, c.payload) for c in cmds} == {(T.detect, "ON"), (T.snapshots, "ON")}
    state = frigate_applies(state, cmds).settle(TOGGLES, 3.0, 10)
    assert state.status(TOGGLES) is PauseStatus.active
    assert state.observed[T.recordings] is False


def test_resume_that_does_not_take_is_reported() -> None:
    state, cmds = all_on(PauseState("front")).pause(TOGGLES, "switch", now=0.0)
    state = frigate_applies(state, cmds).settle(TOGGLES, 1.0, 10)
    state, cmds = state.resume("switch", now=2.0)
    state = frigate_applies(state, [c for c in cmds if c.toggle is not T.detect]).settle(TOGGLES, 20.0, 10)
    assert state.status(TOGGLES) is PauseStatus.resume_partial
    assert state.attributes(TOGGLES)["not_taken"] == ["detect"]
    state = state.observe(T.detect, True)  # came back late
    assert state.status(TOGGLES) is PauseStatus.active


def test_frigate_restart_before_018_forgets_toggles_so_all_are_sent_again() -> None:
    state, cmds = all_on(PauseState("front")).pause(TOGGLES, "switch", now=0.0)
    state = frigate_applies(state, cmds).settle(TOGGLES, 1.0, 10)
    state = all_on(state)  # Frigate 0.16 restarted: state topics come back from the YAML
    assert state.status(TOGGLES) is PauseStatus.failed
    state, cmds = state.frigate_online(TOGGLES, V016, now=50.0)
    assert {(c.toggle, c.payload) for c in cmds} == {(t, "OFF") for t in TOGGLES}
    state = frigate_applies(state, cmds).settle(TOGGLES, 51.0, 10)
    assert state.status(TOGGLES) is PauseStatus.paused
    # resuming still restores what the pause originally turned off
    _, cmds = state.resume("switch", 60.0)
    assert {c.toggle for c in cmds} == set(TOGGLES)


def test_frigate_018_keeps_toggles_so_nothing_is_resent() -> None:
    state, cmds = all_on(PauseState("front")).pause(TOGGLES, "switch", now=0.0)
    state = frigate_applies(state, cmds).settle(TOGGLES, 1.0, 10)
    assert state.frigate_online(TOGGLES, V018, now=50.0) == (state, [])
    state = state.observe(T.detect, True)  # but what did change is put back
    _, cmds = state.frigate_online(TOGGLES, V018, now=50.0)
    assert [(c.toggle, c.payload) for c in cmds] == [(T.detect, "OFF")]


def test_not_paused_camera_is_left_alone_when_frigate_comes_online() -> None:
    assert all_on(PauseState("front")).frigate_online(TOGGLES, V016, 1.0)[1] == []


def test_enabled_toggle_only_from_016() -> None:
    toggles = (T.enabled, T.detect)
    assert supported_toggles(toggles, FrigateVersion(0, 14, 1)) == (T.detect,)
    assert supported_toggles(toggles, V016) == toggles


def test_saved_pause_round_trips() -> None:
    state, _ = all_on(PauseState("front")).observe(T.snapshots, False).pause(TOGGLES, "switch", 0.0)
    back = PauseState.from_json("front", state.to_json())
    assert back.paused and back.owned == {T.detect, T.recordings}
    assert PauseState.from_json("front", {"paused": True, "owned": ["detect", "bogus"]}).owned == {T.detect}


def schedule(**kw: object) -> PauseScheduleConfig:
    return PauseScheduleConfig.model_validate({"name": "evening", **kw})


def test_weekday_evening_window() -> None:
    s = schedule(days=["mon", "tue", "wed", "thu", "fri"], start="18:00", end="22:30")
    assert window_open(s, datetime(2026, 12, 7, 18, 0))  # Monday
    assert window_open(s, datetime(2026, 12, 7, 22, 29))
    assert not window_open(s, datetime(2026, 12, 7, 22, 30))
    assert not window_open(s, datetime(2026, 12, 5, 19, 0))  # Saturday


def test_window_past_midnight_belongs_to_the_day_it_started() -> None:
    s = schedule(days=["fri"], start="22:00", end="06:00")
    assert window_open(s, datetime(2026, 12, 4, 23, 0))  # Friday night
    assert window_open(s, datetime(2026, 12, 5, 5, 59))  # Saturday morning
    assert not window_open(s, datetime(2026, 12, 5, 23, 0))  # Saturday night
    assert not window_open(s, datetime(2026, 12, 4, 5, 0))  # Friday morning (Thursday not listed)


def test_active_schedule_respects_camera_list() -> None:
    s = [schedule(cameras=["garden"], start="00:00", end="23:59")]
    assert active_schedule(s, "garden", datetime(2026, 12, 5, 12, 0)) == "evening"
    assert active_schedule(s, "front", datetime(2026, 12, 5, 12, 0)) is None


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        ({"start": "25:00", "end": "06:00"}, "HH:MM"),
        ({"start": "18:00", "end": "18:00"}, "empty"),
        ({"start": "18:00", "end": "19:00", "days": []}, "at least 1"),
    ],
)
def test_bad_schedules_are_refused_with_the_fix(bad: dict[str, object], needle: str) -> None:
    with pytest.raises(ValidationError, match=needle):
        schedule(**bad)


def test_pause_toggles_must_not_repeat() -> None:
    with pytest.raises(ValidationError, match="twice"):
        HomeAssistantConfig.model_validate({"pause": {"toggles": ["detect", "detect"]}})
