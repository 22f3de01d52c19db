"""Our own exports: retention deletes them past expiry, erasure deletes those showing the person (real registry)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from frigate_privacy.audit.location import open_audit_log
from frigate_privacy.config.loader import parse_config
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.policy.erasure import run_erasure
from frigate_privacy.policy.plan_erasure import ErasureSelector
from frigate_privacy.policy.retention import run_retention
from frigate_privacy.policy.steps import StepKind
from tests.standin import FrigateStandin

registry_mod = pytest.importorskip("frigate_privacy.export.registry")


def _add(reg: Any, data_dir: Path, export_id: str, expires: float, **kw: Any) -> Path:
    path = data_dir / "exports" / f"{export_id}.age"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"age-encryption.org/v1 stand-in payload")
    now = time.time()
    rec = registry_mod.ExportRecord(
        id=export_id,
        path=path,
        camera="front",
        start=now - 100,
        end=now - 90,
        requester="cli:test",
        created=now - 50,
        expires=expires,
        size=path.stat().st_size,
        **kw,
    )
    reg.add(rec)
    return path


@pytest.fixture
def setup(tmp_path: Path) -> Any:
    with FrigateStandin("0.16", tmp_path / "media") as s:
        data_dir = tmp_path / "data"
        cfg = parse_config({"frigate": {"url": s.url, "retries": 1}, "storage": {"data_dir": str(data_dir)}})
        reg = registry_mod.ExportRegistry(registry_mod.registry_path(data_dir))
        try:
            yield s, cfg, reg, data_dir
        finally:
            reg.close()


def test_retention_deletes_expired_exports_only(setup: Any) -> None:
    _s, cfg, reg, data_dir = setup
    old = _add(reg, data_dir, "exp-old", time.time() - 10)
    new = _add(reg, data_dir, "exp-new", time.time() + 3600)
    with FrigateClient.from_config(cfg.frigate) as client, open_audit_log(cfg) as audit:
        report = run_retention(cfg, client, audit, time.time(), apply=True)
        assert report.complete
        assert [st.target for st in report.plan.steps if st.kind is StepKind.delete_our_export] == ["exp-old"]
        assert [e.target for e in audit.entries() if e.action == "retention_delete"] == ["exp-old"]
    assert not old.exists() and new.exists()
    assert reg.get("exp-old") is None and reg.get("exp-new") is not None


def test_erasure_deletes_exports_naming_the_person(setup: Any) -> None:
    _s, cfg, reg, data_dir = setup
    hers = _add(reg, data_dir, "exp-alice", time.time() + 3600, sub_labels=("alice",))
    other = _add(reg, data_dir, "exp-bob", time.time() + 3600, sub_labels=("bob",))
    with FrigateClient.from_config(cfg.frigate) as client, open_audit_log(cfg) as audit:
        report = run_erasure(cfg, client, audit, ErasureSelector(sub_label="alice"), apply=True)
    assert report.complete
    assert not hers.exists() and other.exists()
    assert [o.step.target for o in report.outcomes] == ["exp-alice"]
