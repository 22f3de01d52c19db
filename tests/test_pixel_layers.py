"""The pixel core's layers: vision (find and track) and masking (plan and draw) share only the leaf types."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "frigate_privacy"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _package_imports(folder: str) -> dict[str, set[str]]:
    return {str(p.relative_to(PACKAGE)): _imports(p) for p in (PACKAGE / folder).rglob("*.py")}


def test_vision_and_masking_do_not_import_each_other() -> None:
    for folder, other in (("vision", "frigate_privacy.masking"), ("masking", "frigate_privacy.vision")):
        bad = {f: sorted(m for m in mods if m.startswith(other)) for f, mods in _package_imports(folder).items()}
        assert not {f: m for f, m in bad.items() if m}, f"{folder}/ imports {other}"


def test_pixel_types_is_a_leaf() -> None:
    assert not {m for m in _imports(PACKAGE / "pixel_types.py") if m.startswith("frigate_privacy")}
