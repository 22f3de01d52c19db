"""Frigate's nginx answer cache for `/api/` (docker/main/rootfs/usr/local/nginx/conf/nginx.conf, 0.14-0.18).

nginx keeps 200 answers whose Content-Type is `application/json` for 5 s (`proxy_cache_valid 200 5s`,
`proxy_no_cache $should_not_cache`), for GET and HEAD only (nginx's default `proxy_cache_methods`). A
request carrying a non-empty `X-Cache-Bypass` other than "0" skips the lookup (`proxy_cache_bypass
$http_x_cache_bypass`) and its fresh answer replaces the stored one. The cache key is the request URI;
0.17+ adds the user and role (`$request_uri|$role|$groups|$user`). Image routes, `/api/vod/` and
`/api/version` (text/plain) are never cached. Answers carry `X-Cache-Status: HIT|MISS|BYPASS`.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from .http_types import Request, Response
from .versions import VersionProfile

BYPASS_HEADER = "x-cache-bypass"
_IMAGE = re.compile(r"\.(jpg|jpeg|png|webp|gif)$", re.IGNORECASE)


@dataclass
class NginxCache:
    """The stand-in's model of nginx's `api_cache` zone."""

    prof: VersionProfile
    seconds: float = 5.0
    hits: int = 0
    _store: dict[str, tuple[float, Response]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def applies(req: Request) -> bool:
        """Whether nginx's `/api/` location with `proxy_cache api_cache` serves this request."""
        return (
            req.method in ("GET", "HEAD")
            and req.path.startswith("/api/")
            and not req.path.startswith("/api/vod/")
            and _IMAGE.search(req.path) is None
        )

    def serve(self, req: Request, identity: str, upstream: Callable[[Request], Response | None]) -> Response | None:
        """Answer from the cache when fresh and not bypassed; else ask `upstream` and store a JSON 200."""
        key = f"{req.path}?{req.query_string}"
        if self.prof.minor >= 17:
            key += f"|{identity}"
        bypass = req.headers.get(BYPASS_HEADER, "") not in ("", "0")
        now = time.monotonic()
        if not bypass:
            with self._lock:
                stored = self._store.get(key)
            if stored is not None and now - stored[0] < self.seconds:
                self.hits += 1
                return replace(stored[1], headers=[*stored[1].headers, ("X-Cache-Status", "HIT")])
        resp = upstream(req)
        if resp is None:
            return None
        if resp.status == 200 and resp.content_type.startswith("application/json"):
            with self._lock:
                self._store[key] = (now, resp)
        return replace(resp, headers=[*resp.headers, ("X-Cache-Status", "BYPASS" if bypass else "MISS")])
