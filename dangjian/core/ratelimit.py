"""A fixed-window rate limit on the Django cache: "at most `limit` hits of `key` per `window`
seconds", e.g. 30 failed log-ins per IP address per 15 minutes.

Windows are aligned to multiples of `window` seconds since the epoch, so every key shares the
same boundaries and a counter simply expires with its window. `incr` is atomic on Redis and
locked on the local-memory cache, so several processes (or threads) count correctly."""

import hashlib
import math
import time

from django.core.cache import cache


def hit(key: str, limit: int, window: int) -> int | None:
    """Count one hit of `key`. None while the window holds at most `limit` hits; otherwise the
    seconds until the window ends (for a Retry-After header)."""
    start, remaining = _window(window)
    cache_key = _cache_key(key, window, start)
    cache.add(cache_key, 0, timeout=remaining + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the counter expired between add and incr
        cache.set(cache_key, 1, timeout=remaining + 1)
        count = 1
    return remaining if count > limit else None


def retry_after(key: str, limit: int, window: int) -> int | None:
    """Without counting: the seconds until `key` may hit again, or None when it may now."""
    start, remaining = _window(window)
    count = cache.get(_cache_key(key, window, start), 0)
    return remaining if count >= limit else None


def _window(window: int) -> tuple[int, int]:
    """The start of the current window and the whole seconds left in it (at least 1)."""
    now = _now()
    start = int(now // window) * window
    return start, max(1, math.ceil(start + window - now))


def _now() -> float:
    return time.time()


def _cache_key(key: str, window: int, start: int) -> str:
    # Hashed: keys may hold IPv6 addresses or typed text that some cache backends refuse.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"ratelimit:{digest}:{window}:{start}"
