"""`frigate-privacy search --sub-label NAME`: right of access, where and when a person was seen."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from frigate_privacy.config import load_config
from frigate_privacy.export.operations import TRACK_STORE_FILENAME
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.trackstore import TrackStore
from frigate_privacy.policy.sightings import find_sightings
from frigate_privacy.times import TIME_HELP, time_arg

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `search` command."""
    p = sub.add_parser(
        "search",
        help="list where and when a recognised person was seen (track store and Frigate's events)",
        description="Right of access: every event Frigate recognised as NAME, so an operator can export exactly "
        "those ranges with `export --keep-visible-sub-label NAME`.",
    )
    p.add_argument("--config", type=Path, required=True, help="frigate-privacy config file")
    p.add_argument("--sub-label", required=True, help="the person's Frigate sub label (exact name)")
    p.add_argument("--camera", help="only this camera")
    p.add_argument("--start", type=time_arg, help="sightings ending before this are left out; " + TIME_HELP)
    p.add_argument("--end", type=time_arg, help="sightings starting after this are left out; " + TIME_HELP)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_search)


def _stamp(t: float | None) -> str:
    return "in progress" if t is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def _search(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    store_path = Path(cfg.storage.data_dir) / TRACK_STORE_FILENAME
    store = TrackStore(store_path) if store_path.exists() else None
    try:
        with FrigateClient.from_config(cfg.frigate) as client:
            found = find_sightings(
                args.sub_label,
                client,
                store,
                cameras=frozenset({args.camera}) if args.camera else None,
                after=args.start,
                before=args.end,
            )
    finally:
        if store is not None:
            store.close()
    if args.json:
        print(json.dumps({"sub_label": args.sub_label, "sightings": [s.to_dict() for s in found]}, indent=2))
        return 0
    if not found:
        print(f"no event recognised as {args.sub_label!r}")
    for s in found:
        print(f"{s.camera:12} {_stamp(s.start)} -> {_stamp(s.end)}  event {s.event_id}  ({', '.join(s.sources)})")
    return 0
