"""Does Frigate's record pipeline keep audio? Read from the ffmpeg command or the record output args."""

from __future__ import annotations

import shlex
from enum import StrEnum

__all__ = ["RecordAudio", "audio_from_cmd", "audio_from_output_args"]


class RecordAudio(StrEnum):
    """What the record arguments do with an audio track of the camera's stream."""

    kept = "kept"  # copied or transcoded into the segments whenever the source has audio
    dropped = "dropped"  # `-an`, or only video mapped
    unknown = "unknown"


# Presets from ffmpeg_presets.py: which ones carry audio into the recording.
_PRESET_AUDIO = {
    "preset-record-generic": RecordAudio.dropped,
    "preset-record-generic-audio-aac": RecordAudio.kept,
    "preset-record-generic-audio-copy": RecordAudio.kept,
    "preset-record-mjpeg": RecordAudio.dropped,
    "preset-record-jpeg": RecordAudio.dropped,
    "preset-record-ubiquiti": RecordAudio.kept,
}


def _tokens(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _from_options(options: list[str]) -> RecordAudio:
    if "-an" in options:
        return RecordAudio.dropped
    maps = [options[i + 1] for i, tok in enumerate(options[:-1]) if tok == "-map"]
    if maps and all(":v" in m for m in maps):
        return RecordAudio.dropped
    # Without -an ffmpeg picks the input's audio stream by default, and mp4 takes AAC or a copy.
    return RecordAudio.kept


def audio_from_cmd(cmd: str) -> RecordAudio:
    """Inspect the record output of one `ffmpeg_cmds[].cmd` line (it may also hold the detect output)."""
    tokens = _tokens(cmd)
    targets = [i for i, tok in enumerate(tokens) if tok.endswith(".mp4") and ("%" in tok or "/cache/" in tok)]
    if not targets:
        return RecordAudio.unknown
    end = targets[-1]
    start = 0
    for i, tok in enumerate(tokens[:end]):
        is_pipe_output = (tok == "-" or tok.startswith("pipe:")) and i > 0 and tokens[i - 1] != "-i"
        if tok == "-i" or is_pipe_output:
            # Options of the record output begin after the last input or the previous (pipe) output.
            start = i + 2 if tok == "-i" else i + 1
    return _from_options(tokens[start:end])


def audio_from_output_args(args: str | list[str] | None) -> RecordAudio:
    """Inspect `ffmpeg.output_args.record` (a preset name or raw arguments); None means the default."""
    if args is None:
        return RecordAudio.unknown
    text = args if isinstance(args, str) else " ".join(args)
    stripped = text.strip()
    if stripped in _PRESET_AUDIO:
        return _PRESET_AUDIO[stripped]
    if stripped.startswith("preset-"):
        return RecordAudio.unknown
    return _from_options(_tokens(stripped))
