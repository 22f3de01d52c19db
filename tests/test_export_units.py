"""Pure parts of exports: time ranges, clip timeline, keep-visible matching, registry, bundle and verify."""

from __future__ import annotations

import contextlib
import io
import json
import os
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from frigate_privacy.config.export import KeepMatchConfig
from frigate_privacy.crypto.signing import SigningKey
from frigate_privacy.errors import InputError
from frigate_privacy.export.bundle import MANIFEST_NAME, PUBLIC_KEY_NAME, SIGNATURE_NAME, VIDEO_NAME, BundleWriter
from frigate_privacy.export.clip_timeline import ClipTimeline
from frigate_privacy.export.keep import KeepFilter, SubjectTrack
from frigate_privacy.export.manifest import LegalBasis, Manifest, VideoInfo, manifest_bytes
from frigate_privacy.export.registry import ExportRecord, ExportRegistry
from frigate_privacy.export.secret_input import read_passphrase
from frigate_privacy.export.times import TimeRange
from frigate_privacy.export.verify import verify_bundle
from frigate_privacy.masking.types import MaskRegion, RegionKind

# --- time ranges and the clip timeline -------------------------------------------------------------


def test_time_range_checks() -> None:
    with pytest.raises(InputError, match="must be after"):
        TimeRange(10.0, 10.0)
    with pytest.raises(InputError, match="at most"):
        TimeRange(0.0, 7200.0).check_length(3600.0)
    assert TimeRange(0, 5).union(TimeRange(3, 9)) == TimeRange(0, 9)


def test_clip_timeline_follows_frigate_cut_and_gaps() -> None:
    # Segments 100-110, 110-120, then a gap, 130-140; the clip starts at the whole second before 103.4.
    tl = ClipTimeline.from_segments([(100, 110), (110, 120), (130, 140)], 103.4, 135.2)
    assert tl.origin == 103.0
    assert tl.wall_time(0.0) == 103.0
    assert tl.wall_time(6.5) == 109.5
    assert tl.wall_time(7.5) == 110.5
    # 17 s of clip are 103-120; the next second is 130 (the gap is squeezed out by concatenation).
    assert tl.wall_time(17.0) == 130.0
    assert tl.wall_time(18.5) == 131.5
    assert tl.wall_time(-0.5) == 102.5  # frames before the inpoint (keyframe-aligned cut)


# --- keep-visible matching -------------------------------------------------------------------------

FRAME = (640, 360)
CFG = KeepMatchConfig()
# Alice's Frigate box (relative) and where her face and head land in pixels.
ALICE = (0.1, 0.2, 0.25, 0.9)
ALICE_FACE = (90.0, 75.0, 150.0, 150.0)
OTHER_FACE = (450.0, 75.0, 510.0, 150.0)


def _region(box: tuple[float, float, float, float], kind: RegionKind, tid: int) -> MaskRegion:
    return MaskRegion(box, kind, tid, (box[0], box[1]))


def _filter(keyframes: tuple[tuple[float, tuple[float, float, float, float]], ...] | None = None) -> KeepFilter:
    frames = keyframes if keyframes is not None else ((0.0, ALICE), (1.0, ALICE), (2.0, ALICE), (3.0, ALICE))
    subject = SubjectTrack("e1", "alice", 0.0, 3.0, frames)
    return KeepFilter([subject], FRAME, CFG)


def test_kept_face_is_dropped_and_others_stay() -> None:
    keep = _filter()
    regions = [_region(ALICE_FACE, RegionKind.face, 1), _region(OTHER_FACE, RegionKind.face, 2)]
    out = keep(5, 5 / 10, regions)
    assert [r.track_id for r in out] == [2]
    assert keep.stats.visible_frames == {"e1": 1}


def test_two_faces_in_the_kept_box_mask_both() -> None:
    keep = _filter()
    near = (100.0, 80.0, 160.0, 150.0)
    regions = [_region(ALICE_FACE, RegionKind.face, 1), _region(near, RegionKind.face, 2)]
    assert len(keep(5, 5 / 10, regions)) == 2
    assert keep.stats.ambiguous_frames == {"e1": 1}


