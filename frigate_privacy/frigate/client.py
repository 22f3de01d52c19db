"""The Frigate HTTP API client: one class, typed answers, version-aware request shapes."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from frigate_privacy.config.frigate import FrigateConfig
from frigate_privacy.frigate.errors import FrigateApiError, FrigateNotFoundError, FrigateUnsupportedError
from frigate_privacy.frigate.identifiers import (
    face_file_name,
    path_camera,
    path_event_id,
    path_export_id,
    path_face_folder,
    path_timestamp,
)
from frigate_privacy.frigate.models import (
    ApiEvent,
    Export,
    ExportCreated,
    FaceLibrary,
    FrigateConfigSnapshot,
    Recording,
    ReviewItem,
    TimelineEntry,
)
from frigate_privacy.frigate.models.base import CAMERA_NAME
from frigate_privacy.frigate.transport import FrigateTransport
from frigate_privacy.frigate.unexpected import unexpected_answer
from frigate_privacy.frigate.version import ConfigSetStyle, ExportStyle, FrigateVersion

__all__ = ["FrigateClient"]

T = TypeVar("T", bound=BaseModel)
_CHUNK = 64 * 1024

logger = logging.getLogger(__name__)


def _listing_params(cameras: Sequence[str], after: float | None, before: float | None, limit: int) -> dict[str, Any]:
    """The query `/api/events` and `/api/review` share: camera list, time window and limit."""
    params: dict[str, Any] = {"limit": limit}
    if cameras:
        params["cameras"] = ",".join(path_camera(c) for c in cameras)
    if after is not None:
        params["after"] = after
    if before is not None:
        params["before"] = before
    return params


def _valid_cameras(config: dict[str, Any]) -> dict[str, Any]:
    """Drop camera keys Frigate itself would refuse, once, so no command prints or plans with them.

    A crafted answer may name a camera with escape sequences or path parts; the real cameras keep working.
    """
    cameras = config.get("cameras")
    if not isinstance(cameras, dict):
        return config
    good = {k: v for k, v in cameras.items() if isinstance(k, str) and len(k) <= 128 and CAMERA_NAME.fullmatch(k)}
    refused = [k for k in cameras if k not in good]
    if refused:
        shown = ", ".join(ascii(k)[:60] for k in refused[:5])
        logger.warning("ignoring %d camera name(s) from Frigate that are not valid: %s", len(refused), shown)
    return {**config, "cameras": good}


class FrigateClient:
    """Talks to one Frigate (0.14-0.18) over HTTP; every failure is a FrigateApiError."""

    def __init__(self, transport: FrigateTransport) -> None:
        self.transport = transport
        self._version: FrigateVersion | None = None

    @classmethod
    def from_config(cls, cfg: FrigateConfig) -> FrigateClient:
        """Build a client from the `frigate:` config section."""
        return cls(
            FrigateTransport(
                cfg.url,
                user=cfg.user,
                password=cfg.password,
                verify_tls=cfg.verify_tls,
                ca_file=cfg.ca_file,
                timeout=cfg.timeout,
                retries=cfg.retries,
            )
        )

    def close(self) -> None:
        """Release the HTTP session."""
        self.transport.close()

    def __enter__(self) -> FrigateClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing -----------------------------------------------------------------------------------

    def _json(self, method: str, path: str, *, idempotent: bool, **kwargs: Any) -> Any:
        response = self.transport.request(method, path, idempotent=idempotent, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise FrigateApiError(f"Frigate answered {method} {path} with something that is not JSON") from None
        except RecursionError:
            # A crafted answer nested thousands deep: refused like any other malformed answer.
            raise FrigateApiError(f"Frigate answered {method} {path} with JSON nested too deeply") from None

    def _parse(self, model: type[T], data: Any, what: str) -> T:
        try:
            return model.model_validate(data)
        except ValidationError as err:
            raise unexpected_answer(what, err, self._version_label(data)) from None

    def _parse_list(self, model: type[T], data: Any, what: str) -> list[T]:
        try:
            return TypeAdapter(list[model]).validate_python(data)  # type: ignore[valid-type]
        except ValidationError as err:
            raise unexpected_answer(what, err, self._version_label(data)) from None

    def _version_label(self, answer: Any) -> str:
        """The Frigate version for an error message; never raises (it runs while reporting an error)."""
        if self._version is not None:
            return str(self._version)
        try:
            return str(FrigateVersion.parse(self.transport.request("GET", "/api/version", idempotent=True).text))
        except (FrigateApiError, ValueError):
            pass
        # The config answer itself names its schema version (the one answer that can fail before version()).
        schema = answer.get("version") if isinstance(answer, dict) else None
        return f"(config version {schema!r})" if schema is not None else "(version unknown)"

    def _require(self, supported: bool, what: str) -> None:
        if not supported:
            raise FrigateUnsupportedError(f"Frigate {self.version()} has no {what}")

    # -- version and config -------------------------------------------------------------------------

    def version(self) -> FrigateVersion:
        """The running version: `/api/version`, falling back to the config's schema `version` key."""
        if self._version is None:
            try:
                text = self.transport.request("GET", "/api/version", idempotent=True).text
                self._version = FrigateVersion.parse(text)
            except (FrigateNotFoundError, ValueError):
                schema = self.config().version
                if schema is None:
                    raise FrigateApiError("cannot tell which Frigate version is running") from None
                try:
                    self._version = FrigateVersion.parse(schema)
                except ValueError:
                    raise FrigateApiError(f"unknown Frigate config version {schema[:20]!r}") from None
        return self._version

    def raw_config(self) -> dict[str, Any]:
        """`GET /api/config` as a plain mapping (for keys the snapshot model does not cover)."""
        data = self._json("GET", "/api/config", idempotent=True)
        if not isinstance(data, dict):
            raise FrigateApiError("Frigate's /api/config is not a JSON object")
        return _valid_cameras(data)

    def config(self) -> FrigateConfigSnapshot:
        """`GET /api/config`, parsed into the subset the plugin uses."""
        return self.parse_config(self.raw_config())

    def parse_config(self, raw: dict[str, Any]) -> FrigateConfigSnapshot:
        """Parse a `GET /api/config` answer already read (one read can serve the raw and the typed form)."""
        return self._parse(FrigateConfigSnapshot, raw, "config")

    def set_config(
        self, updates: Mapping[str, str], *, requires_restart: bool = True, update_topic: str | None = None
    ) -> None:
        """`PUT /api/config/set?<dotted.key>=<value>` with the body the running version needs."""
        if not updates:
            return
        style = self.version().config_set_style
        body: dict[str, Any] | None = None
        if update_topic is not None and style is not ConfigSetStyle.update_topic:
            raise FrigateUnsupportedError(f"Frigate {self.version()} cannot apply config changes live (0.17+)")
        if style is not ConfigSetStyle.query_only:
            # FastAPI (0.15+) rejects the call without a JSON body.
            body = {"requires_restart": 1 if requires_restart else 0}
            if update_topic is not None:
                body["update_topic"] = update_topic
        self.transport.request("PUT", "/api/config/set", params=dict(updates), json=body, idempotent=True)

    def restart(self) -> None:
        """`POST /api/restart`."""
        self.transport.request("POST", "/api/restart", idempotent=False)

    # -- events, timeline, reviews -----------------------------------------------------------------

    def events(
        self,
        *,
        cameras: Sequence[str] = (),
        after: float | None = None,
        before: float | None = None,
        limit: int = 100,
        in_progress: bool | None = None,
    ) -> list[ApiEvent]:
        """`GET /api/events` (newest first)."""
        params = _listing_params(cameras, after, before, limit)
        if in_progress is not None:
            params["in_progress"] = int(in_progress)
        return self._parse_list(ApiEvent, self._json("GET", "/api/events", params=params, idempotent=True), "events")

    def event(self, event_id: str) -> ApiEvent:
        """`GET /api/events/<id>`."""
        data = self._json("GET", f"/api/events/{path_event_id(event_id)}", idempotent=True)
        return self._parse(ApiEvent, data, "event")

    def delete_event(self, event_id: str) -> None:
        """`DELETE /api/events/<id>`: leaves recordings, the review item and thumbnails behind."""
        self.transport.request("DELETE", f"/api/events/{path_event_id(event_id)}", idempotent=True)

    def timeline(self, event_id: str, limit: int = 1000) -> list[TimelineEntry]:
        """`GET /api/timeline?source_id=<id>`: sparse lifecycle rows with relative boxes."""
        params = {"source_id": path_event_id(event_id), "limit": limit}
        data = self._json("GET", "/api/timeline", params=params, idempotent=True)
        return self._parse_list(TimelineEntry, data, "timeline")

    def reviews(
        self,
        *,
        cameras: Sequence[str] = (),
        after: float | None = None,
        before: float | None = None,
        limit: int = 100,
    ) -> list[ReviewItem]:
        """`GET /api/review` (0.14+)."""
        params = _listing_params(cameras, after, before, limit)
        return self._parse_list(ReviewItem, self._json("GET", "/api/review", params=params, idempotent=True), "reviews")

    def review(self, review_id: str) -> ReviewItem:
        """`GET /api/review/<id>` (0.14+); FrigateNotFoundError when it is gone."""
        path = f"/api/review/{path_event_id(review_id)}"
        self._require(self.version().has_reviews, "review items (0.14+)")
        data = self._json("GET", path, idempotent=True)
        return self._parse(ReviewItem, data, "review item")

    def delete_reviews(self, review_ids: Iterable[str]) -> None:
        """`POST /api/reviews/delete`: also deletes every recording segment overlapping each review."""
        ids = [path_event_id(i) for i in review_ids]
        if ids:
            # Deleting twice has the same effect as once, so this POST may be retried.
            self.transport.request("POST", "/api/reviews/delete", json={"ids": ids}, idempotent=True)

    # -- recordings and clips ----------------------------------------------------------------------

    def recordings(self, camera: str, after: float, before: float) -> list[Recording]:
        """`GET /api/<camera>/recordings`; both bounds are always sent (0.16+ defaults are stale)."""
        params = {"after": after, "before": before}
        data = self._json("GET", f"/api/{path_camera(camera)}/recordings", params=params, idempotent=True)
        return self._parse_list(Recording, data, "recordings")

    def download_clip(self, camera: str, start: float, end: float, out: IO[bytes]) -> int:
        """Stream `/api/<camera>/start/<s>/end/<e>/clip.mp4` into `out` in chunks; returns bytes written.

        On an error part of the clip may already be in `out`; the caller must discard it.
        """
        path = f"/api/{path_camera(camera)}/start/{path_timestamp(start)}/end/{path_timestamp(end)}/clip.mp4"
        response = self.transport.request("GET", path, idempotent=True, stream=True)
        written = 0
        try:
            for chunk in response.iter_content(chunk_size=_CHUNK):
                out.write(chunk)
                written += len(chunk)
        except OSError as err:
            raise FrigateApiError(f"clip download from Frigate broke off after {written} bytes ({err})") from None
        except Exception as err:  # requests raises several types mid-stream
            raise FrigateApiError(
                f"clip download from Frigate broke off after {written} bytes ({type(err).__name__})"
            ) from None
        finally:
            response.close()
        return written

    def latest_jpeg(self, camera: str) -> bytes:
        """`GET /api/<camera>/latest.jpg`: the newest detect-stream frame (unmasked)."""
        return self._bytes(f"/api/{path_camera(camera)}/latest.jpg")

    def event_snapshot_jpeg(self, event_id: str) -> bytes:
        """`GET /api/events/<id>/snapshot.jpg`: the event's saved snapshot (unmasked)."""
        return self._bytes(f"/api/events/{path_event_id(event_id)}/snapshot.jpg")

    def event_thumbnail_jpeg(self, event_id: str) -> bytes:
        """`GET /api/events/<id>/thumbnail.jpg`: the event's small crop (unmasked)."""
        return self._bytes(f"/api/events/{path_event_id(event_id)}/thumbnail.jpg")

    def _bytes(self, path: str, limit: int = 32 * 1024 * 1024) -> bytes:
        response = self.transport.request("GET", path, idempotent=True)
        if len(response.content) > limit:
            raise FrigateApiError(f"Frigate's {path} is larger than {limit} bytes")
        return bytes(response.content)

    def delete_recordings(self, start: float, end: float, cameras: Sequence[str], keep: Sequence[str] = ()) -> None:
        """0.18: `DELETE /api/recordings/start/<s>/end/<e>?cameras=` (optionally `keep=motion,object,audio`)."""
        self._require(self.version().has_recordings_delete, "recordings delete API (0.18+)")
        params: dict[str, Any] = {"cameras": ",".join(path_camera(c) for c in cameras)}
        if keep:
            params["keep"] = ",".join(keep)
        path = f"/api/recordings/start/{path_timestamp(start)}/end/{path_timestamp(end)}"
        self.transport.request("DELETE", path, params=params, idempotent=True)

    # -- face recognition (0.16+) ------------------------------------------------------------------

    def faces(self) -> FaceLibrary:
        """`GET /api/faces`: the face folders and their image files, `train` holding recognition attempts."""
        self._require(self.version().has_face_library, "face library API (0.16+)")
        data = self._json("GET", "/api/faces", idempotent=True)
        if not isinstance(data, dict):
            raise FrigateApiError("Frigate's /api/faces is not a JSON object")
        return self._parse(FaceLibrary, {"folders": data}, "face library")

    def delete_face_files(self, folder: str, files: Sequence[str]) -> None:
        """`POST /api/faces/<folder>/delete {"ids": [...]}`; folder `train` purges recognition attempts."""
        path = f"/api/faces/{path_face_folder(folder)}/delete"
        names = [face_file_name(f) for f in files]
        self._require(self.version().has_face_library, "face library API (0.16+)")
        if names:
            # Deleting a file twice leaves the same state, so this POST may be retried.
            self.transport.request("POST", path, json={"ids": names}, idempotent=True)

    # -- exports ---------------------------------------------------------------------------------

    def exports(self) -> list[Export]:
        """`GET /api/exports` (0.14+)."""
        return self._parse_list(Export, self._json("GET", "/api/exports", idempotent=True), "exports")

    def create_export(
        self, camera: str, start: float, end: float, *, name: str | None = None, playback: str = "realtime"
    ) -> str:
        """Start an export and return its id (0.14 answers without one, so it is found by its unique name)."""
        name = name or f"frigate-privacy {camera} {int(start)}-{int(end)} {secrets.token_hex(4)}"
        style = self.version().export_style
        body: dict[str, Any] = {"playback": playback, "name": name[:256]}
        if style is not ExportStyle.by_name:
            body["source"] = "recordings"
        path = f"/api/export/{path_camera(camera)}/start/{path_timestamp(start)}/end/{path_timestamp(end)}"
        # Never retried: a second POST would start a second export.
        created = self._parse(ExportCreated, self._json("POST", path, json=body, idempotent=False), "export answer")
        if not created.success:
            raise FrigateApiError(f"Frigate refused the export: {created.message or 'no reason given'}")
        if created.export_id is not None:
            return path_export_id(created.export_id)
        return self._find_export_by_name(name)

    def _find_export_by_name(self, name: str, wait: float = 10.0) -> str:
        # 0.14 inserts the export row from its worker thread, so it may appear a moment later.
        deadline = time.monotonic() + wait
        while True:
            matches = [e for e in self.exports() if e.name == name]
            if matches:
                return path_export_id(matches[0].id)
            if time.monotonic() >= deadline:
                raise FrigateApiError(f"Frigate accepted the export {name!r} but never listed it")
            time.sleep(0.5)

    def export(self, export_id: str) -> Export:
        """One export: `GET /api/exports/<id>` (0.15+), or looked up in the list on 0.14."""
        export_id = path_export_id(export_id)
        if self.version().export_style is ExportStyle.by_name:
            for item in self.exports():
                if item.id == export_id:
                    return item
            raise FrigateNotFoundError(f"Frigate has no export {export_id!r}", 404)
        return self._parse(Export, self._json("GET", f"/api/exports/{export_id}", idempotent=True), "export")

    def wait_export(self, export_id: str, *, timeout: float = 600.0, poll: float = 1.0) -> Export:
        """Poll until the export is no longer in progress; a vanished export means Frigate's ffmpeg failed."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                item = self.export(export_id)
            except FrigateNotFoundError:
                raise FrigateApiError(f"export {export_id!r} failed in Frigate (it removed the export)") from None
            if not item.in_progress:
                return item
            if time.monotonic() >= deadline:
                raise FrigateApiError(f"export {export_id!r} still running after {timeout:.0f} s")
            time.sleep(poll)

    def delete_export(self, export_id: str) -> None:
        """Delete an export: `DELETE /api/export/<id>`, or 0.18's `POST /api/exports/delete {"ids": [...]}`."""
        export_id = path_export_id(export_id)
        if self.version().export_style is ExportStyle.bulk_delete:
            self.transport.request("POST", "/api/exports/delete", json={"ids": [export_id]}, idempotent=True)
        else:
            self.transport.request("DELETE", f"/api/export/{export_id}", idempotent=True)
