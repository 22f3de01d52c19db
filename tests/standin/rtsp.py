"""A go2rtc-style RTSP restream of the stand-in's live picture (`rtsp://127.0.0.1:<port>/<camera>`).

Enough RTSP for FFmpeg/PyAV as a client over TCP: OPTIONS, DESCRIBE (SDP, H.264), SETUP (interleaved
TCP only), PLAY, GET_PARAMETER, TEARDOWN. Each client gets the camera's `LiveFeed` frames in real time,
encoded by x264 (ultrafast, zerolatency, one keyframe a second) and sent as RTP (RFC 6184: single NAL
units and FU-A fragments) inside `$`-framed interleaved packets. No UDP, no authentication, no audio.
"""

from __future__ import annotations

import base64
import fractions
import random
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator

import av
import cv2
import numpy as np

from .live import LiveFeed

_MTU = 1400
_CLOCK = 90_000


def _nals(annexb: bytes) -> Iterator[bytes]:
    """NAL units of an Annex B byte stream."""
    parts = annexb.replace(b"\x00\x00\x00\x01", b"\x00\x00\x01").split(b"\x00\x00\x01")
    for part in parts:
        if part:
            yield part.rstrip(b"\x00") if part.endswith(b"\x00\x00") else part


def _rtp(nals: list[bytes], seq: int, ts: int, ssrc: int) -> tuple[list[bytes], int]:
    """RTP packets for one access unit (marker on the last)."""
    payloads: list[bytes] = []
    for nal in nals:
        if len(nal) <= _MTU:
            payloads.append(nal)
            continue
        head, body = nal[0], nal[1:]
        fu_indicator = (head & 0xE0) | 28
        for i in range(0, len(body), _MTU):
            start, end = i == 0, i + _MTU >= len(body)
            fu_header = (0x80 if start else 0) | (0x40 if end else 0) | (head & 0x1F)
            payloads.append(bytes([fu_indicator, fu_header]) + body[i : i + _MTU])
    packets = []
    for k, payload in enumerate(payloads):
        marker = 0x80 if k == len(payloads) - 1 else 0
        header = struct.pack("!BBHII", 0x80, marker | 96, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc)
        packets.append(header + payload)
        seq += 1
    return packets, seq


