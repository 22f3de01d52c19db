"""Frigate's record presets and the ffmpeg command lines `GET /api/config` reports in `ffmpeg_cmds`."""

from __future__ import annotations

import re
import shlex
from typing import Any

_SEGMENT = [
    "-f",
    "segment",
    "-segment_time",
    "10",
    "-segment_format",
    "mp4",
    "-reset_timestamps",
    "1",
    "-strftime",
    "1",
]

# Reference §3.3: all record presets share the segment muxer args; they differ in what happens to audio.
RECORD_PRESETS: dict[str, list[str]] = {
    "preset-record-generic": [*_SEGMENT, "-c", "copy", "-an"],
    "preset-record-generic-audio-aac": [*_SEGMENT, "-c:v", "copy", "-c:a", "aac"],
    "preset-record-generic-audio-copy": [*_SEGMENT, "-c", "copy"],
    "preset-record-mjpeg": [*_SEGMENT, "-c:v", "libx264", "-an"],
    "preset-record-jpeg": [*_SEGMENT, "-c:v", "libx264", "-an"],
    "preset-record-ubiquiti": [*_SEGMENT, "-c:v", "copy", "-ar", "44100", "-c:a", "aac"],
}

_INPUT_ARGS = ["-avoid_negative_ts", "make_zero", "-fflags", "+genpts+discardcorrupt", "-rtsp_transport", "tcp"]
_USERINFO = re.compile(r"(?<=://)[^@/]+@")


def record_args(output_args: str | list[str]) -> list[str]:
    """Expand a preset name or split a custom argument string into an argument list."""
    if isinstance(output_args, list):
        return [str(a) for a in output_args]
    if output_args in RECORD_PRESETS:
        return list(RECORD_PRESETS[output_args])
    return shlex.split(output_args)


def records_audio(output_args: str | list[str]) -> bool:
    """Whether these record args keep an audio stream (no `-an`, and audio copied or encoded)."""
    args = record_args(output_args)
    if "-an" in args:
        return False
    joined = " ".join(args)
    return any(tok in joined for tok in ("-c:a", "-acodec", "-codec:a", "-c copy", "-codec copy"))


def strip_credentials(url: str) -> str:
    """Frigate masks camera URL credentials in the API as `*:*@`."""
    return _USERINFO.sub("*:*@", url)


def ffmpeg_cmds(camera: str, cam_cfg: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per input, like Frigate: roles it serves and the full command line."""
    cmds: list[dict[str, Any]] = []
    record_enabled = bool(cam_cfg.get("record", {}).get("enabled", False))
    detect = cam_cfg.get("detect", {})
    for inp in cam_cfg.get("ffmpeg", {}).get("inputs", []):
        roles = [r for r in inp.get("roles", []) if r != "record" or record_enabled]
        cmd = ["ffmpeg", "-hide_banner", "-loglevel", "warning", "-threads", "2", *_INPUT_ARGS]
        cmd += ["-i", strip_credentials(str(inp.get("path", "")))]
        if "detect" in roles:
            fps = detect.get("fps", 5)
            width, height = detect.get("width", 1280), detect.get("height", 720)
            cmd += ["-r", str(fps), "-vf", f"fps={fps},scale={width}:{height}", "-threads", "2"]
            cmd += ["-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:"]
        if "record" in roles:
            cmd += record_args(cam_cfg["ffmpeg"]["output_args"]["record"])
            cmd += [f"/tmp/cache/{camera}@%Y%m%d%H%M%S%z.mp4"]
        if "audio" in roles:
            cmd += ["-vn", "-f", "s16le", "-ar", "16000", "-ac", "1", "-y", "pipe:"]
        cmds.append({"roles": roles, "cmd": " ".join(cmd)})
    return cmds
