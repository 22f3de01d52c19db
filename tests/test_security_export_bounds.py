"""An export ends at the requested end and is bounded even when "Frigate" never stops sending the clip."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from frigate_privacy.crypto.age_keys import generate_identity_file, load_recipients
from frigate_privacy.export.clip_source import ClipTooLargeError
from frigate_privacy.export.operations import make_export
from tests.standin import FrigateStandin
from tests.test_export_support import Scene, config, make_scene, models_ready, request


class _EndlessClipProxy:
    """A proxy to the stand-in that, for clip.mp4, sends the clip and then repeats its fragments forever."""

    def __init__(self, upstream: str) -> None:
        host, port = upstream.removeprefix("http://").split(":")
        self.upstream = (host, int(port))
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.sent = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with client, socket.create_connection(self.upstream) as up:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = client.recv(65536)
                if not chunk:
                    return
                request += chunk
            up.sendall(request.replace(b"Connection: keep-alive", b"Connection: close"))
            response = b""
            while chunk := up.recv(65536):
                response += chunk
            head, _, body = response.partition(b"\r\n\r\n")
            if b"clip.mp4" not in request.split(b"\r\n", 1)[0]:
                client.sendall(head.replace(b"\r\n", b"\r\nConnection: close\r\n", 1) + b"\r\n\r\n" + body)
                return
            lines = [ln for ln in head.split(b"\r\n") if not ln.lower().startswith((b"content-length", b"connection"))]
            client.sendall(b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body)
            fragments = body[body.index(b"moof") - 4 :]
            try:
                while True:  # never ends: the same fragments again and again
                    client.sendall(fragments)
                    self.sent += len(fragments)
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    models_ready()
    with FrigateStandin("0.16", tmp_path_factory.mktemp("standin") / "media") as s:
        sc = make_scene(s, seconds=12)
        s.register_walk(sc.alice)
        yield sc


def test_endless_clip_is_cut_at_a_bound_with_a_clear_error(scene: Scene, tmp_path: Path) -> None:
    proxy = _EndlessClipProxy(scene.standin.url)
    try:
        cfg = config(scene.standin, tmp_path / "data")
        cfg.frigate.url = proxy.url
        key = generate_identity_file(tmp_path / "key.txt")
        started = time.monotonic()
        with pytest.raises(ClipTooLargeError, match="misbehaving Frigate"):
            make_export(cfg, request(scene, load_recipients([key.recipient])[0]), role="admin")
        assert time.monotonic() - started < 240
    finally:
        proxy.close()
    exports = tmp_path / "data" / "exports"
    assert not exports.exists() or not any(exports.iterdir())  # no staging left, nothing published


def test_export_stops_reading_at_the_requested_end(scene: Scene, tmp_path: Path) -> None:
    # The clip Frigate serves runs to the end of its last segment; only the range is read and kept.
    cfg = config(scene.standin, tmp_path / "data")
    key = generate_identity_file(tmp_path / "key.txt")
    span = scene.span
    short = type(span)(span.start, span.start + 3)
    result = make_export(cfg, request(scene, load_recipients([key.recipient])[0], span=short), role="admin")
    assert result.manifest.video.frames <= 3 * 10 + 1
