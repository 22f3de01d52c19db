"""The erasure report: JSON for records, and a readable summary for answering the data subject (0600 files)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from frigate_privacy.storage.atomic import AtomicFile

if TYPE_CHECKING:
    from frigate_privacy.policy.erasure import ErasureReport

__all__ = ["render_erasure_markdown", "write_erasure_report"]


def _line(item: dict[str, Any]) -> str:
    where = f" ({item['camera']})" if item.get("camera") else ""
    return f"- {item['kind'].replace('_', ' ')} `{item['target']}`{where} via {item['api']}"


def render_erasure_markdown(data: dict[str, Any]) -> str:
    """A readable summary of the JSON report (what was deleted, what was not, and why)."""
    sel = data["selector"]
    if sel["sub_label"] is not None:
        who = f"recognised person `{sel['sub_label']}`"
    elif sel["event_ids"]:
        who = "events " + ", ".join(f"`{e}`" for e in sel["event_ids"])
    else:
        who = f"camera `{sel['camera']}` from {sel['start']:.0f} to {sel['end']:.0f} (unix time)"
    status = "complete" if data["complete"] else "INCOMPLETE - run the same erase command again"
    out = [
        "# Erasure report",
        "",
        f"- Request: {who}",
        f"- Created: {data['created']}",
        f"- Frigate version: {data['frigate_version']}",
        f"- Status: {status}",
        f"- Tracked objects (events) found: {len(data['events_found'])}",
        "",
        f"## Deleted ({len(data['deleted'])})",
        "",
    ]
    out += [
        _line(i) + (" - confirmed after an interruption" if i["status"] == "confirmed" else "") for i in data["deleted"]
    ]
    out += ["", f"## Already gone before this run ({len(data['already_gone'])})", ""]
    out += [_line(i) for i in data["already_gone"]]
    out += ["", f"## Could not be deleted ({len(data['not_deleted'])})", ""]
    out += [f"{_line(i)}: {i['status']}{' - ' + i['detail'] if i['detail'] else ''}" for i in data["not_deleted"]]
    out += ["", f"## Left behind, and why ({len(data['residue'])})", ""]
    for r in data["residue"]:
        where = f" ({r['camera']})" if r.get("camera") else ""
        out.append(f"- {r['what']}{where}: {r['why']}")
    out += ["", "## Our own stores", ""]
    for store in data.get("our_stores", []):
        note = f" ({store['note']})" if store.get("note") else ""
        out.append(f"- {store['store']}: {store['found']} found, {store['removed']} removed{note}")
    out += ["", "## Notes", ""]
    out += [f"- {n}" for n in data["notes"]]
    out += [
        "- Beyond this installation: copies downloaded by users, Home Assistant's notification proxy and browser "
        "caches (snapshots may be cached for up to a year) are outside what the plugin can reach.",
        "",
    ]
    return "\n".join(out)


def _write(path: Path, text: str) -> None:
    with AtomicFile(path) as out:
        out.write(text.encode("utf-8"))
        out.commit()
    os.chmod(path, 0o600)


def write_erasure_report(report: ErasureReport, directory: Path) -> list[Path]:
    """Write `<stamp>-<run>.json` and `.md` (0600) into `directory` (created 0700); returns both paths."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = report.to_dict()
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(report.started))
    base = directory / f"erasure-{stamp}-{os.urandom(3).hex()}"
    json_path, md_path = base.with_suffix(".json"), base.with_suffix(".md")
    _write(json_path, json.dumps(data, indent=2, sort_keys=True) + "\n")
    try:
        _write(md_path, render_erasure_markdown(data))
    except BaseException:
        json_path.unlink(missing_ok=True)  # never one half of a report
        raise
    return [json_path, md_path]
