"""Find the Frigate stand-in (tests/standin/ of a source checkout); a pip install has none."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

from frigate_privacy.errors import PrivacyError

__all__ = ["StandinUnavailable", "checkout_root", "load_standin"]


class StandinUnavailable(PrivacyError):
    """The full tour needs the Frigate stand-in, which only a source checkout has."""


def checkout_root() -> Path:
    """The directory holding frigate_privacy/ (a git checkout's root when run from one)."""
    return Path(__file__).resolve().parents[2]


def load_standin() -> ModuleType:
    """Import `tests.standin` from the checkout this package runs from, or raise StandinUnavailable."""
    root = checkout_root()
    if not (root / "tests" / "standin" / "__init__.py").is_file():
        raise StandinUnavailable(
            f"the Frigate stand-in (tests/standin/) is not beside this installation ({root}): the full tour runs "
            "only from a source checkout. Fix: git clone the project, run `bash .ci/setup`, then "
            "`.venv/bin/frigate-privacy demo`; or run `frigate-privacy demo --clip-only`"
        )
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return importlib.import_module("tests.standin")
