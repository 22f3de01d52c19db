"""`frigate-privacy escrow restore`: originals back from escrow for an authorised person (audited)."""

from __future__ import annotations

import argparse
from pathlib import Path

from frigate_privacy.audit.actor import operator_actor
from frigate_privacy.config import load_config
from frigate_privacy.crypto.age_keys import load_identities
from frigate_privacy.times import TIME_HELP, time_arg

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `escrow` command."""
    p = sub.add_parser("escrow", help="originals kept in escrow by at-rest masking")
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    verbs.required = True
    r = verbs.add_parser("restore", help="decrypt the originals of a camera and time range (audited)")
    r.add_argument("--config", type=Path, required=True, help="frigate-privacy config file")
    r.add_argument("--identity", type=Path, required=True, help="age identity (secret key) file of an escrow recipient")
    r.add_argument("--camera", required=True, help="camera name")
    r.add_argument("--start", type=time_arg, required=True, help=f"range start: {TIME_HELP}")
    r.add_argument("--end", type=time_arg, required=True, help=f"range end: {TIME_HELP}")
    r.add_argument("-o", "--output", type=Path, required=True, help="directory for the originals (created 0700)")
    r.add_argument("--reason", default="", help="why the originals are needed (goes into the audit log)")
    r.set_defaults(func=_restore)


def _restore(args: argparse.Namespace) -> int:
    from frigate_privacy.atrest.restore import ADMIN_ROLE, restore_escrow

    cfg = load_config(args.config)
    identities = load_identities([args.identity])
    restored = restore_escrow(
        cfg,
        identities,
        args.camera,
        args.start,
        args.end,
        args.output,
        actor=operator_actor(),
        role=ADMIN_ROLE,  # someone at the command line runs with the host's rights
        reason=args.reason,
    )
    for item in restored:
        print(f"{item.path}  sha256 {item.record.sha256}")
    print(f"restored {len(restored)} original(s) into {args.output}")
    return 0
