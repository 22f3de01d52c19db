"""Every config field does what its description says, or is refused: first of all, some code reads it.

mypy, with the small plugin in tests/config_reads.py, records every read of a config model's field by
the type it infers, so `cfg.mqtt.port` counts for `MqttConfig.port` only. A field that no code outside
the models' own validators reads is a setting that silently does nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel

from frigate_privacy.config.reference import _nested_model
from frigate_privacy.config.root import PrivacyConfig

ROOT = Path(__file__).resolve().parent.parent

# Fields that only documentation uses, with the reason. Keep this short; a new entry needs a reason a
# reviewer accepts (a field that configures nothing should rather be removed or refused).
DOC_ONLY: dict[str, str] = {}


def _fields(model: type[BaseModel], path: str, seen: frozenset[type[BaseModel]]) -> list[tuple[str, str]]:
    """(dotted config path, model-qualified field name) for every field in the tree."""
    out = []
    for name, field in model.model_fields.items():
        out.append((f"{path}{name}", f"{model.__module__}.{model.__qualname__}.{name}"))
        sub = _nested_model(field.annotation)
        if sub is not None and sub not in seen:
            out += _fields(sub, f"{path}{name}.", seen | {sub})
    return out


def test_every_config_field_is_read_by_some_code_path(tmp_path: Path) -> None:
    reads = tmp_path / "reads.txt"
    reads.touch()
    ini = tmp_path / "mypy.ini"
    ini.write_text(
        "[mypy]\npython_version = 3.11\nfollow_imports = silent\nignore_missing_imports = True\n"
        f"plugins = pydantic.mypy, {ROOT / 'tests' / 'config_reads.py'}\n"
    )
    argv = [sys.executable, "-m", "mypy", "--config-file", str(ini), "--no-incremental"]
    argv += ["--cache-dir", str(tmp_path / "cache"), str(ROOT / "frigate_privacy")]
    env = {"CONFIG_READS_OUT": str(reads), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    read = set(reads.read_text().split())
    assert len(read) > 50, "the plugin recorded nothing: is it still loaded?"
    unread = [path for path, qualified in _fields(PrivacyConfig, "", frozenset()) if qualified not in read]
    unread = [path for path in unread if path not in DOC_ONLY]
    assert unread == [], f"config fields no code reads (use them, refuse them, or remove them): {unread}"
    stale = [path for path in DOC_ONLY if path not in {p for p, _ in _fields(PrivacyConfig, "", frozenset())}]
    assert stale == []