def test_no_keyframe_near_the_frame_masks() -> None:
    keep = _filter(((0.0, ALICE), (5.0, ALICE)))  # 5 s apart: 2.5 s from both is beyond the 2 s limit
    assert len(keep(25, 25 / 10, [_region(ALICE_FACE, RegionKind.face, 1)])) == 1
    assert len(keep(2, 2 / 10, [_region(ALICE_FACE, RegionKind.face, 2)])) == 0  # near a keyframe: visible


def test_low_overlap_masks() -> None:
    keep = _filter()
    # A face whose centre is in Alice's head area but which mostly sticks out of it.
    wide = (40.0, 60.0, 300.0, 200.0)
    assert len(keep(5, 5 / 10, [_region(wide, RegionKind.face, 1)])) == 1


def test_track_that_followed_someone_else_stays_masked() -> None:
    keep = _filter()
    # Track 7 spends its first frames on the other person, then moves onto Alice's head.
    for i in range(5):
        assert len(keep(i, i / 10, [_region(OTHER_FACE, RegionKind.face, 7)])) == 1
    for i in range(5, 9):
        assert len(keep(i, i / 10, [_region(ALICE_FACE, RegionKind.face, 7)])) == 1, "agreement below 80 %: masked"


def test_unknown_frame_time_masks() -> None:
    subject = SubjectTrack("e1", "alice", 0.0, 3.0, ((0.0, ALICE), (1.0, ALICE)))
    keep = KeepFilter([subject], FRAME, CFG)
    assert len(keep(0, None, [_region(ALICE_FACE, RegionKind.face, 1)])) == 1


def test_head_and_body_regions_of_the_subject() -> None:
    keep = _filter()
    px = (64.0, 72.0, 160.0, 324.0)  # ALICE in pixels
    w, h = px[2] - px[0], px[3] - px[1]
    head = (px[0] - 0.1 * w, px[1] - 0.05 * h, px[2] + 0.1 * w, px[1] + 0.3 * h)
    body = (px[0] - 0.05 * w, px[1] - 0.05 * h, px[2] + 0.05 * w, px[3] + 0.05 * h)
    out = keep(5, 5 / 10, [_region(head, RegionKind.head, 3), _region(body, RegionKind.body, 3)])
    assert out == ()


# --- registry ----------------------------------------------------------------------------------


def _record(tmp_path: Path, ident: str, **kw: object) -> ExportRecord:
    path = tmp_path / f"{ident}.fpx.age"
    path.write_bytes(b"ciphertext")
    args: dict[str, object] = {
        "id": ident,
        "path": path,
        "camera": "front",
        "start": 100.0,
        "end": 200.0,
        "requester": "J. Doe",
        "created": 50.0,
        "expires": 1000.0,
        "size": 10,
    }
    args.update(kw)
    return ExportRecord(**args)  # type: ignore[arg-type]


def test_registry_api(tmp_path: Path) -> None:
    reg = ExportRegistry(tmp_path / "data" / "exports.sqlite3")
    assert (tmp_path / "data" / "exports.sqlite3").stat().st_mode & 0o777 == 0o600
    a = _record(tmp_path, "a", event_ids=("e1",), sub_labels=("alice",))
    b = _record(tmp_path, "b", camera="back", start=300.0, end=400.0, expires=2000.0)
    reg.add(a)
    reg.add(b)
    assert [r.id for r in reg.expired(1500.0)] == ["a"]
    assert [r.id for r in reg.find(camera="front")] == ["a"]
    assert [r.id for r in reg.find(start=150.0, end=350.0)] == ["a", "b"]
    assert [r.id for r in reg.find(start=250.0)] == ["b"]
    assert [r.id for r in reg.find(event_ids=["e1"])] == ["a"]
    assert [r.id for r in reg.find(sub_label="alice")] == ["a"]
    assert reg.get("a") == a
    assert reg.delete("a") is True
    assert not a.path.exists()
    assert reg.delete("a") is False  # idempotent
    a.path.write_bytes(b"x")  # a file that reappeared does not matter: the row is gone
    assert [r.id for r in reg.all()] == ["b"]
    b.path.unlink()
    assert reg.delete("b") is True  # file already gone: the row still goes
    reg.close()


