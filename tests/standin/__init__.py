"""Frigate stand-in: an independent model of Frigate 0.14-0.18 for testing the plugin (built from reference).

Built from ../shared/reference/frigate.md (Errata win) and the real 0.16.4 MQTT sample, never from the
plugin's own code. Choose the version at start: "0.14", "0.15", "0.16", "0.17" or "0.18".

Reproduced
----------
HTTP (stdlib ThreadingHTTPServer on 127.0.0.1, free port, optional TLS: `tls_kind` picks a self-signed cert
for 127.0.0.1, Frigate's own default `O=FRIGATE DEFAULT CERT/CN=*` without subjectAltName, an expired one,
or one issued by a separate CA; `ca_cert` is the file a client would trust):
- `GET /api/version` (plain text, e.g. `0.16.4-4131252`); `GET /api/config` with defaults filled,
  `version` the number 0.14 on 0.14 (its config model declares a float), a string from 0.15, globals
  merged into cameras, the per-version record retention shape (0.14 `retain`+`events`, 0.15/0.16
  `retain`+`alerts`/`detections`, 0.17+ `continuous`/`motion`), `version` key (`0.16-0`, `0.18-0`),
  per-camera `ffmpeg_cmds` whose record command has `-an` or `-c:a aac` from the preset (default
  preset-record-generic <=0.15, preset-record-generic-audio-aac 0.16+), MQTT password removed, camera URL
  credentials replaced by `*:*`; `GET /api/config/raw` (the YAML, secrets included).
- `PUT /api/config/set?dotted.path=value`: edits the YAML, validates (record keys per version, extra=forbid
  at top level), rolls back on failure (400); value typing 0.14 int-only / 0.15+ literal_eval unless a
  comma; repeated keys make lists; empty value deletes (0.16+); JSON body required 0.15+ (422 without);
  `requires_restart: 0` applies at once; 0.17+ `update_topic` (`config/cameras/<cam>/<section>`) applies
  live (ffmpeg only on 0.18); otherwise `GET /api/config` changes only after restart. POST gives 405.
- `POST /api/restart` (server goes down for `restart_delay`, reloads YAML, resets runtime toggles except
  on 0.18, MQTT side disconnects cleanly and reconnects, re-publishing retained state then `online`).
- Events: list (camera/label/sub_label/zone/after/before/has_clip/has_snapshot/in_progress/event_id/limit),
  get, `DELETE /api/events/<id>` (removes row, timeline rows, snapshot `.jpg` + `-clean.png` (+`-clean.webp`
  0.17+, legacy `.mp4` 0.14); keeps recordings, review item, `clips/thumbs` webp, face crops), bulk delete
  0.15+, retain/unretain, `snapshot.jpg`. `GET /api/timeline?source_id=` (relative [x,y,w,h] boxes).
- Reviews: list/get (a walk with `listed_in_review=False` gets a review whose `data.detections` names another
  object, as real Frigate's often misses events), `/api/review/event/<id>` 0.15+, `POST /api/reviews/delete`
  (every overlapping segment, file + row, and the review row; the thumbnail file and events stay).
- `GET /api/<cam>/recordings` (no paths; 0.16+ defaults frozen at process start when params are missing),
  `GET /api/<cam>/start/<s>/end/<e>/clip.mp4` (PyAV stream-copy concat with Frigate's whole-second inpoint
  and outpoint, starting at the keyframe at or before the inpoint, audio kept),
  0.18 `DELETE /api/recordings/start/<s>/end/<e>?cameras=&keep=` (404 before).
- Exports: create (0.14 no id in the answer; 0.14/0.15 `<cam>_<6>` ids; 0.16+ `<cam>_<local start>-<local
  end>_<6>`), background job with `in_progress`, list, `GET /api/exports/<id>` 0.15+, rename
  (`PATCH /api/export/<id>/<name>` <=0.15, `PATCH .../rename {name}` 0.16+), `DELETE /api/export/<id>`
  (0.14-0.17, refused while in progress) or 0.18 `POST /api/exports/delete {"ids"}` (DELETE is 404).
- Faces 0.16+: `GET /api/faces`, `POST /api/faces/<name>/delete {ids}` (incl. `train`).
- Auth (8971 style): `POST /api/login` -> empty 200 + `frigate_token` HS256 JWT cookie (sub, exp, role
  0.16+, iat 0.17+); wrong password 400 on 0.14, 401 later; Bearer or cookie; 401 (nginx HTML) when missing,
  expired or (0.16+) role-less; viewer gets 403 on admin routes (0.16+). `auth=False` = port 5000 (anonymous
  admin). Unknown routes: Flask HTML 404 on 0.14, JSON `{"detail": "Not Found"}` later; 405 likewise.
- nginx static `/recordings/`, `/exports/` (JSON autoindex, files) and `/clips/` (HTML listing).
- Live picture (`live.LiveFeed`, per camera in `standin.live`): `GET /api/<cam>?fps=` MJPEG debug feed
  (`multipart/x-mixed-replace; boundary=frame`, real time until the client leaves), `GET /api/<cam>/latest.jpg`;
  frames are drawn from the wall clock with walkers and carry their index in a block code (top-left) so
  tests can match downstream frames to originals. `GET /api/events/<id>/thumbnail.jpg` (175 px crop).
  `standin.restream()`: go2rtc-style RTSP restream of those pictures on its own free port (`rtsp.py`: OPTIONS,
  DESCRIBE with H.264 SDP, SETUP over interleaved TCP only, PLAY, GET_PARAMETER, TEARDOWN; x264 RTP, FU-A).
- nginx's `/api/` answer cache (`nginx_cache=True`, see nginx_cache.py): JSON 200 answers to GET kept 5 s,
  keyed by URI (0.17+ also user and role), skipped by a non-empty `X-Cache-Bypass` header other than "0",
  `X-Cache-Status` HIT/MISS/BYPASS; off by default so tests that read raw state see changes at once.
Media (`build_media`): `recordings/YYYY-MM-DD/HH/<cam>/MM.SS.mp4` (UTC), 10 s H.264 segments with
+faststart and optional AAC, a keyframe every second or every `gop_seconds` (10 s like some cameras),
from vtest.avi with shared face crops pasted on pedestrians and walkers;
`clips/<cam>-<id>.jpg`, clean `.png`/`.webp` per version, `clips/thumbs/<cam>/<id>.webp` 0.16+, review
thumbs, `clips/faces/train/<id>-<ts>-<name>-<score>.webp` 0.16+, `clips/export/<id>.webp`, `exports/`.
MQTT (`StandinPublisher`, paho 2.x, real broker): LWT `available`=offline retained QoS 1; on connect the
retained per-camera `.../state` topics then `available`=online; `events` new -> sparse updates -> end with
per-version fields (0.15 active/pending_loitering/max_severity; 0.16 speed, path_data, LPR), absolute
detect-px boxes, `sub_label` `[name, score]`, optional Frigate+ face `current_attributes`; `reviews`;
`tracked_object_update` type face 0.16+; retained cropped ~270 px `<cam>/person/snapshot` JPEG; `.../set`
handlers (recordings/detect/snapshots/audio/motion, enabled 0.16+, refusals as in Frigate); `restart`.
Clean stop does not fire the LWT, `crash()` does.

Not reproduced
--------------
No object detection, tracking, motion or audio detection (walks are scripted); no real ffmpeg or go2rtc
(the restream is ours: no UDP, RTSP auth or audio), HLS/VOD, previews, WebRTC/MSE live view, WebSocket,
stats; no cleanup threads (recording/event expiry,
storage maintainer, sync_recordings) - retention only changes what the config says; no SQLite file (state
is in memory, recordings re-indexed from disk at start); no ruamel comment preservation in config/set
(PyYAML rewrites the file); config validation covers only the keys listed above; no rate limiting, user
management API, proxy auth, custom roles or camera-restricted roles (0.17); `config/raw` is plain text on
every version; error-message texts are plausible, not verbatim; export timelapse is not re-encoded;
event rows are registered when a walk is published (before its MQTT `end`), not when it ends.
"""

from __future__ import annotations

from .camera import CameraSpec
from .config_doc import ConfigInvalid
from .media import FRIGATE_MEDIA, Segment, build_media, probe_segment, segment_relpath
from .publisher import StandinPublisher
from .scene import SharedAssetMissing
from .server import Deletion, FrigateStandin, RequestRecord
from .versions import SUPPORTED_VERSIONS, VersionProfile, profile
from .walk import DEFAULT_PATH, WalkInfo, WalkPlan

__all__ = [
    "DEFAULT_PATH",
    "FRIGATE_MEDIA",
    "SUPPORTED_VERSIONS",
    "CameraSpec",
    "ConfigInvalid",
    "Deletion",
    "FrigateStandin",
    "RequestRecord",
    "Segment",
    "SharedAssetMissing",
    "StandinPublisher",
    "VersionProfile",
    "WalkInfo",
    "WalkPlan",
    "build_media",
    "probe_segment",
    "profile",
    "segment_relpath",
]
