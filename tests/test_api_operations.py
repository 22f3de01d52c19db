"""What operators and admins do through the API, end to end against the stand-in with the real engine:
an export started, polled and downloaded still encrypted; originals served to admins only, each audited;
erasure and retention plans."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from frigate_privacy.config.api import ApiRole
from frigate_privacy.crypto.age_keys import generate_identity_file, load_identities
from frigate_privacy.crypto.signing import load_or_create_signing_key
from frigate_privacy.export.operations import OpenRequest, verify_export
from frigate_privacy.export.registry import ExportRegistry, registry_path
from tests.api_support import running_api_factory
from tests.standin import FrigateStandin
from tests.test_export_support import make_scene, models_ready

__all__ = ["running_api_factory"]

USERS = {"vera": (ApiRole.viewer, None), "otto": (ApiRole.operator, None), "ada": (ApiRole.admin, None)}


@pytest.fixture(autouse=True)
def _models() -> None:
    models_ready()


def test_operator_export_through_the_api(running_api_factory: Any, tmp_path: Path) -> None:
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        scene = make_scene(standin)
        standin.register_walk(scene.alice)
        api = running_api_factory(standin, users=USERS)
        key = generate_identity_file(tmp_path / "key.txt")
        body = {
            "camera": "front",
            "start": scene.span.start,
            "end": scene.span.start + 6,
            "recipients": [key.recipient],
            "keep_visible_sub_labels": ["alice"],
            "requester": "J. Doe",
            "purpose": "subject access request 2026-17",
            "legal_basis": "subject-access",
        }
        weak = body | {"recipients": [], "passphrase": "password1234"}
        r = api.call("POST", "/api/exports", api.tokens["otto"], json=weak)
        assert r.status_code == 400 and "--generate-passphrase" in r.json()["detail"]
        r = api.call("POST", "/api/exports", api.tokens["otto"], json=body)
        assert r.status_code == 202
        job_id = r.json()["job_id"]
        deadline = time.monotonic() + 240
        while (job := api.get(f"/api/exports/jobs/{job_id}", api.tokens["otto"]).json())["state"] == "running":
            assert time.monotonic() < deadline, "the export did not finish"
            time.sleep(0.5)
        assert job["state"] == "done", job
        listed = api.get("/api/exports", api.tokens["otto"]).json()
        assert [e["export_id"] for e in listed] == [job["export_id"]]
        bundle = api.get(f"/api/exports/{job['export_id']}/bundle", api.tokens["otto"])
        assert bundle.status_code == 200 and bundle.content.startswith(b"age-encryption.org/v1")
        assert api.get(f"/api/exports/{job['export_id']}/bundle", api.tokens["vera"]).status_code == 403
        # What was downloaded is the registered file, and it opens with the recipient's key.
        with ExportRegistry(registry_path(Path(api.cfg.storage.data_dir))) as reg:
            record = reg.get(job["export_id"])
        assert record is not None and record.path.read_bytes() == bundle.content
        (tmp_path / "dl.fpx.age").write_bytes(bundle.content)
        trusted = [load_or_create_signing_key(api.cfg.storage.data_dir).public]
        identities = load_identities([key.path])
        report = verify_export(OpenRequest(tmp_path / "dl.fpx.age", "t", "admin", identities, trusted=trusted), None)
        assert report.ok, report.problems
        assert report.manifest is not None and report.manifest.kept_subjects
        exports = [e for e in api.audit_entries() if e.action == "export"]
        assert [(e.actor, e.result) for e in exports][-1] == ("otto", "success")


def test_originals_only_for_admins_and_audited(running_api_factory: Any, tmp_path: Path) -> None:
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        scene = make_scene(standin)
        standin.register_walk(scene.alice)
        api = running_api_factory(standin, users=USERS)
        event = scene.alice.event_id
        path = f"/api/events/{event}/snapshot.jpg?original=true"
        original = (standin.media_root / "clips" / f"front-{event}.jpg").read_bytes()
        for user in ("vera", "otto"):
            assert api.get(path, api.tokens[user]).status_code == 403
        r = api.get(path, api.tokens["ada"])
        assert r.status_code == 200 and r.content == original
        masked = api.get(f"/api/events/{event}/snapshot.jpg", api.tokens["ada"])
        assert masked.status_code == 200 and masked.content != original
        entries = api.audit_entries()
        denied = [(e.actor, e.reason) for e in entries if e.action == "api.denied"]
        assert denied == [("vera", "role viewer lacks original"), ("otto", "role operator lacks original")]
        originals = [e for e in entries if e.action == "api.original"]
        assert [(e.actor, e.camera, e.target) for e in originals] == [("ada", "front", f"snapshot of event {event}")]


def test_erasure_and_retention_plans(running_api_factory: Any, tmp_path: Path) -> None:
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        scene = make_scene(standin)
        standin.register_walk(scene.alice)
        standin.register_walk(scene.bob)
        api = running_api_factory(standin, users=USERS)
        r = api.call("POST", "/api/erasure", api.tokens["ada"], json={"sub_label": "alice"})
        assert r.status_code == 200, r.text
        text = r.text
        assert scene.alice.event_id in text and scene.bob.event_id not in text
        assert standin.db.events.get(scene.alice.event_id) is not None, "a plan deletes nothing"
        r = api.call("POST", "/api/retention", api.tokens["ada"], json={})
        assert r.status_code == 200 and isinstance(r.json(), dict)
        r = api.call("POST", "/api/audio", api.tokens["ada"], json={})
        assert r.status_code == 200 and "front" in r.text  # the stand-in's 0.16 records AAC: the plan names it
