"""`PUT /api/config/set`: dotted-path edits of the raw YAML with each version's value typing."""

from __future__ import annotations

import ast
import copy
from typing import Any

import yaml

from .config_doc import ConfigInvalid, deep_merge_into, validate
from .versions import VersionProfile


def typed_value(prof: VersionProfile, value: str) -> Any:
    """0.14: numeric strings become int; 0.15+: ast.literal_eval unless the value has a comma."""
    if not prof.config_set_literal_eval:
        return int(value) if value.isnumeric() else value
    if "," in value:
        return value
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value


def _set_path(doc: dict[str, Any], parts: list[str], value: Any, delete: bool) -> None:
    node: Any = doc
    for i, part in enumerate(parts[:-1]):
        nxt_is_index = parts[i + 1].isdigit()
        if isinstance(node, list):
            node = node[int(part)]
            continue
        if part not in node or node[part] is None:
            if delete:
                return
            node[part] = [] if nxt_is_index else {}
        node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        idx = int(last)
        if delete:
            del node[idx]
        elif idx < len(node):
            node[idx] = value
        else:
            node.append(value)
    elif delete:
        node.pop(last, None)
    else:
        node[last] = value


def apply_updates(
    prof: VersionProfile, raw_yaml: str, updates: list[tuple[str, str]], config_data: dict[str, Any] | None = None
) -> str:
    """New YAML text after the edits, validated; ConfigInvalid (and the old text kept) on failure."""
    doc = yaml.safe_load(raw_yaml) or {}
    new = copy.deepcopy(doc)
    grouped: dict[str, list[str]] = {}
    for key, value in updates:
        grouped.setdefault(key, []).append(value)
    for key, values in grouped.items():
        parts = [p for p in key.split(".") if p]
        if not parts:
            raise ConfigInvalid(f"invalid key {key!r}")
        if len(values) > 1:  # repeated keys make a list
            _set_path(new, parts, [typed_value(prof, v) for v in values], delete=False)
            continue
        raw = values[0]
        delete = raw == "" and prof.config_set_empty_deletes
        try:
            _set_path(new, parts, typed_value(prof, raw), delete=delete)
        except (IndexError, TypeError, ValueError, KeyError) as exc:
            raise ConfigInvalid(f"{key}: cannot set ({exc})") from exc
    if config_data:
        deep_merge_into(new, config_data)
    validate(prof, new)
    return yaml.safe_dump(new, sort_keys=False)
