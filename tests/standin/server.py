"""FrigateStandin: an HTTP server with Frigate's API shapes per version, over an in-memory 'database'."""

from __future__ import annotations

import datetime as dt
import errno
import re
import secrets
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import yaml

from . import routes_config, routes_live, routes_media, routes_tracking
from .auth import Authenticator, token_from_headers
from .camera import CameraSpec
from .config_doc import effective_config, initial_yaml
from .http_types import (
    BadBody,
    Request,
    Response,
    body_required,
    forbidden,
    method_not_allowed,
    not_found,
    unauthorized,
)
from .live import LiveFeed
from .media import Segment, frigate_path, probe_segment
from .nginx_cache import NginxCache
from .rtsp import RtspRestream
from .stills import frame_at, write_event_files
from .tls_cert import TlsKind, self_signed_pair
from .versions import VersionProfile, profile
from .walk import WalkPlan, event_row, frigate_id, review_item, timeline_rows

if TYPE_CHECKING:
    from .publisher import StandinPublisher

Handler = Callable[["FrigateStandin", Request], Response]
_SEGMENT_PATH = re.compile(r"recordings/(\d{4}-\d{2}-\d{2})/(\d{2})/([a-zA-Z0-9_-]+)/(\d{2})\.(\d{2})\.mp4$")
RUNTIME_TOGGLES = ("enabled", "recordings", "detect", "snapshots", "audio", "motion")


@dataclass(frozen=True)
class Route:
    """One API route: method, path regex, handler, whether this version has it, admin-only (0.16+)."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    exists: Callable[[VersionProfile], bool] = lambda p: True
    admin: bool = False
    public: bool = False


@dataclass(frozen=True)
class Deletion:
    """One thing the stand-in deleted: kind (event/recording/review/export/file/...), id, file, and how."""

    kind: str
    ident: str
    path: Path | None
    via: str


@dataclass(frozen=True)
class RequestRecord:
    """One request the stand-in received."""

    method: str
    path: str
    query: str
    status: int


@dataclass
class _Fault:
    remaining: int
    status: int | None  # None = Frigate goes down (connection dropped, server stopped)
    method: str | None
    path_contains: str | None
    fired: bool = False

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path_contains is None or self.path_contains in path
        )


@dataclass
class _State:
    """Frigate's database tables as the stand-in keeps them."""

    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    reviews: dict[str, dict[str, Any]] = field(default_factory=dict)
    recordings: dict[str, dict[str, Any]] = field(default_factory=dict)
    exports: dict[str, dict[str, Any]] = field(default_factory=dict)


