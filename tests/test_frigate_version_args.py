"""Version parsing, per-version API switches, and reading audio out of record arguments."""

from __future__ import annotations

import pytest

from frigate_privacy.frigate.audio_args import RecordAudio, audio_from_cmd, audio_from_output_args
from frigate_privacy.frigate.version import ConfigSetStyle, ExportStyle, FrigateVersion, RetentionShape


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.16.4-4131252", (0, 16, 4)), ("0.18-0", (0, 18, 0)), ("0.14.1", (0, 14, 1)), ("v0.17.2", (0, 17, 2))],
)
def test_parse(text: str, expected: tuple[int, int, int]) -> None:
    v = FrigateVersion.parse(text)
    assert (v.major, v.minor, v.patch) == expected


def test_parse_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="not a Frigate version"):
        FrigateVersion.parse("<html>")


@pytest.mark.parametrize(
    ("text", "config_set", "export", "retention", "rec_delete"),
    [
        ("0.14.1", ConfigSetStyle.query_only, ExportStyle.by_name, RetentionShape.events, False),
        ("0.15.2", ConfigSetStyle.restart_flag, ExportStyle.by_id, RetentionShape.review, False),
        ("0.16.4", ConfigSetStyle.restart_flag, ExportStyle.by_id, RetentionShape.review, False),
        ("0.17.2", ConfigSetStyle.update_topic, ExportStyle.by_id, RetentionShape.continuous, False),
        ("0.18-0", ConfigSetStyle.update_topic, ExportStyle.bulk_delete, RetentionShape.continuous, True),
    ],
)
def test_version_switches(
    text: str, config_set: ConfigSetStyle, export: ExportStyle, retention: RetentionShape, rec_delete: bool
) -> None:
    v = FrigateVersion.parse(text)
    assert (v.config_set_style, v.export_style, v.retention_shape, v.has_recordings_delete) == (
        config_set,
        export,
        retention,
        rec_delete,
    )


_SEG = "-f segment -segment_time 10 -segment_format mp4 -reset_timestamps 1 -strftime 1"
_OUT = "/tmp/cache/front@%Y%m%d%H%M%S%z.mp4"
_DETECT = "-r 5 -vf fps=5,scale=1280:720 -f rawvideo -pix_fmt yuv420p pipe:"


@pytest.mark.parametrize(
    ("record_args", "expected"),
    [
        (f"{_SEG} -c copy -an", RecordAudio.dropped),  # preset-record-generic (default <= 0.15)
        (f"{_SEG} -c:v copy -c:a aac", RecordAudio.kept),  # preset-record-generic-audio-aac (default 0.16+)
        (f"{_SEG} -c copy", RecordAudio.kept),  # -audio-copy
        (f"{_SEG} -c:v copy -map 0:v", RecordAudio.dropped),
        (f"{_SEG} -c:v libx264", RecordAudio.kept),  # no -an: ffmpeg picks the audio stream by default
    ],
)
def test_audio_from_cmd_with_and_without_detect_output(record_args: str, expected: RecordAudio) -> None:
    assert audio_from_cmd(f"ffmpeg -hide_banner -i rtsp://*:*@cam/main {record_args} {_OUT}") == expected
    assert audio_from_cmd(f"ffmpeg -hide_banner -i rtsp://*:*@cam/main {_DETECT} {record_args} {_OUT}") == expected


def test_an_in_another_output_does_not_count() -> None:
    cmd = f"ffmpeg -i rtsp://a -an -f rawvideo pipe: -i rtsp://b {_SEG} -c copy {_OUT}"
    assert audio_from_cmd(cmd) is RecordAudio.kept
    assert audio_from_cmd("ffmpeg -i rtsp://a -f rawvideo pipe:") is RecordAudio.unknown


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("preset-record-generic", RecordAudio.dropped),
        ("preset-record-generic-audio-aac", RecordAudio.kept),
        ("preset-record-generic-audio-copy", RecordAudio.kept),
        ("preset-record-mjpeg", RecordAudio.dropped),
        ("preset-record-something-new", RecordAudio.unknown),
        (["-f", "segment", "-c", "copy", "-an"], RecordAudio.dropped),
        ("-f segment -c:v copy -c:a aac", RecordAudio.kept),
        (None, RecordAudio.unknown),
    ],
)
def test_audio_from_output_args(args: str | list[str] | None, expected: RecordAudio) -> None:
    assert audio_from_output_args(args) is expected
