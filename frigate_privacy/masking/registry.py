"""Find mask styles: built-in and plugin styles alike register under one entry-point group."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from frigate_privacy.errors import ConfigError
from frigate_privacy.masking.types import MaskStyle

__all__ = ["ENTRY_POINT_GROUP", "available_styles", "load_style"]

ENTRY_POINT_GROUP = "frigate_privacy.mask_styles"


def _entry_points() -> dict[str, EntryPoint]:
    # The first distribution to claim a name wins; importlib.metadata lists them in sys.path order.
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep)
    return found


def available_styles() -> list[str]:
    """Names of every installed mask style, sorted."""
    return sorted(_entry_points())


def load_style(name: str) -> MaskStyle:
    """Instantiate the mask style registered as `name`; a ConfigError names the installed ones if absent."""
    eps = _entry_points()
    ep = eps.get(name)
    if ep is None:
        raise ConfigError(f"unknown mask style {name!r}; installed styles: {', '.join(sorted(eps)) or 'none'}")
    try:
        cls = ep.load()
        style = cls()
    except Exception as exc:  # a broken plugin must not pass as a working style
        raise ConfigError(f"mask style {name!r} ({ep.value}) could not be loaded: {exc}") from exc
    if not isinstance(style, MaskStyle) or not callable(getattr(style, "apply", None)):
        raise ConfigError(f"mask style {name!r} ({ep.value}) does not implement apply(frame, region, rng)")
    if getattr(style, "name", None) != name:
        raise ConfigError(
            f"mask style {ep.value} is registered as {name!r} but calls itself {getattr(style, 'name', None)!r}"
        )
    return style
