"""The dependency rules of ../shared/reference/architecture.md, checked on the real imports.

Every `import`, `from ... import` (also inside functions) and every string naming one of our modules
(what `importlib.import_module` is given) counts as an edge, so no rule can be broken silently.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "frigate_privacy"

# Small leaf modules every layer may use: errors and exit codes, the time parser, the storage helpers
# (atomic writer, leftovers, SQLite opener), the background thread and the pipe helper.
LEAVES = {"errors", "exit_codes", "times", "storage", "background", "pipes"}
PIXEL_CORE = {"vision", "masking", "video", "pixel_types"}

# What each part may import of ours (besides itself and the leaves).
MAY_IMPORT: dict[str, set[str]] = {
    # A library that redacts pixels, usable on any video: no Frigate, no service, no export or policy.
    **{part: PIXEL_CORE | {"config"} for part in PIXEL_CORE},
    # A client library with one error type: nothing of our service, API, Home Assistant or jobs.
    "frigate": {"config"},
    # Byte streams and keys only.
    "crypto": set(),
    "config": set(),
    **{leaf: set() for leaf in LEAVES},
}

# Third-party packages that mean "talks to Frigate, MQTT, HTTP or Home Assistant".
NETWORK = {"paho", "requests", "urllib3", "fastapi", "uvicorn", "starlette", "homeassistant", "jwt"}
NO_NETWORK = PIXEL_CORE | {"crypto", "config"} | LEAVES
# vision/model_fetch.py and model_download.py download model files (pinned URLs or a mirror); that is
# not talking to Frigate.
NETWORK_ALLOWED_IN = {"frigate_privacy.vision.model_fetch", "frigate_privacy.vision.model_download"}

# Plans are pure: computed from data, applied by a separate step through frigate/.
PURE_PLANS = re.compile(r"^frigate_privacy\.policy\.plan_\w+$")
IO_MODULES = {"frigate_privacy.frigate.client", "frigate_privacy.frigate.transport", "frigate_privacy.audit.log"}

# Package-level import cycles allowed for now, each with the reason (none: keep it that way).
ALLOWED_CYCLE_EDGES: set[tuple[str, str]] = set()


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(path: Path, known: set[str]) -> tuple[set[str], set[str]]:
    """Our modules and the third-party top-level packages `path` imports."""
    ours: set[str] = set()
    theirs: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and "." in node.value and node.value in known
        ):
            ours.add(node.value)  # a module named in a string, for importlib.import_module
        for name in names:
            if name.startswith("frigate_privacy"):
                # `from pkg import module` imports the module; `from module import name` only the module.
                while name not in known and "." in name:
                    name = name.rsplit(".", 1)[0]
                if name in known:
                    ours.add(name)
            else:
                theirs.add(name.split(".")[0])
    return ours, theirs


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "(package)"


def _graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    modules = _modules()
    ours: dict[str, set[str]] = {}
    theirs: dict[str, set[str]] = {}
    for name, path in modules.items():
        ours[name], theirs[name] = _imports(path, set(modules))
    return ours, theirs


OURS, THEIRS = _graph()


def test_the_graph_is_read() -> None:
    assert "frigate_privacy.cli.redact_cmd" in OURS["frigate_privacy.cli"]  # named in the command table
    assert "frigate_privacy.config.root" in OURS["frigate_privacy.config.loader"]


def test_each_layer_imports_only_what_it_may() -> None:
    broken = []
    for module, imported in OURS.items():
        part = _part(module)
        if part not in MAY_IMPORT:
            continue
        allowed = MAY_IMPORT[part] | LEAVES | {part}
        broken += [f"{module} -> {other}" for other in sorted(imported) if _part(other) not in allowed]
    assert broken == []


def test_pixel_core_crypto_and_config_know_no_network() -> None:
    broken = []
    for module, imported in THEIRS.items():
        if _part(module) in NO_NETWORK and module not in NETWORK_ALLOWED_IN:
            broken += [f"{module} -> {lib}" for lib in sorted(imported & NETWORK)]
    assert broken == []


def test_nothing_imports_cli_or_service() -> None:
    broken = []
    for module, imported in OURS.items():
        for other in imported:
            target = _part(other)
            if target == "cli" and _part(module) not in {"cli", "(package)"} and module != "frigate_privacy.__main__":
                broken.append(f"{module} -> {other}")
            if target == "service" and _part(module) not in {"service", "cli"}:
                broken.append(f"{module} -> {other}")
    assert broken == []


def test_plans_are_pure() -> None:
    broken = []
    for module, imported in OURS.items():
        if PURE_PLANS.match(module):
            broken += [f"{module} -> {other}" for other in sorted(imported & IO_MODULES)]
            broken += [f"{module} -> {lib}" for lib in sorted(THEIRS[module] & (NETWORK | {"sqlite3"}))]
    assert broken == []


def test_no_import_cycles_between_parts() -> None:
    edges: dict[str, set[str]] = defaultdict(set)
    for module, imported in OURS.items():
        for other in imported:
            a, b = _part(module), _part(other)
            if a != b and (a, b) not in ALLOWED_CYCLE_EDGES:
                edges[a].add(b)
    cycles = []
    for start in list(edges):
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, path = stack.pop()
            for nxt in edges.get(node, ()):
                if nxt == start:
                    cycles.append(" -> ".join([*path, start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    assert cycles == []


def test_policy_reaches_the_export_registry_by_a_plain_import() -> None:
    """Policy used importlib + getattr to reach export: an edge no reader (and no type checker) could see."""
    source = (PACKAGE / "policy" / "exports_link.py").read_text()
    assert "importlib" not in source and "getattr(" not in source
    assert "frigate_privacy.export.registry" in OURS["frigate_privacy.policy.exports_link"]