class FrigateStandin:
    """A Frigate 0.14-0.18 stand-in on 127.0.0.1 (see the package docstring for what it reproduces)."""

    def __init__(
        self,
        version: str,
        media_root: Path,
        *,
        auth: bool = False,
        users: dict[str, str] | None = None,
        cameras: dict[str, CameraSpec] | None = None,
        tls: bool = False,
        roles: dict[str, str] | None = None,
        mqtt_host: str = "127.0.0.1",
        mqtt_port: int = 1883,
        face_recognition: bool = True,
        session_length: int = 86400,
        restart_delay: float = 0.3,
        nginx_cache: bool = False,
        tls_kind: TlsKind = "standin",
    ) -> None:
        self.prof = profile(version)
        self.version = self.prof.short
        self.media_root = Path(media_root)
        self.media_root.mkdir(parents=True, exist_ok=True)
        self.auth_enabled = auth
        self.cameras = cameras or {"front": CameraSpec("front")}
        for name, spec in self.cameras.items():
            if name != spec.name:
                raise ValueError(f"camera key {name!r} differs from CameraSpec.name {spec.name!r}")
        self.authenticator = Authenticator(
            self.prof,
            secrets.token_hex(32),
            dict(users or {"admin": "admin-password-1"}),
            dict(roles or {}),
            session_length,
        )
        self.tls = tls
        self.restart_delay = restart_delay
        self._raw_yaml = initial_yaml(
            self.prof,
            list(self.cameras.values()),
            auth=auth,
            mqtt_host=mqtt_host,
            mqtt_port=mqtt_port,
            face_recognition=face_recognition,
        )
        self._config = effective_config(self.prof, self._raw_yaml)
        self.pending_restart = False
        self.lock = threading.RLock()
        self.db = _State()
        self.deleted: list[Deletion] = []
        self.requests: list[RequestRecord] = []
        self.segments: dict[Path, Segment] = {}
        self.runtime: dict[str, dict[str, bool]] = {}
        self.publishers: list[StandinPublisher] = []
        self.live: dict[str, LiveFeed] = {}
        self._restream: RtspRestream | None = None
        """Live pictures per camera (`/api/<cam>` MJPEG, `latest.jpg`); a camera without one shows the still."""
        self.process_started = time.time()
        self.restarts = 0
        self._faults: list[_Fault] = []
        # nginx's 5 s answer cache in front of /api/ (off by default so tests reading state see it at once)
        self.nginx_cache = NginxCache(self.prof) if nginx_cache else None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port = 0
        self._tmp = tempfile.TemporaryDirectory(prefix="fp-standin-")
        self.ca_cert: Path | None = None
        self._ssl: ssl.SSLContext | None = None
        if tls:
            cert, key, self.ca_cert = self_signed_pair(Path(self._tmp.name), tls_kind)
            self._ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self._ssl.load_cert_chain(cert, key)
        self._reset_runtime()

    # ----- lifecycle -----
    @property
    def url(self) -> str:
        """Base URL (http or https) of the running stand-in."""
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self._port}"

    @property
    def running(self) -> bool:
        """Whether the HTTP server is up."""
        return self._server is not None

    def start(self) -> FrigateStandin:
        """Start serving (same port after a stop) and index recordings found on disk."""
        if self._server is not None:
            return self
        self.scan_media()
        server = self._bind()
        server.daemon_threads = True
        if self._ssl is not None:
            server.socket = self._ssl.wrap_socket(server.socket, server_side=True)
        self._port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="frigate-standin", daemon=True)
        self._thread.start()
        return self

    def _bind(self) -> ThreadingHTTPServer:
        """Bind the same port again; right after a stop the old socket may still hold it for a moment."""
        deadline = time.monotonic() + 5.0
        while True:
            try:
                return ThreadingHTTPServer(("127.0.0.1", self._port), _make_handler(self))
            except OSError as err:
                if err.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop serving (Frigate is down: connections are refused)."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def restart(self, down_for: float = 0.0) -> None:
        """What a Frigate restart does: reload the YAML, reset runtime toggles (kept on 0.18), reconnect MQTT."""
        for pub in self.publishers:
            pub.frigate_stopping()
        self.stop()
        time.sleep(down_for)
        with self.lock:
            self._config = effective_config(self.prof, self._raw_yaml)
            self.pending_restart = False
            self.process_started = time.time()
            self.restarts += 1
            if not self.prof.runtime_state_persists:
                self._reset_runtime()
        self.start()
        for pub in self.publishers:
            pub.frigate_started()

    def restart_later(self) -> None:
        """POST /api/restart: answer first, then go down for restart_delay seconds and come back."""

        def run() -> None:
            time.sleep(0.05)
            self.restart(self.restart_delay)

        threading.Thread(target=run, daemon=True).start()

    def __enter__(self) -> FrigateStandin:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
        if self._restream is not None:
            self._restream.stop()
        self._tmp.cleanup()

    def restream(self) -> RtspRestream:
        """go2rtc's RTSP restream of the live pictures (`standin.live`), started on first use; see rtsp.py."""
        if self._restream is None:
            self._restream = RtspRestream(self.live.get)
        return self._restream

    # ----- config -----
    @property
    def config_yaml(self) -> str:
        """Current raw YAML (what config/set edits; may differ from the served config until restart)."""
        return self._raw_yaml

    @property
    def config(self) -> dict[str, Any]:
        """The effective config GET /api/config serves right now."""
        return self._config

    def set_raw_yaml(self, text: str, *, apply_now: bool) -> None:
        """Replace the YAML (config/set and config/save land here)."""
        with self.lock:
            self._raw_yaml = text
            if apply_now:
                self._config = effective_config(self.prof, text)
            else:
                self.pending_restart = True

    def apply_live(self, text: str) -> None:
        """A 0.17+/0.18 update_topic: the change reaches the running processes without restart."""
        with self.lock:
            self._raw_yaml = text
            self._config = effective_config(self.prof, text)

    def records_audio(self, camera: str) -> bool:
        """Whether this camera's segments carry audio: the CameraSpec truth, else what the config implies."""
        spec = self.cameras.get(camera)
        if spec is not None and spec.segments_have_audio is not None:
            return spec.segments_have_audio
        from .ffmpeg_args import records_audio

        return records_audio(self._config["cameras"][camera]["ffmpeg"]["output_args"]["record"])

    def _reset_runtime(self) -> None:
        cams = yaml.safe_load(self._raw_yaml).get("cameras", {})
        self.runtime = {}
        for name in cams:
            cfg = effective_config(self.prof, self._raw_yaml)["cameras"][name]
            self.runtime[name] = {
                "enabled": bool(cfg.get("enabled", True)),
                "recordings": bool(cfg["record"]["enabled"]),
                "detect": bool(cfg["detect"]["enabled"]),
                "snapshots": bool(cfg["snapshots"]["enabled"]),
                "audio": bool(cfg["audio"]["enabled"]),
                "motion": True,
            }

    # ----- media / database -----
    def scan_media(self) -> int:
        """Index `recordings/` segments that have no row yet (Frigate's DB persists; ours is rebuilt)."""
        added = 0
        root = self.media_root / "recordings"
        if not root.is_dir():
            return 0
        known = {row["path"] for row in self.db.recordings.values()}
        for path in sorted(root.rglob("*.mp4")):
            m = _SEGMENT_PATH.search(path.as_posix())
            if not m or frigate_path(self.media_root, path) in known:
                continue
            day, hour, camera, minute, second = m.groups()
            start = dt.datetime.strptime(f"{day} {hour}:{minute}:{second}", "%Y-%m-%d %H:%M:%S")
            start_ts = start.replace(tzinfo=dt.UTC).timestamp()
            duration, has_audio = probe_segment(path)
            seg = self.segments.get(path) or Segment(path, camera, start_ts, start_ts + duration, has_audio, (0, 0), 0)
            self._add_recording(seg)
            added += 1
        return added

    def add_segments(self, segments: list[Segment]) -> None:
        """Register segments written by build_media (recordings rows, as the maintainer would insert)."""
        for seg in segments:
            self.segments[seg.path] = seg
            if frigate_path(self.media_root, seg.path) not in {r["path"] for r in self.db.recordings.values()}:
                self._add_recording(seg)

    def _add_recording(self, seg: Segment) -> None:
        with self.lock:
            self.segments.setdefault(seg.path, seg)
            rid = frigate_id(seg.start)
            self.db.recordings[rid] = {
                "id": rid,
                "camera": seg.camera,
                "path": frigate_path(self.media_root, seg.path),
                "start_time": seg.start,
                "end_time": seg.end,
                "duration": round(seg.end - seg.start, 3),
                "motion": 40,
                "objects": 0,
                "dBFS": 0,
                "segment_size": round(seg.path.stat().st_size / 1_000_000, 3),
                "regions": 2,
            }

    def recording_rows(self, camera: str, after: float, before: float) -> list[dict[str, Any]]:
        """Rows overlapping (after, before), oldest first."""
        rows = [
            r
            for r in self.db.recordings.values()
            if r["camera"] == camera and r["end_time"] > after and r["start_time"] < before
        ]
        return sorted(rows, key=lambda r: r["start_time"])

    def register_walk(self, plan: WalkPlan) -> None:
        """Record a finished walk as Frigate would: event, timeline, review rows and the clips/ files."""
        cam = self._config["cameras"].get(plan.camera)
        if cam is None:
            raise ValueError(f"camera {plan.camera!r} is not in the stand-in's config")
        snapshots = bool(cam["snapshots"]["enabled"])
        segs = [s for s in self.segments.values() if s.camera == plan.camera]
        frame = frame_at(segs, plan.snapshot_time, plan.detect_size)
        face_train = self.prof.faces and bool(self._config.get("face_recognition", {}).get("enabled"))
        files, thumb_b64 = write_event_files(
            self.media_root,
            plan,
            frame,
            snapshot=snapshots,
            clean_exts=self.prof.clean_snapshot_exts,
            thumb_file=self.prof.event_thumb_files,
            face_train=face_train,
        )
        del files
        with self.lock:
            self.db.events[plan.event_id] = event_row(plan, self.prof, has_snapshot=snapshots, thumbnail_b64=thumb_b64)
            self.db.timeline.extend(timeline_rows(plan))
            review = review_item(plan, self.prof, recognised=plan.sub_label is not None, ended=True)
            review["has_been_reviewed"] = False
            self.db.reviews[plan.review_id] = review
            for row in self.recording_rows(plan.camera, plan.start, plan.end):
                row["objects"] += 1

    def add_walk(self, **kwargs: Any) -> WalkPlan:
        """Register a walk without MQTT (same arguments as WalkPlan, camera defaults to the first)."""
        kwargs.setdefault("camera", next(iter(self.cameras)))
        spec = self.cameras[kwargs["camera"]]
        kwargs.setdefault("detect_size", spec.detect_size)
        plan = WalkPlan(**kwargs)
        self.register_walk(plan)
        return plan

    def log_deletion(self, kind: str, ident: str, path: Path | None, via: str) -> None:
        """Append to the deletion log (tests assert on it)."""
        self.deleted.append(Deletion(kind, ident, path, via))

    def delete_file(self, path: Path, ident: str, via: str) -> bool:
        """Delete one media file if present and log it."""
        if path.is_file():
            path.unlink()
            self.log_deletion("file", ident, path, via)
            return True
        return False

    # ----- inspection helpers -----
    @property
    def events(self) -> dict[str, dict[str, Any]]:
        """Event rows by id."""
        return self.db.events

    @property
    def reviews(self) -> dict[str, dict[str, Any]]:
        """Review rows by id."""
        return self.db.reviews

    @property
    def recordings(self) -> dict[str, dict[str, Any]]:
        """Recording rows by id (with `path` as Frigate names it)."""
        return self.db.recordings

    @property
    def exports(self) -> dict[str, dict[str, Any]]:
        """Export rows by id."""
        return self.db.exports

    @property
    def timeline(self) -> list[dict[str, Any]]:
        """Timeline rows."""
        return self.db.timeline

    # ----- fault injection -----
    def fail_after(
        self, n: int, *, status: int | None = None, method: str | None = None, path_contains: str | None = None
    ) -> None:
        """After `n` more matching requests succeed, fail: go down (status None) or answer `status`."""
        self._faults.append(_Fault(n, status, method, path_contains))

    def clear_faults(self) -> None:
        """Remove all fault injections."""
        self._faults.clear()

    def _fault_for(self, method: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.matches(method, path):
                if fault.remaining > 0:
                    fault.remaining -= 1
                    return None
                return fault
        return None

    # ----- dispatch -----
    def handle(self, req: Request) -> Response | None:
        """Route one request; None means 'drop the connection' (Frigate went down)."""
        fault = self._fault_for(req.method, req.path)
        if fault is not None:
            if fault.status is None:
                fault.fired = True
                threading.Thread(target=self.stop, daemon=True).start()
                return None
            return Response(fault.status, b'{"success": false, "message": "injected failure"}')
        cache = self.nginx_cache
        if cache is not None and cache.applies(req):
            who = self._identify(req) if self.auth_enabled else ("anonymous", "admin")
            if who is not None:  # nginx's auth_request runs before the cache; a refusal is never cached
                return cache.serve(req, "|".join(who), self._route)
        return self._route(req)

    def _route(self, req: Request) -> Response | None:
        if req.path.startswith(("/recordings/", "/exports/", "/clips/")) or req.path in (
            "/recordings",
            "/exports",
            "/clips",
        ):
            return self._authorised(req, routes_media.static(self, req))
        feed = _FEED.fullmatch(req.path)
        if feed is not None and req.method == "GET" and feed.group("camera") in self.cameras:
            # `/api/<camera>` would shadow every other `/api/<word>` route, so it is matched by camera name.
            req.params = feed.groupdict()
            return self._authorised(req, routes_live.mjpeg_feed(self, req))
        matched_path = False
        for route in ROUTES:
            m = route.pattern.fullmatch(req.path)
            if m is None or not route.exists(self.prof):
                continue
            matched_path = True
            if route.method != req.method:
                continue
            req.params = m.groupdict()
            denied = self._check_auth(req, route)
            if denied is not None:
                return denied
            try:
                return route.handler(self, req)
            except BadBody:
                return body_required(self.prof)
        if matched_path:
            return method_not_allowed(self.prof)
        return not_found(self.prof)

    def _authorised(self, req: Request, resp: Response) -> Response:
        if self.auth_enabled and self._identify(req) is None:
            return unauthorized()
        return resp

    def _identify(self, req: Request) -> tuple[str, str] | None:
        token = token_from_headers(req.headers)
        return None if token is None else self.authenticator.verify(token)

    def _check_auth(self, req: Request, route: Route) -> Response | None:
        if not self.auth_enabled or route.public:
            return None  # port 5000: anonymous admin
        who = self._identify(req)
        if who is None:
            return unauthorized()
        req.user, req.role = who
        if route.admin and self.prof.roles and req.role != "admin":
            return forbidden()
        return None


def _make_handler(standin: FrigateStandin) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _do(self) -> None:
            path, _, query = self.path.partition("?")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            req = Request(self.command, path, query, headers, body)
            try:
                resp = standin.handle(req)
            except Exception as exc:  # a stand-in bug must show up as a 500, not a hung client
                resp = Response(500, f'{{"success": false, "message": "stand-in error: {exc!r}"}}'.encode())
            standin.requests.append(RequestRecord(self.command, path, query, 0 if resp is None else resp.status))
            if resp is None:
                self.close_connection = True
                self.connection.close()
                return
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            if resp.stream is None:
                self.send_header("Content-Length", str(len(resp.body)))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            for name, value in resp.headers:
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body)
                if resp.stream is not None:
                    _send_stream(self.wfile, resp.stream)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _do

        def log_message(self, format: str, *args: Any) -> None:
            """Silence the default stderr access log."""

    return _Handler


