"""Request/response values passed between the stand-in's HTTP server and its route handlers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from .versions import VersionProfile

_FLASK_404 = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>The requested URL was not found on the server. If you entered the URL manually please check your "
    "spelling and try again.</p>\n"
)
_FLASK_405 = (
    "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n"
    "<p>The method is not allowed for the requested URL.</p>\n"
)
_NGINX_401 = (
    "<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n"
    "<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


class BadBody(ValueError):
    """The request body is not the JSON the route needs."""


@dataclass
class Request:
    """One parsed HTTP request."""

    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: bytes
    user: str = "anonymous"
    role: str = "admin"
    params: dict[str, str] = field(default_factory=dict)  # regex groups of the route

    @property
    def query_items(self) -> list[tuple[str, str]]:
        """Query pairs in order, blank values kept (config/set deletes keys with them)."""
        return parse_qsl(self.query_string, keep_blank_values=True)

    def arg(self, name: str, default: str | None = None) -> str | None:
        """Last value of a query parameter."""
        value = default
        for key, v in self.query_items:
            if key == name:
                value = v
        return value

    def json(self) -> Any:
        """The JSON body or BadBody."""
        if not self.body:
            raise BadBody("a JSON body is required")
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise BadBody(f"invalid JSON body: {exc}") from exc


@dataclass
class Response:
    """What a handler returns."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)
    stream: Iterator[bytes] | None = None
    """Sent after `body` without a length, until it ends or the client leaves (the MJPEG feed)."""


def json_response(payload: Any, status: int = 200) -> Response:
    """A JSON answer."""
    return Response(status, json.dumps(payload).encode(), "application/json")


def text_response(text: str, status: int = 200, content_type: str = "text/plain") -> Response:
    """A plain-text answer."""
    return Response(status, text.encode(), content_type)


def not_found(prof: VersionProfile) -> Response:
    """Unknown route: Flask's HTML page on 0.14, FastAPI's JSON later (errata)."""
    if prof.flask:
        return Response(404, _FLASK_404.encode(), "text/html; charset=utf-8")
    return json_response({"detail": "Not Found"}, 404)


def method_not_allowed(prof: VersionProfile) -> Response:
    """Known path, wrong method (e.g. POST /api/config/set)."""
    if prof.flask:
        return Response(405, _FLASK_405.encode(), "text/html; charset=utf-8")
    return json_response({"detail": "Method Not Allowed"}, 405)


def unauthorized() -> Response:
    """nginx's auth_request failure on port 8971."""
    return Response(401, _NGINX_401.encode(), "text/html")


def forbidden() -> Response:
    """0.16+ require_role refusal."""
    return json_response({"message": "Access denied"}, 403)


def body_required(prof: VersionProfile) -> Response:
    """FastAPI's validation error when a required JSON body is missing."""
    if prof.flask:
        return json_response({"success": False, "message": "Invalid request body"}, 400)
    return json_response({"detail": [{"type": "missing", "loc": ["body"], "msg": "Field required"}]}, 422)
