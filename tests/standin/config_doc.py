"""Frigate's YAML config file per version: the initial file, its validation, and the effective JSON config."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from .camera import CAMERA_NAME, CameraSpec
from .ffmpeg_args import ffmpeg_cmds, strip_credentials
from .versions import VersionProfile


class ConfigInvalid(ValueError):
    """The YAML would not pass Frigate's config parser (the stand-in's subset of it)."""


def _record_defaults(prof: VersionProfile) -> dict[str, Any]:
    """Record section defaults in the version's shape (reference §3.1)."""
    capture = {"pre_capture": 5, "post_capture": 5}
    base: dict[str, Any] = {
        "enabled": False,
        "sync_recordings": False,
        "expire_interval": 60,
        "export": {"timelapse_args": "-vf setpts=0.04*PTS -r 30"},
        "preview": {"quality": "medium"},
    }
    if prof.retention_shape == "events":
        base["retain"] = {"days": 0, "mode": "all"}
        base["events"] = {
            **capture,
            "objects": None,
            "required_zones": [],
            "retain": {"default": 10, "mode": "motion", "objects": {}},
        }
    elif prof.retention_shape == "alerts":
        base["retain"] = {"days": 0, "mode": "all"}
        base["alerts"] = {**capture, "retain": {"days": 10, "mode": "motion"}}
        base["detections"] = {**capture, "retain": {"days": 10, "mode": "motion"}}
    else:
        base["continuous"] = {"days": 0}
        base["motion"] = {"days": 0}
        base["alerts"] = {**capture, "retain": {"days": 10, "mode": "motion"}}
        base["detections"] = {**capture, "retain": {"days": 10, "mode": "motion"}}
        base["export"]["chapters"] = False
    return base


def allowed_record_keys(prof: VersionProfile) -> set[str]:
    """Keys Frigate's pydantic model accepts under `record` (extra=forbid)."""
    return set(_record_defaults(prof)) | {"enabled_in_config"}


def _defaults(prof: VersionProfile) -> dict[str, Any]:
    """Global defaults filled into GET /api/config (a representative subset of Frigate's)."""
    d: dict[str, Any] = {
        "mqtt": {
            "enabled": True,
            "host": "",
            "port": 1883,
            "topic_prefix": "frigate",
            "client_id": "frigate",
            "stats_interval": 60,
            "user": None,
            "tls_ca_certs": None,
            "tls_client_cert": None,
            "tls_client_key": None,
            "tls_insecure": None,
            "qos": 0,
        },
        "auth": {
            "enabled": True,
            "reset_admin_password": False,
            "cookie_name": "frigate_token",
            "cookie_secure": False,
            "session_length": 86400,
            "refresh_time": 43200,
            "failed_login_rate_limit": None,
            "trusted_proxies": [],
            "hash_iterations": 600000,
        },
        "tls": {"enabled": True},
        "proxy": {"header_map": {"user": None}, "logout_url": None, "default_role": "viewer"},
        "database": {"path": "/config/frigate.db"},
        "record": _record_defaults(prof),
        "snapshots": {
            "enabled": False,
            "clean_copy": True,
            "timestamp": False,
            "bounding_box": True,
            "crop": False,
            "required_zones": [],
            "height": None,
            "retain": {"default": 10, "mode": "motion", "objects": {}},
            "quality": 70,
        },
        "detect": {"enabled": True, "height": None, "width": None, "fps": 5, "stationary": {"threshold": 50}},
        "motion": {"enabled": True, "threshold": 30, "contour_area": 10, "improve_contrast": True, "mask": ""},
        "objects": {"track": ["person"], "filters": {}, "mask": ""},
        "audio": {
            "enabled": False,
            "max_not_heard": 30,
            "min_volume": 500,
            "listen": ["bark", "fire_alarm", "scream", "speech", "yell"],
            "filters": None,
            "num_threads": 2,
        },
        "review": {
            "alerts": {"labels": ["car", "person"], "required_zones": []},
            "detections": {"labels": None, "required_zones": []},
        },
        "ffmpeg": {
            "path": "default",
            "global_args": ["-hide_banner", "-loglevel", "warning", "-threads", "2"],
            "hwaccel_args": "auto",
            "input_args": "preset-rtsp-generic",
            "output_args": {
                "detect": ["-threads", "2", "-f", "rawvideo", "-pix_fmt", "yuv420p"],
                "record": prof.default_record_preset,
            },
            "retry_interval": 10,
        },
        "birdseye": {"enabled": True, "mode": "objects"},
        "ui": {"timezone": None, "time_format": "browser", "unit_system": "metric"},
        "plus": {"enabled": False},
        "go2rtc": {},
    }
    if prof.minor >= 15:
        d["semantic_search"] = {"enabled": False, "reindex": False, "model_size": "small"}
        d["genai"] = {"enabled": False, "provider": "ollama"}
    if prof.minor >= 16:
        d["face_recognition"] = {
            "enabled": False,
            "model_size": "small",
            "detection_threshold": 0.7,
            "min_area": 500,
            "unknown_score": 0.8,
            "recognition_threshold": 0.9,
            "min_faces": 1,
            "save_attempts": 100,
            "blur_confidence_filter": True,
        }
        d["lpr"] = {"enabled": False}
        d["auth"]["roles"] = {"admin": [], "viewer": []}
    return d


