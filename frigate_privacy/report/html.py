"""Render the report as one self-contained, printable HTML file (images embedded, no external resource)."""

from __future__ import annotations

import base64
import html
import time
from collections.abc import Iterable

from frigate_privacy.report.gdpr import ARTICLE_TITLES, Article
from frigate_privacy.report.model import CameraSection, ExportRow, Finding, ReportData, Status

__all__ = ["render_html"]

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #1c1c1c; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #ddd; padding-bottom: 0.2em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0 1em; }
th, td { text-align: left; vertical-align: top; padding: 0.35em 0.5em; border-bottom: 1px solid #e4e4e4; }
th { background: #f4f4f4; }
.status { font-weight: 600; text-transform: uppercase; font-size: 0.85em; white-space: nowrap; }
.ok { color: #146c2e; } .info { color: #305f9e; } .warning { color: #9a5b00; }
.violation { color: #b00020; } .unknown { color: #6b6b6b; }
.summary span { margin-right: 1.5em; } .fix { color: #444; font-style: italic; }
figure { margin: 0.5em 0 1em; } figure img { max-width: 100%; border: 1px solid #ccc; }
figcaption { font-size: 0.9em; color: #555; } .camera { page-break-inside: avoid; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
"""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _when(ts: float | None) -> str:
    return "-" if ts is None else time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ts))


def _findings_table(findings: Iterable[Finding]) -> str:
    rows = [
        "<tr>"
        f"<td>{_esc(f.topic)}</td>"
        f'<td class="status {f.status.value}">{_esc(f.status.value)}</td>'
        f"<td>{_esc(f.detail)}" + (f'<div class="fix">fix: {_esc(f.fix)}</div>' if f.fix else "") + "</td>"
        f'<td title="{_esc(ARTICLE_TITLES[f.article])}">{_esc(f.article.value)}</td>'
        "</tr>"
        for f in findings
    ]
    head = "<tr><th>check</th><th>result</th><th>detail</th><th>GDPR</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _camera(section: CameraSection) -> str:
    parts = [f'<section class="camera" id="camera-{_esc(section.name)}"><h3>{_esc(section.name)}</h3>']
    if section.picture is not None:
        data = base64.b64encode(section.picture.data).decode("ascii")
        parts.append(
            f'<figure><img alt="{_esc(section.picture.caption)}" src="data:{section.picture.mime};base64,{data}">'
            f"<figcaption>{_esc(section.picture.caption)}</figcaption></figure>"
        )
    parts.append(_findings_table(section.findings))
    parts.append("</section>")
    return "".join(parts)


def _exports(rows: list[ExportRow]) -> str:
    if not rows:
        return "<p>No redacted exports are on record.</p>"
    body = "".join(
        "<tr>"
        f"<td>{_esc(r.export_id)}</td><td>{_esc(r.camera)}</td><td>{_when(r.created)}</td>"
        f"<td>{_when(r.expires)}</td><td>{'age-encrypted' if r.encrypted else 'NOT ENCRYPTED'}</td>"
        f"<td>{'present' if r.path_exists else 'removed'}</td>"
        "</tr>"
        for r in rows
    )
    head = "<tr><th>export</th><th>camera</th><th>created</th><th>expires</th><th>encryption</th><th>file</th></tr>"
    return f"<table>{head}{body}</table>"


def _articles() -> str:
    rows = "".join(f"<tr><td>{_esc(a.value)}</td><td>{_esc(ARTICLE_TITLES[a])}</td></tr>" for a in Article)
    return f"<table><tr><th>article</th><th>what it asks</th></tr>{rows}</table>"


def render_html(report: ReportData) -> str:
    """The report as a complete HTML document."""
    counts = " ".join(
        f'<span class="{s.value}">{report.count(s)} {s.value}</span>'
        for s in (Status.violation, Status.warning, Status.unknown, Status.ok)
    )
    cameras = "".join(_camera(c) for c in report.cameras) or "<p>Frigate reported no cameras.</p>"
    notes = "".join(f"<li>{_esc(n)}</li>" for n in report.notes)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Privacy compliance report</title>"
        f"<style>{_CSS}</style></head><body>"
        "<h1>Privacy compliance report</h1>"
        f"<p>Frigate {_esc(report.frigate_version)} at {_esc(report.frigate_url)}; generated "
        f"{_when(report.generated_at)} by frigate-privacy.</p>"
        f'<p class="summary">{counts}</p>'
        f"<h2>Cameras</h2>{cameras}"
        f'<h2 id="installation">Installation</h2>{_findings_table(report.installation)}'
        f'<h2 id="exports">Redacted exports</h2>{_exports(report.exports)}'
        + (f"<h2>Notes</h2><ul>{notes}</ul>" if notes else "")
        + f"<h2>GDPR articles referred to</h2>{_articles()}"
        "</body></html>\n"
    )
