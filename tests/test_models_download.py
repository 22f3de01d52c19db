"""Downloading models from their URLs (or a mirror): served by a local HTTP server holding ../shared/models.

These machines cannot reach the upstream hosts, so the download path is exercised against a real HTTP
server on loopback that serves the same files (the mirror setting points at it), plus servers that
misbehave: wrong bytes, a body cut off mid-way, an error status, and no server at all.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from frigate_privacy.cli import main
from frigate_privacy.errors import ModelError
from frigate_privacy.vision.model_download import MIRROR_ENV, download_bytes
from frigate_privacy.vision.model_fetch import FetchSources, fetch_model, fetch_models
from frigate_privacy.vision.model_files import ModelState, model_status
from frigate_privacy.vision.registry import UrlSource, get_spec


@dataclass
class ModelServer:
    """A loopback HTTP server serving files from `root`; `mode` makes it misbehave."""

    root: Path
    mode: str = "ok"  # ok | corrupt | truncate | status500
    requests: list[str] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/models"


def _handler(server: ModelServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
            pass

        def do_GET(self) -> None:
            server.requests.append(self.path)
            name = self.path.rsplit("/", 1)[-1]
            path = server.root / name
            if not self.path.startswith("/models/") or not path.is_file():
                self.send_error(404)
                return
            if server.mode == "status500":
                self.send_error(500)
                return
            data = path.read_bytes()
            if server.mode == "corrupt":
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if server.mode == "truncate":
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            # The client may refuse the body (size limit) and hang up.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

    return Handler


@pytest.fixture
def model_server(shared_models: Path) -> Iterator[ModelServer]:
    state = ModelServer(shared_models)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_registry_pins_upstream_urls_at_commits() -> None:
    for name, commit in (("yunet_n", "02246e79b1e976c83d1e135a85e0628120c93769"), ("yolox_nano", "c7f9a3c5216c")):
        source = get_spec(name).source
        assert isinstance(source, UrlSource)
        assert source.url.startswith("https://raw.githubusercontent.com/") and commit in source.url


def test_download_from_mirror_verifies_and_caches(model_server: ModelServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    outcomes = fetch_models(["yunet_n", "yolox_nano"], cache_dir=cache, sources=FetchSources(mirror=model_server.url))
    assert [o.error for o in outcomes] == [False, False], [o.message for o in outcomes]
    for name in ("yunet_n", "yolox_nano"):
        spec = get_spec(name)
        assert (cache / spec.file).read_bytes() == (model_server.root / spec.file).read_bytes()
        assert model_status(spec, (), cache).state is ModelState.verified
    assert sorted(model_server.requests) == ["/models/yolox_nano.onnx", "/models/yunet_n_dynamic.onnx"]
    # Cached and verified: a second fetch downloads nothing.
    again = fetch_models(["yunet_n"], cache_dir=cache, sources=FetchSources(mirror=model_server.url))
    assert again[0].message == "already verified" and len(model_server.requests) == 2


def test_mirror_from_environment(model_server: ModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MIRROR_ENV, model_server.url + "/")
    outcome = fetch_model(get_spec("yunet_n"), cache_dir=tmp_path)
    assert outcome.path == tmp_path / "yunet_n_dynamic.onnx" and model_server.url in outcome.message
    assert model_server.requests == ["/models/yunet_n_dynamic.onnx"]


def test_from_dir_wins_over_download(model_server: ModelServer, tmp_path: Path) -> None:
    sources = FetchSources(from_dir=model_server.root, mirror=model_server.url)
    assert not fetch_model(get_spec("yolox_nano"), cache_dir=tmp_path, sources=sources).error
    assert model_server.requests == []


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        (
            "corrupt",
            r"sha256 mismatch for yunet_n_dynamic\.onnx from http://127\.0\.0\.1:\d+/models/.*expected 104ee26c",
        ),
        ("truncate", r"download of yunet_n_dynamic\.onnx .*cut off"),
        ("status500", r"HTTP 500"),
    ],
)
def test_bad_downloads_are_clear_errors_and_leave_no_file(
    model_server: ModelServer, tmp_path: Path, mode: str, message: str
) -> None:
    model_server.mode = mode
    cache = tmp_path / "cache"
    cache.mkdir()
    with pytest.raises(ModelError, match=message):
        fetch_model(get_spec("yunet_n"), cache_dir=cache, sources=FetchSources(mirror=model_server.url))
    assert list(cache.iterdir()) == []


def test_server_down_names_the_fixes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    mirror = f"http://127.0.0.1:{_closed_port()}/models"
    with pytest.raises(ModelError) as info:
        fetch_model(get_spec("yolox_nano"), cache_dir=cache, sources=FetchSources(mirror=mirror))
    text = str(info.value)
    assert "cannot reach" in text and "refused" in text.lower() and "--from DIR" in text and MIRROR_ENV in text
    assert not cache.exists() or list(cache.iterdir()) == []


def test_oversized_answer_is_refused(model_server: ModelServer) -> None:
    with pytest.raises(ModelError, match=r"announces .* more than any model"):
        download_bytes(model_server.url + "/yolox_nano.onnx", max_bytes=1000)


def test_cli_fetch_reports_each_model_and_exit_code(
    model_server: ModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = str(tmp_path / "cache")
    model_server.mode = "corrupt"
    code = main(["models", "fetch", "yunet_n", "yolox_nano", "--cache-dir", cache, "--mirror", model_server.url])
    captured = capsys.readouterr()
    assert code == ModelError.exit_code
    assert "yunet_n: NOT FETCHED: sha256 mismatch" in captured.err and "2 of 2 model(s) not fetched" in captured.err
    assert "Traceback" not in captured.err
    model_server.mode = "ok"
    code = main(["models", "fetch", "yunet_n", "yolox_nano", "--cache-dir", cache, "--mirror", model_server.url])
    out = capsys.readouterr().out
    assert code == 0
    # What a newcomer reads during set-up: every model fetched, nothing that looks like a failure.
    assert out.count("fetched from http://127.0.0.1") == 2 and "skipped" not in out and "not on PyPI" not in out
