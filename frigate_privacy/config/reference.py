"""Render the Markdown configuration reference straight from the pydantic model tree."""

from __future__ import annotations

import enum
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from frigate_privacy.config.root import PrivacyConfig

__all__ = ["render_reference"]


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return " \\| ".join(_type_name(a) for a in typing.get_args(annotation))
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin is not None:
        args = ", ".join(_type_name(a) for a in typing.get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    if annotation is type(None):
        return "null"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " \\| ".join(f"`{m.value}`" for m in annotation)
    return getattr(annotation, "__name__", str(annotation))


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        return "(see below)" if _nested_model(field.annotation) else "`[]`/`{}`"
    if field.default is PydanticUndefined:
        return "**required**"
    value = field.default
    if isinstance(value, enum.Enum):
        value = value.value
    return f"`{value}`"


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    candidates = [annotation, *typing.get_args(annotation)]
    for c in candidates:
        if isinstance(c, type) and issubclass(c, BaseModel):
            return c
        for inner in typing.get_args(c):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


def _render(model: type[BaseModel], path: str, out: list[str], seen: set[str]) -> None:
    out.append(f"\n## `{path}`\n\n{(model.__doc__ or '').strip()}\n")
    out.append("| key | type | default | description |\n|---|---|---|---|")
    nested: list[tuple[str, type[BaseModel]]] = []
    for name, field in model.model_fields.items():
        desc = (field.description or "").replace("|", "\\|")
        title = field.title or name
        out.append(f"| `{name}` | {_type_name(field.annotation)} | {_default(field)} | **{title}.** {desc} |")
        sub = _nested_model(field.annotation)
        if sub is not None:
            origin = typing.get_origin(field.annotation)
            suffix = ".<name>" if origin is dict else ("[]" if origin is list else "")
            nested.append((f"{path}.{name}{suffix}" if path else f"{name}{suffix}", sub))
    for sub_path, sub in nested:
        key = f"{sub.__name__}@{sub_path.split('.')[0]}"
        if key in seen:
            continue
        seen.add(key)
        _render(sub, sub_path, out, seen)


def render_reference() -> str:
    """The whole reference as Markdown, generated from `PrivacyConfig`."""
    out = [
        "# Configuration reference",
        "",
        "Generated from the pydantic models by `frigate-privacy config reference`; do not edit by hand.",
        "Unknown keys are errors. Strings may use `{FRIGATE_*}` placeholders, read from the environment.",
        "A camera's `masking:` and `policy:` are deep-merged over the global sections, as Frigate does.",
        "",
        "`frigate-privacy config validate FILE` names every wrong field with its line and a likely fix, e.g.",
        "`frigate.verify_tsl (line 7): unknown field (did you mean verify_tls?)`; unset environment variables",
        "are listed once, after the real errors.",
    ]
    _render(PrivacyConfig, "", out, set())
    return "\n".join(out).replace("\n## ``\n", "\n## Top level\n") + "\n"
