"""Mask styles are found through the `frigate_privacy.mask_styles` entry points, plugins included."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from frigate_privacy.errors import ConfigError
from frigate_privacy.masking.registry import ENTRY_POINT_GROUP, available_styles, load_style
from frigate_privacy.masking.types import MaskRegion, MaskStyle, RegionKind

PLUGINS = Path(__file__).parent / "plugins"


def install(site: Path, dist: str, entry_points: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Install a distribution the way pip leaves it: a module plus a .dist-info with entry_points.txt."""
    info = site / f"{dist}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{entry_points}\n")
    monkeypatch.syspath_prepend(str(site))


@pytest.fixture
def example_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    shutil.copy(PLUGINS / "example_style.py", tmp_path / "example_style.py")
    monkeypatch.delitem(sys.modules, "example_style", raising=False)
    install(tmp_path, "example_style", "example = example_style:ExampleStyle", monkeypatch)
    yield tmp_path
    sys.modules.pop("example_style", None)


def test_built_in_styles_are_registered() -> None:
    assert {"solid", "mean_noise", "pixelate", "strong_blur"} <= set(available_styles())
    for name in ("solid", "mean_noise", "pixelate", "strong_blur"):
        style = load_style(name)
        assert isinstance(style, MaskStyle)
        assert style.name == name


def test_unknown_style_names_the_installed_ones() -> None:
    with pytest.raises(ConfigError) as err:
        load_style("gaussian")
    message = str(err.value)
    assert "gaussian" in message
    for name in ("solid", "mean_noise", "pixelate", "strong_blur"):
        assert name in message


def test_example_plugin_is_found_and_used(example_site: Path) -> None:
    assert "example" in available_styles()
    style = load_style("example")
    assert type(style).__module__ == "example_style"
    frame = np.full((60, 80, 3), 128, np.uint8)
    style.apply(frame, MaskRegion((10, 10, 40, 50), RegionKind.face, 1, (10, 10)), np.random.default_rng(0))
    inside = frame[10:50, 10:40]
    assert set(np.unique(inside)) == {40, 200}
    outside = frame.copy()
    outside[10:50, 10:40] = 128
    assert (outside == 128).all()


def test_plugin_is_gone_when_not_installed() -> None:
    assert "example" not in available_styles()
    with pytest.raises(ConfigError):
        load_style("example")


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("broken = example_style_missing_module:Style", "could not be loaded"),
        ("renamed = example_style:ExampleStyle", "calls itself 'example'"),
        ("notastyle = pathlib:PurePath", "does not implement apply"),
    ],
)
def test_bad_plugins_are_rejected_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str, problem: str
) -> None:
    shutil.copy(PLUGINS / "example_style.py", tmp_path / "example_style.py")
    monkeypatch.delitem(sys.modules, "example_style", raising=False)
    install(tmp_path, "bad_style", entry, monkeypatch)
    name = entry.split(" = ")[0]
    with pytest.raises(ConfigError, match=problem):
        load_style(name)
    sys.modules.pop("example_style", None)
