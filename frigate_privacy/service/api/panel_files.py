"""The web panel's static files (HTML, CSS, JS shipped as package data), served at `/` with a strict CSP.

The files hold no secret and no data: everything the panel shows comes from the token-checked JSON and
media routes. The content security policy allows only our own scripts and styles, blob: pictures, and
requests back to this server, so text that ever slipped into the page as HTML could not run script.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["PANEL_DIR", "PanelFiles"]

PANEL_DIR = Path(__file__).resolve().parent / "panel"
# frame-ancestors is left open: Home Assistant's ingress shows the panel in an iframe of its own origin.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)


class PanelFiles(StaticFiles):
    """`StaticFiles` over the panel directory, adding the CSP and no-sniff headers to every answer."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(directory=PANEL_DIR, html=True, **kwargs)

    def file_response(self, full_path: Any, stat_result: Any, scope: Scope, status_code: int = 200) -> Response:
        """The file, with the panel's security headers."""
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-cache"
        return response
