"""Payloads shaped like Frigate's (reference §1.3-1.5 and the real 0.16.4 capture), shared by tests."""

from __future__ import annotations

import copy
import json
from typing import Any

EVENT_ID = "1795297921.554694-6caabh"

# One person's state as Frigate 0.16.4 publishes it (detect 1280x720), from the real capture.
STATE_0164: dict[str, Any] = {
    "id": EVENT_ID,
    "camera": "front",
    "frame_time": 1795297925.957834,
    "snapshot": {
        "frame_time": 1795297923.370473,
        "box": [580, 255, 677, 418],
        "area": 15811,
        "region": [392, 210, 808, 626],
        "score": 0.9108185172080994,
        "attributes": [],
        "current_estimated_speed": 0,
        "velocity_angle": 0,
        "path_data": [[[0.6258, 0.6694], 1795297921.773931]],
        "recognized_license_plate": None,
        "recognized_license_plate_score": None,
    },
    "label": "person",
    "sub_label": None,
    "top_score": 0.9039432108402252,
    "false_positive": False,
    "start_time": 1795297921.554694,
    "end_time": None,
    "score": 0.8029206395149231,
    "box": [437, 143, 501, 320],
    "area": 11328,
    "ratio": 0.3615819209039548,
    "region": [342, 50, 758, 466],
    "active": True,
    "stationary": False,
    "motionless_count": 1,
    "position_changes": 1,
    "current_zones": [],
    "entered_zones": [],
    "has_clip": True,
    "has_snapshot": True,
    "attributes": {},
    "current_attributes": [],
    "pending_loitering": False,
    "max_severity": "alert",
    "current_estimated_speed": 0,
    "average_estimated_speed": 0,
    "velocity_angle": 0,
    "path_data": [[[0.6258, 0.6694], 1795297921.773931], [[0.3664, 0.4444], 1795297925.957834]],
    "recognized_license_plate": None,
}

# 0.14 has none of: active, pending_loitering, max_severity, speed, path, LPR.
_NOT_IN_014 = (
    "active",
    "pending_loitering",
    "max_severity",
    "current_estimated_speed",
    "average_estimated_speed",
    "velocity_angle",
    "path_data",
    "recognized_license_plate",
)


def state(**changes: Any) -> dict[str, Any]:
    """A copy of the 0.16.4 state with fields replaced."""
    data = copy.deepcopy(STATE_0164)
    data.update(changes)
    return data


def state_014(**changes: Any) -> dict[str, Any]:
    """The same state in 0.14's shape."""
    data = state(**changes)
    for key in _NOT_IN_014:
        data.pop(key, None)
    for key in ("current_estimated_speed", "velocity_angle", "path_data", "recognized_license_plate"):
        data["snapshot"].pop(key, None)
    data["snapshot"].pop("recognized_license_plate_score", None)
    return data


def event_message(kind: str, before: dict[str, Any] | None, after: dict[str, Any]) -> bytes:
    """A `<prefix>/events` payload."""
    return json.dumps({"type": kind, "before": before, "after": after}).encode()


REVIEW_0164: dict[str, Any] = {
    "id": "1795297921.773931-l90lkt",
    "camera": "front",
    "start_time": 1795297921.773931,
    "end_time": None,
    "severity": "alert",
    "thumb_path": "/media/frigate/clips/review/thumb-front-1795297921.773931-l90lkt.webp",
    "data": {"detections": [EVENT_ID], "objects": ["person"], "sub_labels": [], "zones": [], "audio": []},
}


def config_016(record_preset: str = "preset-record-generic-audio-aac") -> dict[str, Any]:
    """A trimmed `/api/config` of 0.16 with one recording camera."""
    cmd = (
        "ffmpeg -hide_banner -loglevel warning -i rtsp://*:*@cam/stream -r 5 -vf fps=5,scale=1280:720 "
        "-f rawvideo -pix_fmt yuv420p pipe: -f segment -segment_time 10 -segment_format mp4 "
        "-reset_timestamps 1 -strftime 1 -c:v copy -c:a aac /tmp/cache/front@%Y%m%d%H%M%S%z.mp4"
    )
    return {
        "version": "0.16-0",
        "mqtt": {"enabled": True, "topic_prefix": "frigate", "host": "mqtt"},
        "cameras": {
            "front": {
                "enabled": True,
                "ffmpeg": {
                    "inputs": [{"path": "rtsp://*:*@cam/stream", "roles": ["detect", "record"]}],
                    "output_args": {"record": record_preset, "detect": "-threads 2 -f rawvideo"},
                },
                "ffmpeg_cmds": [{"roles": ["detect", "record"], "cmd": cmd}],
                "detect": {"enabled": True, "width": 1280, "height": 720, "fps": 5},
                "record": {
                    "enabled": True,
                    "retain": {"days": 2, "mode": "all"},
                    "alerts": {"retain": {"days": 14, "mode": "motion"}, "pre_capture": 5},
                    "detections": {"retain": {"days": 7, "mode": "motion"}},
                },
                "audio": {"enabled": False},
                "motion": {"mask": ["0.1,0.1,0.2,0.1,0.2,0.2"], "threshold": 30},
                "objects": {"track": ["person"], "mask": "", "filters": {"person": {"mask": ["0,0,1,0,1,0.1"]}}},
                "zones": {},
                "some_future_key": {"x": 1},
            }
        },
    }
