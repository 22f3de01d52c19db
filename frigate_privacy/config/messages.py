"""Validation errors in words a newcomer understands: the field's path, its line, and a likely fix."""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Sequence
from dataclasses import dataclass

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

__all__ = ["ConfigProblem", "config_problems", "describe_errors", "key_lines"]

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


@dataclass(frozen=True)
class ConfigProblem:
    """One wrong field: its dotted path, its line in the file (if known) and what is wrong."""

    field: str
    line: int | None
    message: str


def config_problems(
    err: ValidationError, root: type[BaseModel], lines: dict[Loc, int] | None = None
) -> tuple[list[ConfigProblem], dict[str, list[str]]]:
    """The problems in file order, and the unset environment variables with the fields that use them."""
    lines = lines or {}
    found: list[ConfigProblem] = []
    missing_env: dict[str, list[str]] = {}
    for item in err.errors():
        loc = tuple(item["loc"])
        where = ".".join(str(part) for part in loc) or "(top level)"
        env = _ENV_MISSING.search(str(item["msg"]))
        if env is not None:
            uses = missing_env.setdefault(env.group(1), [])
            if where not in uses:
                uses.append(where)
            continue
        found.append(ConfigProblem(where, _line(lines, loc), _message(root, item)))
    # In file order, so the list reads top to bottom like the file.
    found.sort(key=lambda p: p.line if p.line is not None else float("inf"))
    return found, missing_env


def describe_errors(err: ValidationError, root: type[BaseModel], lines: dict[Loc, int] | None = None) -> str:
    """One line per wrong field (`frigate.verify_tsl (line 7): unknown field (did you mean verify_tls?)`).

    Unset environment variables are listed once, after the real errors: they are usually not mistakes
    in the file but in the environment it runs in.
    """
    problems, missing_env = config_problems(err, root, lines)
    out = [f"  {p.field}{f' (line {p.line})' if p.line is not None else ''}: {p.message}" for p in problems]
    if missing_env:
        names = ", ".join(f"{name} (for {', '.join(uses)})" for name, uses in missing_env.items())
        out.append(f"  environment variables not set: {names}; export them before running, or write the values")
    return "\n".join(out)
