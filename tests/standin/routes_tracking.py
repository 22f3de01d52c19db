"""Routes: events (list/get/delete with Frigate's residue), timeline and review items."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .http_types import Request, Response, json_response
from .media import local_path

if TYPE_CHECKING:
    from .server import FrigateStandin


def _csv(req: Request, *names: str) -> set[str] | None:
    """Comma-list filter from any of the given parameter names; None for `all`/absent."""
    for name in names:
        value = req.arg(name)
        if value and value != "all":
            return set(value.split(","))
    return None


def _float(req: Request, name: str) -> float | None:
    value = req.arg(name)
    try:
        return None if value in (None, "") else float(value)
    except ValueError:
        return None


def list_events(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/events` with the common filters; newest first; `limit` default 100."""
    cams, labels = _csv(req, "cameras", "camera"), _csv(req, "labels", "label")
    subs, zones = _csv(req, "sub_labels", "sub_label"), _csv(req, "zones", "zone")
    ids = _csv(req, "event_id")
    after, before = _float(req, "after"), _float(req, "before")
    in_progress = req.arg("in_progress")
    out = []
    for ev in s.db.events.values():
        if (cams and ev["camera"] not in cams) or (labels and ev["label"] not in labels):
            continue
        if subs and (ev["sub_label"] or "None") not in subs:
            continue
        if (zones and not zones & set(ev["zones"])) or (ids and ev["id"] not in ids):
            continue
        if (after is not None and ev["start_time"] <= after) or (before is not None and ev["start_time"] >= before):
            continue
        if in_progress is not None and (ev["end_time"] is None) != (in_progress == "1"):
            continue
        for flag in ("has_clip", "has_snapshot"):
            want = req.arg(flag)
            if want is not None and bool(ev[flag]) != (want == "1"):
                break
        else:
            out.append(ev)
    out.sort(key=lambda e: e["start_time"], reverse=True)
    limit = int(req.arg("limit") or 100)
    return json_response(out[:limit] if limit > 0 else out)


