"""Snapshot tests of the `--json` outputs: the keys and value types scripts rely on.

`assert_json_shape(name, value)` compares the shape of a parsed `--json` output (every key, and the
type of every value; list items merged) with tests/json_shapes/<name>.json. A renamed, removed or
added key, or a value that changes type, fails the test: change the snapshot on purpose, with
`UPDATE_JSON_SHAPES=1 pytest ...`, and say so in the commit (scripts read these outputs). `null`
and an empty list match any type, and list items may lack keys other items had, because these depend
on the data of one run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["assert_json_shape", "json_shape"]

SHAPES = Path(__file__).resolve().parent / "json_shapes"


def json_shape(value: Any) -> Any:
    """Keys and value types of a JSON value; a list becomes one merged item shape."""
    if isinstance(value, dict):
        return {str(k): json_shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        merged: Any = None
        for item in value:
            merged = _merge(merged, json_shape(item))
        return [] if merged is None else [merged]
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "str"
    return "null"


def _merge(a: Any, b: Any) -> Any:
    if a is None or a == "null" or a == []:
        return b
    if b == "null" or b == []:
        return a
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: _merge(a.get(k), b.get(k)) if k in a and k in b else (a.get(k) or b.get(k)) for k in sorted(a | b)}
    if isinstance(a, list) and isinstance(b, list):
        return [_merge(a[0], b[0])]
    return a


def _mismatches(want: Any, got: Any, where: str, in_list: bool = False) -> list[str]:
    if want == "null" or got == "null" or want == [] or got == []:
        return []
    if isinstance(want, dict) and isinstance(got, dict):
        # List items are merged over every item ever seen (a step's params differ by kind), so one run's
        # items need not carry every key; outside lists every key must be there.
        out = [] if in_list else [f"{where}.{k}: missing" for k in sorted(set(want) - set(got))]
        out += [f"{where}.{k}: new key" for k in sorted(set(got) - set(want))]
        for k in sorted(set(want) & set(got)):
            out += _mismatches(want[k], got[k], f"{where}.{k}", in_list)
        return out
    if isinstance(want, list) and isinstance(got, list):
        return _mismatches(want[0], got[0], f"{where}[]", in_list=True)
    return [] if want == got else [f"{where}: {json.dumps(want)} became {json.dumps(got)}"]


def assert_json_shape(name: str, value: Any) -> None:
    """Fail when the shape of `value` differs from the snapshot `name` (see the module docstring)."""
    path = SHAPES / f"{name}.json"
    got = json_shape(value)
    if os.environ.get("UPDATE_JSON_SHAPES") == "1":
        old = json.loads(path.read_text()) if path.exists() else None
        path.write_text(json.dumps(_merge(old, got) if old is not None else got, indent=1, sort_keys=True) + "\n")
        return
    assert path.exists(), f"no snapshot {path}; create it with UPDATE_JSON_SHAPES=1"
    problems = _mismatches(json.loads(path.read_text()), got, name)
    assert problems == [], f"--json output changed shape: {problems}"