_TOP_LEVEL = {
    "mqtt",
    "auth",
    "tls",
    "proxy",
    "database",
    "record",
    "snapshots",
    "detect",
    "motion",
    "objects",
    "audio",
    "review",
    "ffmpeg",
    "birdseye",
    "ui",
    "plus",
    "go2rtc",
    "cameras",
    "version",
    "logger",
    "model",
    "detectors",
    "environment_vars",
    "telemetry",
    "notifications",
    "semantic_search",
    "genai",
    "face_recognition",
    "lpr",
    "classification",
    "audio_transcription",
    "profiles",
    "live",
    "timestamp_style",
}
_CAMERA_SECTIONS = ("record", "snapshots", "detect", "motion", "objects", "audio", "review", "ffmpeg", "birdseye")


def _retention_yaml(prof: VersionProfile, spec: CameraSpec) -> dict[str, Any]:
    """Version-neutral retention from a CameraSpec written in this version's YAML shape."""
    rec: dict[str, Any] = {"enabled": spec.record_enabled}
    shape = prof.retention_shape
    if spec.retain_days is not None:
        if shape == "continuous":
            rec["continuous"] = {"days": spec.retain_days}
        else:
            rec["retain"] = {"days": spec.retain_days, "mode": "all"}
    review_days = [d for d in (spec.alerts_days, spec.detections_days) if d is not None]
    if shape == "events":
        if review_days:
            rec["events"] = {"retain": {"default": max(review_days), "mode": "motion"}}
    else:
        if spec.alerts_days is not None:
            rec["alerts"] = {"retain": {"days": spec.alerts_days}}
        if spec.detections_days is not None:
            rec["detections"] = {"retain": {"days": spec.detections_days}}
    deep_merge_into(rec, copy.deepcopy(spec.record_extra))
    return rec


def initial_yaml(
    prof: VersionProfile,
    cameras: list[CameraSpec],
    *,
    auth: bool,
    mqtt_host: str,
    mqtt_port: int,
    face_recognition: bool,
) -> str:
    """The config.yml a user of this version would have, already migrated (with `version:`)."""
    doc: dict[str, Any] = {
        "mqtt": {
            "host": mqtt_host,
            "port": mqtt_port,
            "user": "frigate",
            "password": "mqtt-secret-in-yaml",
            "topic_prefix": "frigate",
        },
        "auth": {"enabled": auth},
        "detectors": {"cpu1": {"type": "cpu"}},
    }
    if prof.faces:
        doc["face_recognition"] = {"enabled": face_recognition}
    doc["cameras"] = {}
    for spec in cameras:
        inputs_roles = ["detect", "record"] + (["audio"] if spec.audio_detection else [])
        ffmpeg: dict[str, Any] = {"inputs": [{"path": spec.input_path, "roles": inputs_roles}]}
        if spec.record_output_args is not None:
            ffmpeg["output_args"] = {"record": spec.record_output_args}
        elif spec.record_preset is not None:
            ffmpeg["output_args"] = {"record": spec.record_preset}
        cam: dict[str, Any] = {
            "ffmpeg": ffmpeg,
            "detect": {"width": spec.detect_size[0], "height": spec.detect_size[1], "fps": 5},
            "record": _retention_yaml(prof, spec),
            "snapshots": {"enabled": spec.snapshots_enabled},
            "audio": {"enabled": spec.audio_detection},
        }
        if spec.snapshots_retain_days is not None:
            cam["snapshots"]["retain"] = {"default": spec.snapshots_retain_days}
        if spec.motion_masks:
            cam["motion"] = {"mask": list(spec.motion_masks)}
        if spec.object_masks:
            cam["objects"] = {"filters": {"person": {"mask": list(spec.object_masks)}}}
        if spec.zones:
            cam["zones"] = {name: {"coordinates": coords} for name, coords in spec.zones.items()}
        doc["cameras"][spec.name] = cam
    doc["version"] = prof.config_version
    return yaml.safe_dump(doc, sort_keys=False)