def get_event(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/events/<id>`."""
    ev = s.db.events.get(req.params["id"])
    if ev is None:
        return json_response({"success": False, "message": "Event not found"}, 404)
    return json_response(ev)


def _delete_event(s: FrigateStandin, event_id: str, via: str) -> bool:
    """DB row, timeline rows and snapshot files go; recordings, review, thumbs and face crops stay (§2.3)."""
    with s.lock:
        ev = s.db.events.pop(event_id, None)
        if ev is None:
            return False
        cam = ev["camera"]
        clips = s.media_root / "clips"
        names = [f"{cam}-{event_id}.jpg", f"{cam}-{event_id}-clean.png"]
        if s.prof.minor >= 17:
            names.append(f"{cam}-{event_id}-clean.webp")
        if s.prof.minor <= 14:
            names.append(f"{cam}-{event_id}.mp4")  # legacy clip
        for name in names:
            s.delete_file(clips / name, event_id, via)
        before = len(s.db.timeline)
        s.db.timeline[:] = [row for row in s.db.timeline if row["source_id"] != event_id]
        s.log_deletion("event", event_id, None, via)
        if len(s.db.timeline) != before:
            s.log_deletion("timeline", event_id, None, via)
        return True


def delete_event(s: FrigateStandin, req: Request) -> Response:
    """`DELETE /api/events/<id>`."""
    event_id = req.params["id"]
    if not _delete_event(s, event_id, f"DELETE {req.path}"):
        return json_response({"success": False, "message": f"Event {event_id} not found"}, 404)
    return json_response({"success": True, "message": f"Event {event_id} deleted"})


def bulk_delete_events(s: FrigateStandin, req: Request) -> Response:
    """`DELETE /api/events/ {"event_ids": [...]}` (0.15+)."""
    body = req.json()
    ids = body.get("event_ids") if isinstance(body, dict) else None
    if not isinstance(ids, list):
        return json_response({"detail": [{"loc": ["body", "event_ids"], "msg": "Field required"}]}, 422)
    deleted: list[Any] = []
    missing: list[Any] = []
    for eid in ids:
        (deleted if _delete_event(s, str(eid), "DELETE /api/events/") else missing).append(eid)
    if not deleted:
        return json_response({"success": False, "message": "No events were deleted"}, 404)
    return json_response({"success": True, "deleted_events": deleted, "not_found_events": missing})


def _set_retain(s: FrigateStandin, req: Request, value: bool) -> Response:
    ev = s.db.events.get(req.params["id"])
    if ev is None:
        return json_response({"success": False, "message": "Event not found"}, 404)
    ev["retain_indefinitely"] = value
    verb = "retained" if value else "un-retained"
    return json_response({"success": True, "message": f"Event {ev['id']} {verb}"})


def retain_event(s: FrigateStandin, req: Request) -> Response:
    """`POST /api/events/<id>/retain` (favourite)."""
    return _set_retain(s, req, True)


def unretain_event(s: FrigateStandin, req: Request) -> Response:
    """`DELETE /api/events/<id>/retain`."""
    return _set_retain(s, req, False)


def event_snapshot(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/events/<id>/snapshot.jpg` for finished events (the saved file)."""
    ev = s.db.events.get(req.params["id"])
    if ev is None:
        return json_response({"success": False, "message": "Event not found"}, 404)
    path = s.media_root / "clips" / f"{ev['camera']}-{ev['id']}.jpg"
    if not path.is_file():
        return json_response({"success": False, "message": "Event does not have a snapshot"}, 404)
    return Response(200, path.read_bytes(), "image/jpeg", [("Cache-Control", "private, max-age=31536000")])


def timeline(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/timeline?camera=&source_id=&limit=` (oldest first)."""
    cam, source = req.arg("camera"), req.arg("source_id")
    rows = [
        r
        for r in s.db.timeline
        if (cam in (None, "", "all") or r["camera"] == cam) and (source in (None, "") or r["source_id"] == source)
    ]
    rows.sort(key=lambda r: r["timestamp"])
    return json_response(rows[: int(req.arg("limit") or 100)])


def _review_out(s: FrigateStandin, review: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(review)
    out.setdefault("has_been_reviewed", False)
    return out


def list_reviews(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/review` with cameras/labels/zones/severity/after/before/limit; newest first."""
    cams, labels, zones = _csv(req, "cameras"), _csv(req, "labels"), _csv(req, "zones")
    severity = req.arg("severity")
    after, before = _float(req, "after"), _float(req, "before")
    out = []
    for r in s.db.reviews.values():
        end = r["end_time"] if r["end_time"] is not None else time.time()
        if (cams and r["camera"] not in cams) or (severity and r["severity"] != severity):
            continue
        if labels and not labels & {o.removesuffix("-verified") for o in r["data"]["objects"]}:
            continue
        if zones and not zones & set(r["data"]["zones"]):
            continue
        if (after is not None and end < after) or (before is not None and r["start_time"] > before):
            continue
        out.append(_review_out(s, r))
    out.sort(key=lambda r: r["start_time"], reverse=True)
    return json_response(out[: int(req.arg("limit") or 10000)])


def get_review(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/review/<id>`."""
    r = s.db.reviews.get(req.params["id"])
    if r is None:
        return json_response({"success": False, "message": "Review item not found"}, 404)
    return json_response(_review_out(s, r))


def review_by_event(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/review/event/<event_id>` (0.15+)."""
    for r in s.db.reviews.values():
        if req.params["id"] in r["data"]["detections"]:
            return json_response(_review_out(s, r))
    return json_response({"success": False, "message": "Review item not found"}, 404)


def delete_recording_row(s: FrigateStandin, row: dict[str, Any], via: str) -> None:
    """Delete one segment: file and row."""
    path: Path = local_path(s.media_root, row["path"])
    s.db.recordings.pop(row["id"], None)
    if path.is_file():
        path.unlink()
    s.segments.pop(path, None)
    s.log_deletion("recording", row["id"], path, via)


def delete_reviews(s: FrigateStandin, req: Request) -> Response:
    """`POST /api/reviews/delete {ids}`: every overlapping segment (file + row) and the rows; thumb stays."""
    body = req.json()
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list):
        return json_response({"detail": [{"loc": ["body", "ids"], "msg": "Field required"}]}, 422)
    via = "POST /api/reviews/delete"
    with s.lock:
        for rid in ids:
            review = s.db.reviews.pop(str(rid), None)
            if review is None:
                continue
            end = review["end_time"] if review["end_time"] is not None else time.time()
            for row in s.recording_rows(review["camera"], review["start_time"], end):
                delete_recording_row(s, row, via)
            s.log_deletion("review", str(rid), None, via)
    return json_response({"success": True, "message": "Deleted review items."})
