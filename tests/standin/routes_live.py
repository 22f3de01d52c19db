"""Live picture routes: `/api/<cam>` MJPEG feed, `/api/<cam>/latest.jpg`, `/api/events/<id>/thumbnail.jpg`."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import cv2
import numpy as np

from .http_types import Request, Response, json_response
from .live import BOUNDARY, LiveFeed

if TYPE_CHECKING:
    from .server import FrigateStandin


def _feed(s: FrigateStandin, camera: str) -> LiveFeed:
    feed = s.live.get(camera)
    if feed is None:
        feed = s.live[camera] = LiveFeed(size=(640, 360), fps=5.0)
    return feed


def mjpeg_feed(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/<cam>?fps=N`: multipart JPEG frames in real time until the client leaves."""
    fps = float(req.arg("fps") or 0) or None
    feed = _feed(s, req.params["camera"])
    return Response(200, b"", f"multipart/x-mixed-replace; boundary={BOUNDARY}", stream=feed.mjpeg(fps))


def latest_jpg(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/<cam>/latest.jpg`: the frame of this moment."""
    camera = req.params["camera"]
    if camera not in s.cameras:
        return json_response({"success": False, "message": "Camera not found"}, 404)
    return Response(200, _feed(s, camera).latest_jpeg(), "image/jpeg")


def event_thumbnail(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/events/<id>/thumbnail.jpg`: the 175 px crop (the webp file 0.16+, the DB's base64 before)."""
    ev = s.db.events.get(req.params["id"])
    if ev is None:
        return json_response({"success": False, "message": "Event not found"}, 404)
    path = s.media_root / "clips" / "thumbs" / ev["camera"] / f"{ev['id']}.webp"
    if path.is_file():
        data = path.read_bytes()
    elif ev.get("thumbnail"):
        data = base64.b64decode(ev["thumbnail"])
    else:
        return json_response({"success": False, "message": "Event not found"}, 404)
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    _, enc = cv2.imencode(".jpg", img)
    return Response(200, bytes(enc.tobytes()), "image/jpeg")
