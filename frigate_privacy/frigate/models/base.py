"""Tolerant base model and the value types shared by Frigate's payloads."""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

__all__ = [
    "CAMERA_NAME",
    "EVENT_ID",
    "Box4",
    "CameraNameStr",
    "EventId",
    "FrigatePayload",
    "LabelScore",
    "Lenient",
    "SubLabelName",
    "split_label_score",
]

# Frigate's camera-name rule (the same as config.root.CAMERA_NAME_PATTERN) and its event/review ids.
CAMERA_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
EVENT_ID = re.compile(r"^[0-9]+\.[0-9]+-[a-z0-9]+$")


class FrigatePayload(BaseModel):
    """Base of every model of Frigate's output: unknown keys are ignored, because each release adds some."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, protected_namespaces=())


def _check(pattern: re.Pattern[str], what: str) -> Any:
    def validate(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"not a valid {what}: {value[:60]!r}")
        return value

    return validate


CameraNameStr = Annotated[str, Field(max_length=128), AfterValidator(_check(CAMERA_NAME, "camera name"))]
EventId = Annotated[str, Field(max_length=64), AfterValidator(_check(EVENT_ID, "event id"))]


def _four_numbers(value: Any) -> Any:
    """Boxes arrive as JSON lists; pydantic would accept a dict or string for a tuple otherwise."""
    if isinstance(value, list | tuple) and len(value) == 4:
        return tuple(value)
    raise ValueError("a box is a list of 4 numbers")


Box4 = Annotated[tuple[float, float, float, float], BeforeValidator(_four_numbers)]


T = TypeVar("T")


def _none_if_invalid(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        return None


Lenient = Annotated[T | None, WrapValidator(_none_if_invalid)]
"""A field the plugin does not use: a value of an unexpected shape becomes None instead of failing the answer."""


class LabelScore(BaseModel):
    """A `(name, score)` pair after normalising Frigate's list and string forms."""

    name: str | None = None
    score: float | None = None


def split_label_score(value: Any) -> LabelScore:
    """`[name, score]` (MQTT sub_label, 0.16 recognized_license_plate), a bare string (API), or null."""
    if value is None or value == "":
        return LabelScore()
    if isinstance(value, str):
        return LabelScore(name=value)
    if isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[0], str | None):
        score = value[1]
        if score is not None and not isinstance(score, int | float):
            raise ValueError("label score must be a number")
        return LabelScore(name=value[0], score=None if score is None else float(score))
    raise ValueError("expected null, a string or [name, score]")


def _name_of_label_pair(value: Any) -> Any:
    # Lists are `[name, score]`; a bare string or null passes through to the str | None check.
    return split_label_score(value).name if isinstance(value, list) else value


# A sub label as a name alone: the REST API sends a string, some versions `[name, score]`.
def _bounded_name(value: str | None) -> str | None:
    if value is not None and len(value) > 128:
        raise ValueError(f"a sub label of {len(value)} characters is not a name (at most 128)")
    return value


SubLabelName = Annotated[str | None, BeforeValidator(_name_of_label_pair), AfterValidator(_bounded_name)]