def _send_stream(out: Any, chunks: Iterator[bytes]) -> None:
    """Write a streamed body until it ends or the client disconnects."""
    try:
        for chunk in chunks:
            out.write(chunk)
            out.flush()
    except OSError:
        pass  # the viewer left
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def _r(
    method: str,
    pattern: str,
    handler: Handler,
    exists: Callable[[VersionProfile], bool] = lambda p: True,
    *,
    admin: bool = False,
    public: bool = False,
) -> Route:
    return Route(method, re.compile(pattern), handler, exists, admin, public)


_ID = r"(?P<id>[^/]+)"
_CAM = r"(?P<camera>[a-zA-Z0-9_-]+)"
_FEED = re.compile(r"/api/(?P<camera>[a-zA-Z0-9_-]+)")
_TS = r"(?P<start>[0-9.]+)/end/(?P<end>[0-9.]+)"
ROUTES: tuple[Route, ...] = (
    _r("GET", r"/api/version", routes_config.version),
    _r("GET", r"/api/config", routes_config.get_config),
    _r("GET", r"/api/config/raw", routes_config.get_raw),
    _r("PUT", r"/api/config/set", routes_config.config_set, admin=True),
    _r("POST", r"/api/restart", routes_config.restart, admin=True),
    _r("POST", r"/api/login", routes_config.login, public=True),
    _r("GET", r"/api/logout", routes_config.logout, public=True),
    _r("GET", r"/api/profile", routes_config.get_profile),
    _r("GET", r"/api/events", routes_tracking.list_events),
    _r("DELETE", r"/api/events/?", routes_tracking.bulk_delete_events, lambda p: p.bulk_event_delete, admin=True),
    _r("GET", rf"/api/events/{_ID}", routes_tracking.get_event),
    _r("DELETE", rf"/api/events/{_ID}", routes_tracking.delete_event, admin=True),
    _r("POST", rf"/api/events/{_ID}/retain", routes_tracking.retain_event, admin=True),
    _r("DELETE", rf"/api/events/{_ID}/retain", routes_tracking.unretain_event, admin=True),
    _r("GET", rf"/api/events/{_ID}/snapshot.jpg", routes_tracking.event_snapshot),
    _r("GET", rf"/api/events/{_ID}/thumbnail.jpg", routes_live.event_thumbnail),
    _r("GET", r"/api/timeline", routes_tracking.timeline),
    _r("GET", r"/api/review", routes_tracking.list_reviews),
    _r("GET", rf"/api/review/event/{_ID}", routes_tracking.review_by_event, lambda p: p.review_by_event),
    _r("GET", rf"/api/review/{_ID}", routes_tracking.get_review),
    _r("POST", r"/api/reviews/delete", routes_tracking.delete_reviews, admin=True),
    _r(
        "DELETE",
        rf"/api/recordings/start/{_TS}",
        routes_media.delete_recordings,
        lambda p: p.recordings_delete_api,
        admin=True,
    ),
    _r("GET", rf"/api/{_CAM}/recordings", routes_media.list_recordings),
    _r("GET", rf"/api/{_CAM}/start/{_TS}/clip.mp4", routes_media.clip),
    _r("POST", rf"/api/export/{_CAM}/start/{_TS}", routes_media.create_export, admin=True),
    _r("GET", r"/api/exports", routes_media.list_exports),
    _r("POST", r"/api/exports/delete", routes_media.delete_exports_bulk, lambda p: p.export_delete_post, admin=True),
    _r("GET", rf"/api/exports/{_ID}", routes_media.get_export, lambda p: p.export_get_one),
    _r(
        "PATCH",
        rf"/api/export/{_ID}/rename",
        routes_media.rename_export_body,
        lambda p: p.export_rename_body,
        admin=True,
    ),
    _r(
        "PATCH",
        rf"/api/export/{_ID}/(?P<name>[^/]+)",
        routes_media.rename_export_path,
        lambda p: not p.export_rename_body,
        admin=True,
    ),
    _r("DELETE", rf"/api/export/{_ID}", routes_media.delete_export, lambda p: not p.export_delete_post, admin=True),
    _r("GET", r"/api/faces", routes_media.list_faces, lambda p: p.faces),
    _r("GET", rf"/api/{_CAM}/latest.jpg", routes_live.latest_jpg),
    _r("POST", r"/api/faces/(?P<name>[^/]+)/delete", routes_media.delete_faces, lambda p: p.faces, admin=True),
)
