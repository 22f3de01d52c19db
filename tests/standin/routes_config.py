"""Routes: version, config read/set, restart, login/logout/profile."""

from __future__ import annotations

import email.utils
from typing import TYPE_CHECKING, Any

from .auth import COOKIE_NAME
from .config_doc import ConfigInvalid
from .config_set import apply_updates
from .http_types import BadBody, Request, Response, body_required, json_response, text_response

if TYPE_CHECKING:
    from .server import FrigateStandin


def version(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/version`: plain text like `0.16.4-4131252`."""
    return text_response(s.prof.full_version)


def get_config(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/config`: the effective config loaded at the last (re)start."""
    return json_response(s.config)


def get_raw(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/config/raw`: the YAML file as it is on disk now (secrets included)."""
    return text_response(s.config_yaml)


def config_set(s: FrigateStandin, req: Request) -> Response:
    """`PUT /api/config/set?<dotted.path>=<value>`: edit the YAML; applied only after restart, except live paths."""
    prof = s.prof
    body: dict[str, Any] = {}
    if prof.config_set_needs_body:
        try:
            raw = req.json()
        except BadBody:
            return body_required(prof)
        if not isinstance(raw, dict):
            return body_required(prof)
        body = raw
    updates = req.query_items
    config_data = body.get("config_data") if prof.minor >= 17 else None
    if not updates and not config_data:
        return json_response({"success": False, "message": "No configuration data provided"}, 400)
    try:
        new_yaml = apply_updates(prof, s.config_yaml, updates, config_data if isinstance(config_data, dict) else None)
    except ConfigInvalid as exc:
        # Frigate validates the edited file and rolls back on failure
        return json_response({"success": False, "message": f"Error parsing config: {exc}"}, 400)
    topic = str(body.get("update_topic") or "")
    section = topic.rstrip("/").rsplit("/", 1)[-1] if topic.startswith("config/") else ""
    if prof.config_set_needs_body and body.get("requires_restart", 1) == 0:
        s.set_raw_yaml(new_yaml, apply_now=True)
        return json_response({"success": True, "message": "Config successfully updated"})
    if section and section in prof.live_update_topics:
        s.apply_live(new_yaml)
        return json_response({"success": True, "message": "Config successfully updated"})
    s.set_raw_yaml(new_yaml, apply_now=False)
    return json_response({"success": True, "message": "Config successfully updated, restart to apply"})


def restart(s: FrigateStandin, req: Request) -> Response:
    """`POST /api/restart`: answer, then go down briefly and come back with the new config."""
    s.restart_later()
    return json_response({"success": True, "message": "Restarting (just wait)..."})


def login(s: FrigateStandin, req: Request) -> Response:
    """`POST /api/login {user, password}`: 200 with an empty body and the frigate_token cookie."""
    try:
        body = req.json()
    except BadBody:
        return body_required(s.prof)
    user = str(body.get("user", "")) if isinstance(body, dict) else ""
    password = str(body.get("password", "")) if isinstance(body, dict) else ""
    if not s.authenticator.check_password(user, password):
        # errata: 0.14 answers 400, 0.15+ 401
        return json_response({"message": "Login failed"}, s.prof.login_failure_status)
    token, exp = s.authenticator.issue(user)
    expires = email.utils.formatdate(exp, usegmt=True)
    cookie = f"{COOKIE_NAME}={token}; HttpOnly; Path=/; expires={expires}"
    return Response(200, b"", "text/plain", [("Set-Cookie", cookie)])


def logout(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/logout`: clear the cookie."""
    return Response(303, b"", "text/plain", [("Set-Cookie", f"{COOKIE_NAME}=; Max-Age=0; Path=/"), ("Location", "/")])


def get_profile(s: FrigateStandin, req: Request) -> Response:
    """`GET /api/profile`: who the request is authenticated as (anonymous admin on port 5000)."""
    return json_response({"username": req.user, "role": req.role})
