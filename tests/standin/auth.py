"""8971-style JWT auth: HS256 tokens with `sub`, `exp` and (0.16+) `role`, from cookie or Bearer header."""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass

import jwt

from .versions import VersionProfile

COOKIE_NAME = "frigate_token"


@dataclass
class Authenticator:
    """Users, their roles and the JWT secret of one stand-in."""

    prof: VersionProfile
    secret: str
    users: dict[str, str]
    roles: dict[str, str]
    session_length: int = 86400

    def check_password(self, user: str, password: str) -> bool:
        """Constant-time comparison, like a hash check would be."""
        expected = self.users.get(user)
        return expected is not None and hmac.compare_digest(expected.encode(), password.encode())

    def issue(self, user: str) -> tuple[str, int]:
        """A token and its expiry (unix seconds)."""
        exp = int(time.time()) + self.session_length
        claims: dict[str, object] = {"sub": user, "exp": exp}
        if self.prof.roles:
            claims["role"] = self.roles.get(user, "admin")
        if self.prof.minor >= 17:
            claims["iat"] = int(time.time())
        return jwt.encode(claims, self.secret, algorithm="HS256"), exp

    def verify(self, token: str) -> tuple[str, str] | None:
        """(user, role) for a valid token, else None (bad signature, expired, 0.16+ missing role)."""
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"], options={"require": ["exp", "sub"]})
        except jwt.PyJWTError:
            return None
        user = str(claims["sub"])
        if user not in self.users:
            return None
        if self.prof.roles:
            role = claims.get("role")
            if not isinstance(role, str):
                return None
            return user, role
        return user, "admin"


def token_from_headers(headers: dict[str, str]) -> str | None:
    """Bearer header first, then the `frigate_token` cookie."""
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE_NAME and value:
            return value
    return None