# --- bundle writing and verification (no encryption: a replayable in-memory stream) ----------


class _Stream:
    """A non-seekable sink like EncryptingWriter."""

    def __init__(self) -> None:
        self.buf = io.BytesIO()

    def write(self, data: bytes) -> int:
        return self.buf.write(data)

    def tell(self) -> int:
        return self.buf.tell()

    def flush(self) -> None:
        pass


def _signer() -> SigningKey:
    return SigningKey(Ed25519PrivateKey.generate())


def _bundle(signer: SigningKey, video: bytes = b"\x00fake mp4" * 5000) -> bytes:
    out = _Stream()
    bundle = BundleWriter(out)
    member = bundle.open_member(VIDEO_NAME)
    for i in range(0, len(video), 7000):
        member.write(video[i : i + 7000])
    member.close()
    bundle.add(PUBLIC_KEY_NAME, signer.public.pem().encode())
    manifest = Manifest(
        export_id="front-x",
        camera="front",
        start="a",
        end="b",
        start_unix=1.0,
        end_unix=2.0,
        clip_origin_unix=1.0,
        event_ids=[],
        requester="J. Doe",
        purpose="test",
        legal_basis=LegalBasis.subject_access,
        legal_basis_text="x",
        actor="tester",
        created="c",
        expires="d",
        plugin_version="0",
        frigate_version="0.16.0",
        masking={},
        kept_subjects=[],
        video=VideoInfo(file=VIDEO_NAME, container="fmp4", codec="h264", width=1, height=1, frames=1, audio=False),
        signing_key=signer.public.text,
        files=list(bundle.files),
    )
    data = manifest_bytes(manifest)
    bundle.add(MANIFEST_NAME, data, record=False)
    bundle.add(SIGNATURE_NAME, signer.sign(data), record=False)
    bundle.close()
    return out.buf.getvalue()


def _opener(data: bytes):  # type: ignore[no-untyped-def]
    @contextlib.contextmanager
    def opener() -> Iterator[BinaryIO]:
        yield io.BytesIO(data)

    return opener


