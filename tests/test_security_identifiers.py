"""Identifiers from a hostile Frigate: full-string matching, unsettleable journal steps, camera keys, deep JSON."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from frigate_privacy.audit.location import open_audit_log
from frigate_privacy.cli import main
from frigate_privacy.config.loader import parse_config
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import FrigateApiError
from frigate_privacy.frigate.identifiers import path_camera, path_event_id, path_export_id
from frigate_privacy.frigate.messages import MalformedPayload, parse_message
from frigate_privacy.frigate.models import ApiEvent
from frigate_privacy.frigate.models.base import EventId
from frigate_privacy.policy.erasure import erasure_job_name, run_erasure
from frigate_privacy.policy.journal import StepJournal, journal_path
from frigate_privacy.policy.plan_erasure import ErasureSelector
from frigate_privacy.policy.steps import Step, StepKind
from tests.standin import CameraSpec, FrigateStandin, SharedAssetMissing, build_media


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (path_event_id, "1700000000.123456-abc123\n"),
        (path_camera, "front\n"),
        (path_export_id, "front_abc123\n"),
    ],
)
def test_trailing_newline_is_not_a_valid_identifier(check: Any, value: str) -> None:
    with pytest.raises(FrigateApiError):
        check(value)
    check(value.rstrip("\n"))  # the same id without the newline is fine


def test_event_model_and_mqtt_topic_refuse_a_trailing_newline() -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(EventId).validate_python("1700000000.123456-evil\n")
    with pytest.raises(MalformedPayload):
        parse_message("frigate", "frigate/front\n/recordings/state", b"ON")


@pytest.fixture
def alice_scene(tmp_path: Path) -> Iterator[tuple[FrigateStandin, dict[str, Any], str]]:
    with FrigateStandin("0.16", tmp_path / "media", cameras={"front": CameraSpec("front")}) as s:
        start = float(int(time.time() - 3600))
        try:
            s.add_segments(build_media(s.media_root, "front", start, 20, size=(320, 180)))
        except SharedAssetMissing as exc:
            pytest.skip(str(exc))
        walk = s.add_walk(start=start + 2, duration=5, sub_label="alice")
        data = {"frigate": {"url": s.url, "retries": 1}, "storage": {"data_dir": str(tmp_path / "data")}}
        yield s, data, walk.event_id


def _erase_alice(data: dict[str, Any]) -> Any:
    cfg = parse_config(data)
    with open_audit_log(cfg) as audit, FrigateClient.from_config(cfg.frigate) as client:
        return run_erasure(cfg, client, audit, ErasureSelector(sub_label="alice"), apply=True)


def test_event_id_with_newline_from_frigate_does_not_half_run_an_erasure(alice_scene: Any) -> None:
    s, data, real_id = alice_scene
    evil = copy.deepcopy(s.events[real_id])
    evil["id"] = "1700000001.000000-evil\n"
    s.events[evil["id"]] = evil
    # The crafted id is refused where Frigate's answer is parsed: nothing is planned or deleted with it.
    with pytest.raises(FrigateApiError):
        _erase_alice(data)
    assert real_id in s.events and s.deleted == []
    del s.events[evil["id"]]
    report = _erase_alice(data)
    assert report.complete and real_id not in s.events


def test_journal_step_that_can_never_succeed_is_settled_not_blocking(alice_scene: Any) -> None:
    s, data, real_id = alice_scene
    # What an older version left behind: a started deletion of an id Frigate's API refuses.
    journal = StepJournal(journal_path(Path(data["storage"]["data_dir"]), erasure_job_name(ErasureSelector("alice"))))
    bad = Step(StepKind.delete_event, "1700000001.000000-evil\n", "DELETE /api/events/<id>", "erasure", "front")
    journal.mark(bad.key, "started", {"step": bad.to_dict()})
    first = _erase_alice(data)
    # Reported (not silently dropped), the real erasure carried out, and the journal freed.
    settled = [o for o in first.outcomes if o.step.target == bad.target]
    assert settled and "can never succeed" in settled[0].detail
    assert real_id not in s.events
    assert not StepJournal(journal.path).keys("started")
    with open_audit_log(parse_config(data)) as audit:
        failures = [e for e in audit.entries() if e.result == "failure"]
    assert failures and "\n" not in failures[0].target and "\\n" in failures[0].target
    # The next run is not blocked by it.
    s.add_walk(start=time.time() - 3000, duration=3, sub_label="alice")
    second = _erase_alice(data)
    assert second.complete and not [e for e in s.events.values() if e.get("sub_label") == "alice"]


def test_camera_key_with_escape_sequences_is_ignored_and_real_cameras_planned(
    alice_scene: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s, data, _ = alice_scene
    cams = s._config["cameras"]
    cams["evil\x1b]0;pwned\x07"] = copy.deepcopy(cams["front"])
    cams["../../etc"] = copy.deepcopy(cams["front"])
    data["policy"] = {"retention": {"continuous_days": 2, "alerts_days": 4, "detections_days": 3}}
    config = tmp_path / "fp.yml"
    config.write_text(yaml.safe_dump(data))
    code = main(["retention", "--config", str(config), "--json"])
    captured = capsys.readouterr()
    assert code == 0
    assert "\x1b" not in captured.out + captured.err and "../../etc" not in captured.out
    planned = json.loads(captured.out)
    assert "front" in json.dumps(planned)


class _Hostile(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hostile_frigate() -> Iterator[str]:
    """A "Frigate" that answers every GET with JSON nested 100 000 deep."""
    handler = type("Deep", (_Hostile,), {"body": b'{"a":' * 100_000 + b"1" + b"}" * 100_000})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_deeply_nested_json_from_frigate_is_a_clear_error(
    hostile_frigate: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = {"frigate": {"url": hostile_frigate, "retries": 1}, "storage": {"data_dir": str(tmp_path / "d")}}
    with FrigateClient.from_config(parse_config(data).frigate) as client, pytest.raises(FrigateApiError, match="deep"):
        client.raw_config()
    config = tmp_path / "fp.yml"
    config.write_text(yaml.safe_dump(data))
    for argv in (["retention"], ["erase", "--sub-label", "alice"], ["audio"], ["check"]):
        code = main([*argv, "--config", str(config)])
        err = capsys.readouterr().err
        assert code != 0 and "Traceback" not in err and "RecursionError" not in err, argv


def test_api_event_model_still_parses_real_ids() -> None:
    event = ApiEvent.model_validate(
        {"id": "1700000000.123456-abc123", "camera": "front", "label": "person", "start_time": 1.0}
    )
    assert event.id.endswith("abc123")