class RtspRestream:
    """Serves `feeds[camera]` as RTSP on a free loopback port until `stop()`."""

    def __init__(self, feeds: Callable[[str], LiveFeed | None]) -> None:
        self._feeds = feeds
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        self._stop = threading.Event()
        self.clients = 0
        threading.Thread(target=self._accept, name="rtsp-accept", daemon=True).start()

    def url(self, camera: str) -> str:
        """The restream URL of one camera."""
        return f"rtsp://127.0.0.1:{self.port}/{camera}"

    def stop(self) -> None:
        """Stop accepting and end every session."""
        self._stop.set()
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), name="rtsp-session", daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        feed: LiveFeed | None = None
        try:
            while not self._stop.is_set():
                request = self._read_request(reader)
                if request is None:
                    return
                method, url, headers = request
                cseq = headers.get("cseq", "0")
                camera = url.rstrip("/").split("/")[-1].split("?")[0]
                if method == "OPTIONS":
                    self._reply(conn, cseq, {"Public": "OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN"})
                elif method == "DESCRIBE":
                    if camera.startswith("trackID"):
                        camera = url.rstrip("/").split("/")[-2]
                    feed = self._feeds(camera)
                    if feed is None:
                        self._reply(conn, cseq, {}, status="404 Not Found")
                        continue
                    sdp = self._sdp(feed).encode()
                    extra = {"Content-Type": "application/sdp", "Content-Base": url.rstrip("/") + "/"}
                    self._reply(conn, cseq, extra, body=sdp)
                elif method == "SETUP":
                    if "interleaved" not in headers.get("transport", ""):
                        self._reply(conn, cseq, {}, status="461 Unsupported Transport")
                        continue
                    extra = {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1", "Session": "12345678;timeout=60"}
                    self._reply(conn, cseq, extra)
                elif method == "PLAY" and feed is not None:
                    self._reply(conn, cseq, {"Session": "12345678", "Range": "npt=0.000-"})
                    self.clients += 1
                    threading.Thread(target=self._drain_requests, args=(reader, conn), daemon=True).start()
                    self._play(conn, feed)
                    return
                elif method == "TEARDOWN":
                    self._reply(conn, cseq, {"Session": "12345678"})
                    return
                else:
                    self._reply(conn, cseq, {})
        except OSError:
            return
        finally:
            conn.close()

    @staticmethod
    def _read_request(reader: object) -> tuple[str, str, dict[str, str]] | None:
        line = reader.readline()  # type: ignore[attr-defined]
        while line in (b"\r\n", b"\n"):
            line = reader.readline()  # type: ignore[attr-defined]
        if not line:
            return None
        method, url, _ = line.decode().split(" ", 2)
        headers: dict[str, str] = {}
        while True:
            h = reader.readline().decode().strip()  # type: ignore[attr-defined]
            if not h:
                break
            name, _, value = h.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        if length:
            reader.read(length)  # type: ignore[attr-defined]
        return method, url, headers

    def _drain_requests(self, reader: object, conn: socket.socket) -> None:
        """Answer keep-alives (GET_PARAMETER) during PLAY; a TEARDOWN or EOF ends the session."""
        try:
            while True:
                request = self._read_request(reader)
                if request is None or request[0] == "TEARDOWN":
                    conn.shutdown(socket.SHUT_RDWR)
                    return
                self._reply(conn, request[2].get("cseq", "0"), {"Session": "12345678"})
        except (OSError, ValueError):
            return

    @staticmethod
    def _reply(
        conn: socket.socket, cseq: str, headers: dict[str, str], body: bytes = b"", status: str = "200 OK"
    ) -> None:
        lines = [f"RTSP/1.0 {status}", f"CSeq: {cseq}", *(f"{k}: {v}" for k, v in headers.items())]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    @staticmethod
    def _encoder(feed: LiveFeed) -> av.CodecContext:
        cc = av.CodecContext.create("libx264", "w")
        cc.width, cc.height = feed.size
        cc.pix_fmt = "yuv420p"
        cc.time_base = fractions.Fraction(1, int(feed.fps))
        cc.options = {"preset": "ultrafast", "tune": "zerolatency", "g": str(int(feed.fps)), "bf": "0"}
        return cc

    def _sdp(self, feed: LiveFeed) -> str:
        cc = self._encoder(feed)
        frame = av.VideoFrame.from_ndarray(np.zeros((feed.size[1], feed.size[0], 3), np.uint8), format="bgr24")
        frame.pts = 0
        nals = [n for p in cc.encode(frame) for n in _nals(bytes(p))]
        sps = next(n for n in nals if n[0] & 0x1F == 7)
        pps = next(n for n in nals if n[0] & 0x1F == 8)
        sprop = f"{base64.b64encode(sps).decode()},{base64.b64encode(pps).decode()}"
        return (
            "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=standin\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
            "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
            f"a=fmtp:96 packetization-mode=1;profile-level-id={sps[1:4].hex()};sprop-parameter-sets={sprop}\r\n"
            "a=control:trackID=0\r\n"
        )

    def _play(self, conn: socket.socket, feed: LiveFeed) -> None:
        cc = self._encoder(feed)
        seq, ssrc = random.randint(0, 0xFFFF), random.getrandbits(32)
        step = 1.0 / feed.fps
        next_t = time.time()
        pts = 0
        while not self._stop.is_set():
            wait = next_t - time.time()
            if wait > 0:
                time.sleep(wait)
            index = feed.index_at(time.time())
            img = cv2.imdecode(np.frombuffer(feed.frame(index).jpeg, np.uint8), cv2.IMREAD_COLOR)
            frame = av.VideoFrame.from_ndarray(img, format="bgr24")
            frame.pts = pts
            for packet in cc.encode(frame):
                ts = int(packet.pts * _CLOCK / feed.fps) if packet.pts is not None else pts * _CLOCK // int(feed.fps)
                rtp, seq = _rtp(list(_nals(bytes(packet))), seq, ts, ssrc)
                for p in rtp:
                    conn.sendall(b"$\x00" + struct.pack("!H", len(p)) + p)
            pts += 1
            next_t += step
