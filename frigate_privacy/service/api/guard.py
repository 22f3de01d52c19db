"""Authentication and authorisation of every request, with denials audited and failures rate-limited."""

from __future__ import annotations

import base64
import binascii
import logging
import re
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Any, NoReturn, Protocol

from fastapi import HTTPException, Request

from frigate_privacy.audit.actions import AuditResult
from frigate_privacy.config.api import ApiConfig, ApiRole
from frigate_privacy.errors import PrivacyError
from frigate_privacy.service.api.identity import Identity, Permission, allows
from frigate_privacy.service.api.ratelimit import FailedAuthLimiter
from frigate_privacy.service.api.users import UserStore

__all__ = ["DENIED_ACTION", "AuditSink", "Guard", "client_address"]

logger = logging.getLogger(__name__)

DENIED_ACTION = "api.denied"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.@:-]")
# Headers the Home Assistant Supervisor's ingress proxy sets for the logged-in HA user.
INGRESS_USER_NAME = "x-remote-user-name"
INGRESS_USER_ID = "x-remote-user-id"


def _basic_credentials(encoded: str) -> tuple[str, str]:
    """(user name, token) from a Basic credential; ("", "") when it is not valid base64 `name:token`."""
    try:
        text = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    name, sep, token = text.partition(":")
    return (name, token) if sep else ("", "")


class AuditSink(Protocol):
    """The part of `AuditLog` the guard uses."""

    def record(
        self,
        *,
        actor: str,
        role: str,
        action: str,
        target: str,
        reason: str,
        result: str,
        camera: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> object:
        """Append one entry."""
        ...


def client_address(request: Request) -> str:
    """The TCP peer's address. Forwarding headers are never trusted (uvicorn runs without proxy headers)."""
    return request.client.host if request.client is not None else "unknown"


def _actor_name(text: str) -> str:
    return _UNSAFE.sub("_", text)[:128] or "unknown"


@dataclass
class Guard:
    """Decides who a request comes from and whether it may do what the route does."""

    cfg: ApiConfig
    users: UserStore
    audit: AuditSink
    limiter: FailedAuthLimiter

    def __post_init__(self) -> None:
        self._proxies = {ip_address(a) for a in self.cfg.ingress.proxy_addresses}

    # -- who ----------------------------------------------------------------------------------------

    def _ingress_identity(self, request: Request) -> Identity | None:
        """The HA user, when ingress is on and the request comes from the Supervisor's proxy address."""
        if not self.cfg.ingress.enabled:
            return None
        try:
            peer = ip_address(client_address(request))
        except ValueError:
            return None
        if peer not in self._proxies:
            return None  # headers from anyone else are ignored, whatever they say
        name = request.headers.get(INGRESS_USER_NAME) or request.headers.get(INGRESS_USER_ID)
        if not name:
            return None
        role = self.cfg.ingress.user_roles.get(name, self.cfg.ingress.role)
        return Identity(_actor_name(f"ha:{name}"), role, None, via="ingress")

    def identify(self, request: Request) -> Identity:
        """The caller, or HTTPException 401 (no or a wrong token) / 429 (too many failures from this address)."""
        ingress = self._ingress_identity(request)
        if ingress is not None:
            return ingress
        address = client_address(request)
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        basic_name: str | None = None
        if scheme.lower() == "basic":
            # Home Assistant's MJPEG camera can only send Basic credentials: user name + token as the password.
            basic_name, token = _basic_credentials(token)
        elif scheme.lower() != "bearer":
            token = ""
        if not token.strip():
            self.deny(request, None, 401, "no bearer token")
        retry = self.limiter.retry_after(address)
        if retry is not None:
            self.deny(request, None, 429, "too many failed authentications", retry_after=retry)
        user = self.users.authenticate(token.strip())
        if user is None or (basic_name is not None and basic_name != user.name):
            self.limiter.failed(address)
            self.deny(request, None, 401, "unknown or revoked token")
        identity = Identity(user.name, user.role, user.cameras, via="token" if basic_name is None else "basic")
        if basic_name is not None and user.role is not ApiRole.viewer:
            # Basic credentials end up stored in other programs' configs: only viewer tokens may travel that way.
            self.deny(request, identity, 403, "Basic credentials are accepted for viewer tokens only")
        return identity

    # -- may they -----------------------------------------------------------------------------------

    def authorise(self, request: Request, permission: Permission) -> Identity:
        """The caller if their role holds `permission`, else 401/403/429 (denials audited)."""
        identity = self.identify(request)
        if not allows(identity.role, permission):
            self.deny(request, identity, 403, f"role {identity.role.value} lacks {permission.value}")
        return identity

    def check_camera(self, request: Request, identity: Identity, camera: str) -> None:
        """403 (audited) unless `identity` may see `camera`."""
        if not identity.sees(camera):
            self.deny(request, identity, 403, f"not allowed to see camera {camera}", camera=camera)

    def deny(
        self,
        request: Request,
        identity: Identity | None,
        status: int,
        reason: str,
        *,
        camera: str | None = None,
        retry_after: int | None = None,
    ) -> NoReturn:
        """Audit the refusal (who, what, from where), then raise the HTTP error."""
        address = client_address(request)
        try:
            self.audit.record(
                actor=identity.name if identity is not None else "anonymous",
                role=identity.role.value if identity is not None else "none",
                action=DENIED_ACTION,
                target=f"{request.method} {request.url.path}"[:512],
                reason=reason,
                result=AuditResult.denied.value,
                camera=camera,
                details={"address": address, "status": status, "via": identity.via if identity else "none"},
            )
        except PrivacyError as err:
            # The request is refused either way; a broken audit log must be visible in the service log.
            logger.error("could not audit a denied request: %s", err)
        headers: dict[str, str] = {}
        if status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        detail = {401: "authentication required", 403: "forbidden", 429: "too many failed authentications"}[status]
        raise HTTPException(status_code=status, detail=f"{detail}: {reason}", headers=headers or None)
