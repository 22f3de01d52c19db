"""One-time ONNX rewrites done at fetch time, so the runtime never has to patch graphs."""

from __future__ import annotations

import onnx

from frigate_privacy.errors import ModelError

__all__ = ["make_input_dynamic"]

# Names of the symbolic dims; onnxruntime only needs them to be symbolic, the names are for humans.
_INPUT_DIMS = ("batch", None, "height", "width")
_OUTPUT_DIMS = ("batch", None, "out_height", "out_width")


def _make_symbolic(value: onnx.ValueInfoProto, names: tuple[str | None, ...]) -> None:
    dims = value.type.tensor_type.shape.dim
    if len(dims) != len(names):
        raise ModelError(f"ONNX value {value.name!r} has {len(dims)} dims; expected an NCHW tensor")
    for dim, name in zip(dims, names, strict=True):
        if name is not None:
            dim.ClearField("dim_value")
            dim.dim_param = name


def make_input_dynamic(model_bytes: bytes) -> bytes:
    """Make NCHW input/output batch, height and width symbolic and drop initializer inputs.

    CenterFace as exported has a static `[10, 3, 32, 32]` input and lists every weight as a graph input.
    Weights listed as inputs could be overridden at run time, so onnxruntime refuses to constant-fold
    them and warns; dropping them (and weights no node uses) gives a clean graph that accepts any batch
    and any size that is a multiple of 32.
    """
    try:
        model = onnx.load_from_string(model_bytes)
    except Exception as err:  # onnx raises protobuf DecodeError or its own errors; both mean "not ONNX"
        raise ModelError(f"not a valid ONNX model: {err}") from err
    graph = model.graph
    initializer_names = {init.name for init in graph.initializer}
    data_inputs = [value for value in graph.input if value.name not in initializer_names]
    if len(data_inputs) != 1:
        raise ModelError(f"expected exactly one data input, found {len(data_inputs)}")
    del graph.input[:]
    graph.input.extend(data_inputs)

    used = {name for node in graph.node for name in node.input}
    kept = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)

    _make_symbolic(graph.input[0], _INPUT_DIMS)
    for output in graph.output:
        _make_symbolic(output, _OUTPUT_DIMS)
    # Stale intermediate shapes would contradict the new dynamic dims.
    del graph.value_info[:]
    try:
        onnx.checker.check_model(model)
    except onnx.checker.ValidationError as err:
        raise ModelError(f"rewritten ONNX model does not validate: {err}") from err
    data: bytes = model.SerializeToString()
    return data
