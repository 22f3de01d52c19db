"""Validation errors in words a newcomer understands: the field's path, its line, and a likely fix."""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Sequence

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

__all__ = ["describe_errors", "key_lines"]

_ENV_MISSING = re.compile(r"environment variable (\w+) is not set")

Loc = tuple[str | int, ...]


def key_lines(text: str) -> dict[Loc, int]:
    """The 1-based line of every mapping key and sequence item in a YAML text, by path (empty if it is not YAML)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[Loc, int] = {}

    def walk(node: yaml.Node | None, path: Loc) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                here = (*path, str(key.value))
                lines[here] = key.start_mark.line + 1
                walk(value, here)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[(*path, i)] = item.start_mark.line + 1
                walk(item, (*path, i))

    walk(root, ())
    return lines


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model that holds the field at `loc` (following nested models, dict values and list items)."""
    from frigate_privacy.config.reference import _nested_model  # one walker of the tree, shared with the docs

    current: type[BaseModel] | None = model
    expect_key = False  # the next part is a dict key or list index, not a field
    for part in loc:
        if current is None:
            return None
        if expect_key:
            expect_key = False
            continue
        field = current.model_fields.get(str(part))
        if field is None:
            return None
        current = _nested_model(field.annotation)
        expect_key = typing.get_origin(field.annotation) in (dict, list)
    return current


def _line(lines: dict[Loc, int], loc: Loc) -> int | None:
    """The line of `loc`, or of its nearest ancestor that is in the file (a merged camera key is not)."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _message(root: type[BaseModel], item: ErrorDetails) -> str:
    loc = tuple(item["loc"])
    if item["type"] == "extra_forbidden" and loc:
        holder = _model_at(root, loc[:-1])
        if holder is not None:
            close = difflib.get_close_matches(str(loc[-1]), list(holder.model_fields), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else f"; known fields: {', '.join(holder.model_fields)}"
            return f"unknown field{hint}"
        return "unknown field"
    msg = str(item["msg"])
    return msg.removeprefix("Value error, ")


def describe_errors(err: ValidationError, root: type[BaseModel], lines: dict[Loc, int] | None = None) -> str:
    """One line per wrong field (`frigate.verify_tsl (line 7): unknown field (did you mean verify_tls?)`).

    Unset environment variables are listed once, after the real errors: they are usually not mistakes
    in the file but in the environment it runs in.
    """
    lines = lines or {}
    found: list[tuple[float, str]] = []
    missing_env: dict[str, list[str]] = {}
    for item in err.errors():
        loc = tuple(item["loc"])
        where = ".".join(str(part) for part in loc) or "(top level)"
        env = _ENV_MISSING.search(str(item["msg"]))
        if env is not None:
            missing_env.setdefault(env.group(1), []).append(where)
            continue
        line = _line(lines, loc)
        at = f" (line {line})" if line is not None else ""
        found.append((line if line is not None else float("inf"), f"  {where}{at}: {_message(root, item)}"))
    # In file order, so the list reads top to bottom like the file.
    out = [text for _, text in sorted(found, key=lambda pair: pair[0])]
    if missing_env:
        names = ", ".join(f"{name} (for {', '.join(dict.fromkeys(uses))})" for name, uses in missing_env.items())
        out.append(f"  environment variables not set: {names}; export them before running, or write the values")
    return "\n".join(out)
