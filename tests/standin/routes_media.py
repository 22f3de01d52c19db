"""Routes: recordings, clips, 0.18 recordings delete, exports per version, faces, static media listings."""

from __future__ import annotations

import datetime as dt
import json
import random
import string
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .clip import concat_segments
from .http_types import Request, Response, json_response, not_found
from .media import frigate_path, local_path
from .routes_tracking import delete_recording_row

if TYPE_CHECKING:
    from .server import FrigateStandin


def _rand6() -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=6))


def list_recordings(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/<cam>/recordings?after=&before=`: no file paths; 0.16+ defaults frozen at process start."""
    now = s.process_started if s.prof.recordings_frozen_defaults else time.time()
    after = float(req.arg("after") or now - 3600)
    before = float(req.arg("before") or now)
    rows = s.recording_rows(req.params["camera"], after, before)
    keys = ("id", "start_time", "end_time", "segment_size", "motion", "objects", "duration")
    return json_response([{k: r[k] for k in keys} for r in rows])


def _segments_for(s: FrigateStandin, camera: str, start: float, end: float) -> list[tuple[Path, float, float]]:
    rows = s.recording_rows(camera, start, end)
    parts = [(local_path(s.media_root, r["path"]), float(r["start_time"]), float(r["end_time"])) for r in rows]
    return [(p, a, b) for p, a, b in parts if p.is_file()]


def clip(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/<cam>/start/<s>/end/<e>/clip.mp4`: concatenated segments, stream copy, fragmented MP4."""
    start, end = float(req.params["start"]), float(req.params["end"])
    parts = _segments_for(s, req.params["camera"], start, end)
    if not parts:
        return json_response({"success": False, "message": "No recordings found for the specified time range"}, 400)
    return Response(200, concat_segments(parts, start, end), "video/mp4")


def delete_recordings(s: FrigateStandin, req: Request) -> Response:
    """0.18 `DELETE /api/recordings/start/<s>/end/<e>?cameras=&keep=`: overlapping segments, file + row."""
    start, end = float(req.params["start"]), float(req.params["end"])
    cams_arg = req.arg("cameras") or "all"
    cams = set(s.config["cameras"]) if cams_arg == "all" else set(cams_arg.split(","))
    keep = set(filter(None, (req.arg("keep") or "").split(",")))
    deleted = 0
    with s.lock:
        for cam in sorted(cams):
            for row in s.recording_rows(cam, start, end):
                if ("motion" in keep and row["motion"] > 0) or ("object" in keep and row["objects"] > 0):
                    continue
                if "audio" in keep and row["dBFS"]:
                    continue
                delete_recording_row(s, row, f"DELETE {req.path}")
                deleted += 1
    return json_response({"success": True, "message": f"Successfully deleted {deleted} recording(s)."})


def _export_id(s: FrigateStandin, camera: str, start: float, end: float) -> str:
    if s.prof.export_id_has_times:
        fmt = "%Y%m%d_%H%M%S"  # container local time (reference §2.5)
        a = dt.datetime.fromtimestamp(start).strftime(fmt)
        b = dt.datetime.fromtimestamp(end).strftime(fmt)
        return f"{camera}_{a}-{b}_{_rand6()}"
    return f"{camera}_{_rand6()}"


def create_export(s: FrigateStandin, req: Request) -> Response:
    """`POST /api/export/<cam>/start/<s>/end/<e>`: a background job writes exports/<id>.mp4 (+ thumb)."""
    camera = req.params["camera"]
    if camera not in s.config["cameras"]:
        return json_response({"success": False, "message": f"{camera} is not a valid camera."}, 404)
    start, end = float(req.params["start"]), float(req.params["end"])
    try:
        body = json.loads(req.body) if req.body else {}
    except ValueError:
        body = {}
    parts = _segments_for(s, camera, start, end)
    if not parts:
        return json_response({"success": False, "message": "No recordings found for time range"}, 400)
    export_id = _export_id(s, camera, start, end)
    video = s.media_root / "exports" / f"{export_id}.mp4"
    thumb = s.media_root / "clips" / "export" / f"{export_id}.webp"
    name = str(body.get("name") or f"{camera} {dt.datetime.fromtimestamp(start):%Y-%m-%d %H:%M:%S}")[:256]
    row: dict[str, Any] = {
        "id": export_id,
        "camera": camera,
        "name": name,
        "date": start,
        "video_path": frigate_path(s.media_root, video),
        "thumb_path": frigate_path(s.media_root, thumb),
        "in_progress": True,
    }
    with s.lock:
        s.db.exports[export_id] = row

    def job() -> None:
        time.sleep(0.2)  # exports take a while; clients must poll in_progress
        video.parent.mkdir(parents=True, exist_ok=True)
        tmp = video.with_name(f"in_progress.{video.name}")
        concat_segments(parts, start, end, dest=tmp)
        tmp.replace(video)
        thumb.parent.mkdir(parents=True, exist_ok=True)
        review_thumbs = sorted((s.media_root / "clips" / "review").glob(f"thumb-{camera}-*.webp"))
        thumb.write_bytes(review_thumbs[-1].read_bytes() if review_thumbs else b"")
        with s.lock:
            if export_id in s.db.exports:
                s.db.exports[export_id]["in_progress"] = False

    threading.Thread(target=job, daemon=True).start()
    payload: dict[str, Any] = {"success": True, "message": "Starting export of recording."}
    if s.prof.export_id_in_response:
        payload["export_id"] = export_id
    return json_response(payload)


def list_exports(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/exports`."""
    return json_response(sorted(s.db.exports.values(), key=lambda e: e["date"], reverse=True))


def get_export(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/exports/<id>` (0.15+)."""
    row = s.db.exports.get(req.params["id"])
    if row is None:
        return json_response({"success": False, "message": "Export not found"}, 404)
    return json_response(row)


def _delete_export(s: FrigateStandin, export_id: str, via: str) -> Response | None:
    row = s.db.exports.get(export_id)
    if row is None:
        return json_response({"success": False, "message": "Export not found"}, 404)
    if row["in_progress"]:
        return json_response({"success": False, "message": "Can not delete in progress export"}, 400)
    with s.lock:
        s.db.exports.pop(export_id, None)
        for key in ("video_path", "thumb_path"):
            s.delete_file(local_path(s.media_root, row[key]), export_id, via)
        s.log_deletion("export", export_id, None, via)
    return None


def delete_export(s: FrigateStandin, req: Request) -> Response:
    """`DELETE /api/export/<id>` (0.14-0.17; 404 on 0.18)."""
    failed = _delete_export(s, req.params["id"], f"DELETE {req.path}")
    return failed or json_response({"success": True, "message": "Successfully deleted export."})


def delete_exports_bulk(s: FrigateStandin, req: Request) -> Response:
    """0.18 `POST /api/exports/delete {"ids": [...]}`."""
    body = req.json()
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not ids:
        return json_response({"detail": [{"loc": ["body", "ids"], "msg": "Field required"}]}, 422)
    for export_id in ids:
        if str(export_id) not in s.db.exports:
            return json_response({"success": False, "message": f"Export {export_id} not found"}, 404)
    for export_id in ids:
        failed = _delete_export(s, str(export_id), "POST /api/exports/delete")
        if failed is not None:
            return failed
    return json_response({"success": True, "message": "Successfully deleted exports."})


def _rename(s: FrigateStandin, export_id: str, name: str) -> Response:
    row = s.db.exports.get(export_id)
    if row is None:
        return json_response({"success": False, "message": "Export not found"}, 404)
    row["name"] = name[:256]
    return json_response({"success": True, "message": "Successfully renamed export."})


def rename_export_body(s: FrigateStandin, req: Request) -> Response:
    """0.16+ `PATCH /api/export/<id>/rename {name}`."""
    body = req.json()
    if not isinstance(body, dict) or not body.get("name"):
        return json_response({"detail": [{"loc": ["body", "name"], "msg": "Field required"}]}, 422)
    return _rename(s, req.params["id"], str(body["name"]))


def rename_export_path(s: FrigateStandin, req: Request) -> Response:
    """<=0.15 `PATCH /api/export/<id>/<new_name>`."""
    return _rename(s, req.params["id"], req.params["name"])


def _faces_dir(s: FrigateStandin) -> Path:
    return s.media_root / "clips" / "faces"


def list_faces(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/faces` -> `{<name>: [files], "train": [files]}` (0.16+)."""
    out: dict[str, list[str]] = {"train": []}
    root = _faces_dir(s)
    if root.is_dir():
        for d in sorted(p for p in root.iterdir() if p.is_dir()):
            out[d.name] = sorted(f.name for f in d.iterdir() if f.is_file())
    return json_response(out)


def delete_faces(s: FrigateStandin, req: Request) -> Response:
    """`POST /api/faces/<name>/delete {ids: [file names]}` (`train` purges recognition attempts)."""
    body = req.json()
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list):
        return json_response({"detail": [{"loc": ["body", "ids"], "msg": "Field required"}]}, 422)
    folder = _faces_dir(s) / req.params["name"]
    for name in ids:
        name = str(name)
        if "/" in name or name.startswith("."):
            continue
        if s.delete_file(folder / name, name, f"POST {req.path}"):
            s.log_deletion("face", name, folder / name, f"POST {req.path}")
    return json_response({"success": True, "message": "Successfully deleted faces."})


def static(s: FrigateStandin, req: Request) -> Response:
    """nginx static media: files, JSON autoindex for /recordings/ and /exports/, HTML for /clips/."""
    rel = req.path.strip("/")
    if ".." in rel.split("/"):
        return not_found(s.prof)
    path = s.media_root / rel
    if path.is_file():
        ctype = "video/mp4" if path.suffix == ".mp4" else "application/octet-stream"
        return Response(200, path.read_bytes(), ctype)
    if not path.is_dir():
        return Response(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html")
    entries = []
    for child in sorted(path.iterdir()):
        st = child.stat()
        item: dict[str, Any] = {
            "name": child.name,
            "type": "directory" if child.is_dir() else "file",
            "mtime": dt.datetime.fromtimestamp(st.st_mtime, dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT"),
        }
        if child.is_file():
            item["size"] = st.st_size
        entries.append(item)
    if rel.split("/")[0] == "clips":
        links = "".join(f'<a href="{e["name"]}">{e["name"]}</a>\n' for e in entries)
        return Response(200, f"<html><body><pre>{links}</pre></body></html>".encode(), "text/html")
    return json_response(entries)