def deep_merge_into(base: dict[str, Any], override: dict[str, Any] | None) -> dict[str, Any]:
    """Recursively merge `override` into `base` (dicts merge, everything else replaces)."""
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_merge_into(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _check_days(where: str, value: Any) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise ConfigInvalid(f"{where}: value is not a valid non-negative number ({value!r})")


def _validate_record(prof: VersionProfile, where: str, rec: Any) -> None:
    if rec is None:
        return
    if not isinstance(rec, dict):
        raise ConfigInvalid(f"{where}: must be a mapping")
    extra = set(rec) - allowed_record_keys(prof)
    if extra:
        raise ConfigInvalid(f"{where}.{sorted(extra)[0]}: Extra inputs are not permitted")
    for sub in ("retain", "continuous", "motion"):
        if isinstance(rec.get(sub), dict) and "days" in rec[sub]:
            _check_days(f"{where}.{sub}.days", rec[sub]["days"])
    for sub in ("alerts", "detections"):
        retain = (rec.get(sub) or {}).get("retain") or {}
        if "days" in retain:
            _check_days(f"{where}.{sub}.retain.days", retain["days"])
    if "events" in rec:
        default = ((rec.get("events") or {}).get("retain") or {}).get("default")
        if default is not None:
            _check_days(f"{where}.events.retain.default", default)


def validate(prof: VersionProfile, doc: Any) -> None:
    """Raise ConfigInvalid for what Frigate's parser would reject (the subset the stand-in models)."""
    if not isinstance(doc, dict):
        raise ConfigInvalid("config is not a mapping")
    extra = set(doc) - _TOP_LEVEL
    if extra:
        raise ConfigInvalid(f"{sorted(extra)[0]}: Extra inputs are not permitted")
    _validate_record(prof, "record", doc.get("record"))
    cams = doc.get("cameras")
    if not isinstance(cams, dict) or not cams:
        raise ConfigInvalid("cameras: at least one camera is required")
    for name, cam in cams.items():
        if not CAMERA_NAME.match(str(name)):
            raise ConfigInvalid(f"cameras.{name}: invalid camera name")
        if not isinstance(cam, dict):
            raise ConfigInvalid(f"cameras.{name}: must be a mapping")
        _validate_record(prof, f"cameras.{name}.record", cam.get("record"))
        rec_args = ((cam.get("ffmpeg") or {}).get("output_args") or {}).get("record")
        if rec_args is not None and not isinstance(rec_args, str | list):
            raise ConfigInvalid(f"cameras.{name}.ffmpeg.output_args.record: must be a string or list")
        inputs = (cam.get("ffmpeg") or {}).get("inputs")
        if not isinstance(inputs, list) or not inputs:
            raise ConfigInvalid(f"cameras.{name}.ffmpeg.inputs: at least one input is required")


def effective_config(prof: VersionProfile, raw_yaml: str) -> dict[str, Any]:
    """What GET /api/config serves: defaults filled, globals merged into cameras, secrets removed."""
    doc = yaml.safe_load(raw_yaml) or {}
    validate(prof, doc)
    out = deep_merge_into(_defaults(prof), {k: v for k, v in doc.items() if k != "cameras"})
    out["mqtt"].pop("password", None)
    out["proxy"].pop("auth_secret", None)
    out["version"] = doc.get("version", prof.config_version)
    cameras: dict[str, Any] = {}
    for name, cam_doc in doc["cameras"].items():
        cam: dict[str, Any] = {"name": name, "enabled": cam_doc.get("enabled", True)}
        for section in _CAMERA_SECTIONS:
            cam[section] = deep_merge_into(copy.deepcopy(out[section]), cam_doc.get(section))
        cam["zones"] = copy.deepcopy(cam_doc.get("zones", {}))
        cam["mqtt"] = {
            "enabled": True,
            "timestamp": True,
            "bounding_box": True,
            "crop": True,
            "height": 270,
            "quality": 70,
            "required_zones": [],
        }
        cam["record"]["enabled_in_config"] = cam["record"]["enabled"]
        cam["audio"]["enabled_in_config"] = cam["audio"]["enabled"]
        cam["ffmpeg_cmds"] = ffmpeg_cmds(name, cam)
        for inp in cam["ffmpeg"].get("inputs", []):
            inp["path"] = strip_credentials(str(inp.get("path", "")))
        cameras[name] = cam
    out["cameras"] = cameras
    return out