def _rezip(data: bytes, change: dict[str, bytes | None], extra: dict[str, bytes] | None = None) -> bytes:
    """Rebuild the ZIP with some members replaced or dropped (what a tamperer with the key could do)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            new = change.get(info.filename, src.read(info))
            if new is not None:
                dst.writestr(info.filename, new)
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def test_bundle_verifies_and_is_a_plain_zip() -> None:
    signer = _signer()
    data = _bundle(signer)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names == [VIDEO_NAME, PUBLIC_KEY_NAME, MANIFEST_NAME, SIGNATURE_NAME]
    report = verify_bundle(_opener(data), [signer.public])
    assert report.ok, report.problems
    assert {f.name for f in report.files} == set(names)


def test_verify_names_each_alteration() -> None:
    signer = _signer()
    data = _bundle(signer)
    manifest = zipfile.ZipFile(io.BytesIO(data)).read(MANIFEST_NAME)
    edited = json.loads(manifest)
    edited["requester"] = "Someone Else"
    cases = {
        "video.mp4: sha256 mismatch": _rezip(data, {VIDEO_NAME: b"\x00fake mp4" * 4999 + b"\x01fake mp4"}),
        "manifest.json: signature invalid": _rezip(data, {MANIFEST_NAME: json.dumps(edited).encode()}),
        "extra file notes.txt": _rezip(data, {}, {"notes.txt": b"hi"}),
        "video.mp4: missing": _rezip(data, {VIDEO_NAME: None}),
        "manifest.sig: missing": _rezip(data, {SIGNATURE_NAME: None}),
    }
    for expected, bundle in cases.items():
        report = verify_bundle(_opener(bundle), [signer.public])
        assert any(p.startswith(expected) for p in report.problems), (expected, report.problems)
    size_change = _rezip(data, {VIDEO_NAME: b"short"})
    problems = verify_bundle(_opener(size_change), [signer.public]).problems
    assert "video.mp4: size 5 bytes, the manifest says 45000" in problems


def test_verify_requires_a_trusted_signer() -> None:
    signer, other = _signer(), _signer()
    data = _bundle(signer)
    assert any("no trusted key" in p for p in verify_bundle(_opener(data), []).problems)
    problems = verify_bundle(_opener(data), [other.public]).problems
    assert any(p.startswith("manifest.sig: signed by") for p in problems)


def test_verify_rejects_resigned_bundle_from_another_key() -> None:
    """A tamperer re-signs an edited manifest with their own key and swaps the embedded key: caught by trust."""
    signer, forger = _signer(), _signer()
    data = _bundle(signer)
    forged = _bundle(forger)  # a complete, self-consistent bundle signed by the wrong key
    report = verify_bundle(_opener(forged), [signer.public])
    assert not report.ok
    assert verify_bundle(_opener(data), [signer.public]).ok


def test_not_a_bundle() -> None:
    report = verify_bundle(_opener(b"plain text, not a zip"), [])
    assert report.problems and "not an export bundle" in report.problems[0]


# --- passphrase input -----------------------------------------------------------------------------


def test_passphrase_from_env_and_fd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FP_TEST_PASS", "quiet-Meadow-47-harbor")
    assert read_passphrase(env="FP_TEST_PASS", fd=None, confirm=True, enforce_rules=True) == "quiet-Meadow-47-harbor"
    monkeypatch.setenv("FP_TEST_PASS", "abcd12345678")
    with pytest.raises(InputError, match="sequence"):
        read_passphrase(env="FP_TEST_PASS", fd=None, confirm=True, enforce_rules=True)
    read_fd, write_fd = os.pipe()
    os.write(write_fd, b"quiet-Meadow-47-harbor\n")
    os.close(write_fd)
    assert read_passphrase(env=None, fd=read_fd, confirm=False, enforce_rules=False) == "quiet-Meadow-47-harbor"
    os.close(read_fd)


# --- the engine's region_filter hook (video/engine.py) -------------------------------------------


class _OneRegionTracker:
    """Plans two regions for every frame, final at once."""

    lookahead = 0

    def set_frame_size(self, width: int, height: int) -> None:
        pass

    nobody = False

    def push(self, index: int, faces: object, persons: object) -> list[object]:
        from frigate_privacy.masking.types import FramePlan

        regions = (_region(ALICE_FACE, RegionKind.face, 1), _region(OTHER_FACE, RegionKind.face, 2))
        return [FramePlan(index, regions)]

    def flush(self) -> list[object]:
        return []


class _RecordingRedactor:
    def __init__(self) -> None:
        self.seen: list[list[int]] = []

    def apply(self, frame: object, regions: Sequence[MaskRegion]) -> None:
        self.seen.append([r.track_id for r in regions])


def test_engine_region_filter_hook() -> None:
    import numpy as np

    from frigate_privacy.video.engine import RedactionEngine

    redactor = _RecordingRedactor()
    calls: list[int] = []

    def drop_track_1(index: int, time: float | None, regions: object) -> list[MaskRegion]:
        calls.append(index)
        assert time == index / 10  # the time pushed with the frame reaches the filter
        return [r for r in regions if r.track_id != 1]  # type: ignore[attr-defined]

    engine = RedactionEngine(
        face_detector=None,
        person_detector=None,
        tracker=_OneRegionTracker(),  # type: ignore[arg-type]
        redactor=redactor,
        region_filter=drop_track_1,
    )
    frame = np.zeros((8, 8, 3), np.uint8)
    out = engine.push(0, frame, 0.0) + engine.push(1, frame, 0.1) + engine.flush()
    assert [i for i, _ in out] == [0, 1]
    assert calls == [0, 1]
    assert redactor.seen == [[2], [2]]
    assert engine.stats.regions == 2
    # Without a filter every planned region is masked (the default behaviour is unchanged).
    plain = _RecordingRedactor()
    engine = RedactionEngine(face_detector=None, person_detector=None, tracker=_OneRegionTracker(), redactor=plain)  # type: ignore[arg-type]
    engine.push(0, frame)
    assert plain.seen == [[1, 2]]
