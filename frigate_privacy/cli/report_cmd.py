"""`frigate-privacy report`: a privacy compliance report per camera, as one printable HTML file."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from frigate_privacy.config import load_config
from frigate_privacy.exit_codes import ExitCode
from frigate_privacy.report.gather import gather_report
from frigate_privacy.report.html import render_html
from frigate_privacy.report.model import Status
from frigate_privacy.storage.atomic import AtomicFile

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `report` command."""
    p = sub.add_parser(
        "report",
        help="write a privacy compliance report (HTML, self-contained, printable) for every camera",
        description=(
            "Per camera: audio, retention against the policy, Frigate's and our masking (with a masked snapshot "
            "and the static zones drawn), masking at rest, privacy pause; for the installation: exposures, "
            "exports, the audit chain; each line names the GDPR article it serves."
        ),
    )
    p.add_argument("--config", type=Path, required=True, help="frigate-privacy config file")
    p.add_argument("-o", "--output", type=Path, required=True, help="the HTML file to write (mode 0600)")
    p.add_argument("--overwrite", action="store_true", help="replace OUTPUT if it exists (default: refuse)")
    p.add_argument("--no-pictures", action="store_true", help="leave out the masked snapshots (faster)")
    p.add_argument("--json", action="store_true", help="print the findings as JSON as well")
    p.set_defaults(func=_report)


def _report(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    report = gather_report(cfg, str(args.config), pictures=not args.no_pictures)
    document = render_html(report).encode("utf-8")
    with AtomicFile(args.output, overwrite=args.overwrite) as out:
        out.write(document)
        out.commit()
    counts = {s.value: report.count(s) for s in Status}
    if args.json:
        findings = {c.name: [asdict(f) for f in c.findings] for c in report.cameras}
        print(
            json.dumps(
                {
                    "output": str(args.output),
                    "counts": counts,
                    "cameras": findings,
                    "installation": [asdict(f) for f in report.installation],
                },
                indent=2,
            )
        )
    else:
        print(
            f"wrote {args.output}: {counts['violation']} violation(s), {counts['warning']} warning(s), "
            f"{counts['unknown']} not checked, {counts['ok']} ok"
        )
    return int(ExitCode.OK)
