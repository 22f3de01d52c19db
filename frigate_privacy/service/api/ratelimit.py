"""Failed authentications per client address, in a moving window (the `limits` library)."""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from frigate_privacy.config.api import RateLimitConfig

__all__ = ["FailedAuthLimiter"]


class FailedAuthLimiter:
    """Counts failures per address; an address over the limit is refused until its window frees a slot."""

    def __init__(self, cfg: RateLimitConfig) -> None:
        self._item = RateLimitItemPerSecond(cfg.failures, cfg.window_seconds)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def retry_after(self, address: str) -> int | None:
        """Seconds until `address` may try again, or None when it may try now."""
        if self._limiter.test(self._item, address):
            return None
        reset = self._limiter.get_window_stats(self._item, address).reset_time
        return max(1, math.ceil(reset - time.time()))

    def failed(self, address: str) -> None:
        """Count one failed authentication from `address`."""
        self._limiter.hit(self._item, address)
