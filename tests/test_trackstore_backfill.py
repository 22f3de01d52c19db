"""Backfilling the track store from the stand-in's API (events + timeline), per version."""

from __future__ import annotations

import time
from pathlib import Path

from frigate_privacy.frigate.backfill import backfill
from frigate_privacy.frigate.boxes import Size
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.trackstore import TrackStore
from frigate_privacy.frigate.transport import FrigateTransport
from tests.standin import FrigateStandin, WalkPlan


def test_backfill_matches_the_walk_and_is_idempotent(standin: FrigateStandin, tmp_path: Path) -> None:
    plan = WalkPlan(camera="front", start=time.time() - 120, duration=8.0, sub_label="alice")
    standin.register_walk(plan)
    with TrackStore(tmp_path / "t.sqlite") as store, FrigateClient(FrigateTransport(standin.url)) as client:
        assert backfill(client, store, "front", plan.start - 10, plan.end + 10) == 1
        first = store.get(plan.event_id)
        assert backfill(client, store, "front", plan.start - 10, plan.end + 10) == 1
        again = store.get(plan.event_id)
    assert first is not None and again is not None and again.keyframes == first.keyframes
    assert again.detect_size == Size(1280, 720) and again.label == "person"
    assert len(again.frames()) >= 2, "timeline rows carry the boxes"
    t = (plan.start + plan.end) / 2
    box, truth = again.box_at(t), plan.rel_box_at(t)
    assert box is not None and truth is not None
    # timeline rows are sparse keyframes: the interpolated centre stays near the scripted path
    assert abs((box.x1 + box.x2) / 2 - (truth[0] + truth[2]) / 2) < 0.1
