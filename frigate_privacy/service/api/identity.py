"""Who is asking: a token user or a Home Assistant user via ingress, their role and visible cameras."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from frigate_privacy.config.api import ApiRole

__all__ = ["ROLE_PERMISSIONS", "Identity", "Permission", "allows"]


class Permission(StrEnum):
    """One thing a route does; each route needs exactly one."""

    media = "media"
    """Redacted images, clips, live view, sightings of a subject."""
    export = "export"
    """Start redacted exports, list them, download the encrypted bundles."""
    original = "original"
    """Unredacted media (`?original=true`), each access audited."""
    erasure = "erasure"
    """Plan and apply erasure of a subject."""
    policy = "policy"
    """Apply retention."""
    users = "users"
    """List, add and revoke API users."""
    cameras = "cameras"
    """Switch a camera's privacy masking and privacy pause."""
    audit = "audit"
    """Read the audit log, its verification and the at-rest backlog."""


_VIEWER = frozenset({Permission.media})
_OPERATOR = _VIEWER | {Permission.export}
_ADMIN = _OPERATOR | {
    Permission.original,
    Permission.erasure,
    Permission.policy,
    Permission.users,
    Permission.cameras,
    Permission.audit,
}

ROLE_PERMISSIONS: dict[ApiRole, frozenset[Permission]] = {
    ApiRole.viewer: _VIEWER,
    ApiRole.operator: _OPERATOR,
    ApiRole.admin: _ADMIN,
}


def allows(role: ApiRole, permission: Permission) -> bool:
    """Whether `role` holds `permission`."""
    return permission in ROLE_PERMISSIONS[role]


@dataclass(frozen=True)
class Identity:
    """An authenticated caller. `name` is what the audit log records (`ha:<user>` for ingress users)."""

    name: str
    role: ApiRole
    cameras: frozenset[str] | None = None
    """The only cameras this caller may see; None means all."""
    via: str = "token"
    """`token` or `ingress`."""

    def sees(self, camera: str) -> bool:
        """Whether this caller may see `camera`."""
        return self.cameras is None or camera in self.cameras
