"""Shared pieces of the API tests (no tests here): a running API over the Frigate stand-in, tokens, scoring."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import av
import cv2
import numpy as np
import pytest
import requests
from conftest import load_leak_scorer

from frigate_privacy.audit.location import audit_db_path, open_audit_log
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.config.api import ApiRole
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.service.api.component import ApiComponent
from frigate_privacy.service.api.context import StandaloneContext
from frigate_privacy.service.api.users import UserStore, users_db_path
from tests.standin import FrigateStandin

MJPEG_BOUNDARY = b"--frame\r\n"


def leak_scorer() -> ModuleType:
    """The shared leak scorer, or skip."""
    return load_leak_scorer()


def api_config(
    standin: FrigateStandin, data_dir: Path, extra: dict[str, Any] | None = None, **api: Any
) -> PrivacyConfig:
    """A config for the stand-in with the API on a free loopback port; `extra` sections merge in."""
    section: dict[str, Any] = {"host": "127.0.0.1", "port": 0}
    section.update(api)
    doc: dict[str, Any] = {
        "frigate": {"url": standin.url, "timeout": 10, "retries": 1},
        "storage": {"data_dir": str(data_dir)},
        "encoding": {"preset": "ultrafast"},
        "api": section,
    }
    for key, value in (extra or {}).items():
        doc[key] = {**doc.get(key, {}), **value}
    return PrivacyConfig.model_validate(doc)


@dataclass
class RunningApi:
    """The API served by uvicorn over the stand-in, with one user per role."""

    cfg: PrivacyConfig
    component: ApiComponent
    ctx: StandaloneContext
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        """`http(s)://127.0.0.1:<port>`."""
        scheme = "https" if self.cfg.api.tls_cert is not None else "http"
        return f"{scheme}://127.0.0.1:{self.component.port}"

    def get(self, path: str, token: str | None = None, **kw: Any) -> requests.Response:
        """GET with an optional bearer token."""
        return self.call("GET", path, token, **kw)

    def call(self, method: str, path: str, token: str | None = None, **kw: Any) -> requests.Response:
        """Any method with an optional bearer token."""
        headers = dict(kw.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, self.base + path, headers=headers, timeout=60, **kw)

    def audit_entries(self) -> list[Any]:
        """Every audit entry so far."""
        with AuditLog(audit_db_path(self.cfg), None) as log:
            return log.entries()


@pytest.fixture
def running_api_factory(tmp_path: Path) -> Iterator[Any]:
    """Start the API over a stand-in with given API settings; stopped at the end of the test."""
    started: list[RunningApi] = []

    def start(
        standin: FrigateStandin,
        users: dict[str, tuple[ApiRole, list[str] | None]] | None = None,
        extra: dict[str, Any] | None = None,
        **api: Any,
    ) -> RunningApi:
        cfg = api_config(standin, tmp_path / f"data{len(started)}", extra, **api)
        tokens = {}
        with UserStore(users_db_path(cfg)) as store:
            for name, (role, cameras) in (users or {}).items():
                tokens[name] = store.add(name, role, cameras)[1]
        ctx = StandaloneContext(cfg, FrigateClient.from_config(cfg.frigate), open_audit_log(cfg))
        component = ApiComponent()
        component.start(ctx)
        running = RunningApi(cfg, component, ctx, tokens)
        started.append(running)
        return running

    yield start
    for running in started:
        running.component.stop(10)
        running.ctx.frigate.close()
        running.ctx.audit.close()


def gray(jpeg: bytes) -> np.ndarray:
    """A JPEG as float gray (the scorer's input)."""
    img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert img is not None, "not a JPEG"
    return img.astype(np.float32)


def video_gray_frames(data: bytes) -> list[np.ndarray]:
    """Every frame of an MP4 held in memory, as float gray."""
    with av.open(io.BytesIO(data), "r") as container:
        return [f.to_ndarray(format="gray").astype(np.float32) for f in container.decode(video=0)]


def mjpeg_frames(response: requests.Response, count: int) -> Iterator[bytes]:
    """The first `count` JPEGs of a multipart MJPEG response."""
    buf = b""
    got = 0
    for chunk in response.iter_content(chunk_size=65536):
        buf += chunk
        while True:
            start = buf.find(b"\xff\xd8")
            end = buf.find(b"\xff\xd9", start + 2)
            if start < 0 or end < 0:
                break
            yield buf[start : end + 2]
            buf = buf[end + 2 :]
            got += 1
            if got >= count:
                return
